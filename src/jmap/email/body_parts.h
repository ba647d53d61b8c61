// The body of an Email as RFC 8621 §4.1.4 sees it: the part tree without descending
// into message/rfc822 or message/global, part ids, the textBody/htmlBody/attachments
// decomposition and bodyValues. Internal to postamt_jmap_email.
//
// Part ids are IMAP section numbers (RFC 9051 §6.4.5, mime::Message::find_section): the
// root of a non-multipart message is "1"; the children of a multipart numbered n are
// "n.1", "n.2", ... (of the root multipart: "1", "2", ...). Multiparts have none (§4.1.4:
// partId is null exactly for multipart/*).
//
// Threads: pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mime/message.h"

namespace postamt::jmap {

struct BodyPartInfo {
  uint32_t index = 0;   // into mime::Message::parts()
  std::string part_id;  // "" for a multipart
  std::string type;     // "type/subtype", lowercase
  std::optional<std::string> name;
  std::string disposition;        // lowercase type, "" when absent
  std::vector<size_t> sub_parts;  // indexes into BodyTree::parts
};

// parts[0] is the root (the message itself).
struct BodyTree {
  std::vector<BodyPartInfo> parts;
};
BodyTree body_tree(const mime::Message& message);

// §4.1.4's parseStructure() over the tree, starting as its "Usage" says. Indexes into
// BodyTree::parts.
struct BodyLists {
  std::vector<size_t> text_body;
  std::vector<size_t> html_body;
  std::vector<size_t> attachments;
};
BodyLists flatten_body(const BodyTree& tree);

// §4.1.4 name: the Content-Disposition filename (RFC 2231), else the Content-Type name,
// each with RFC 2047 words decoded; nullopt when there is neither.
std::optional<std::string> part_name(const mime::Part& part);

// The body with its Content-Transfer-Encoding undone (unknown encodings: as is).
std::string decoded_body(const mime::Message& message, const mime::Part& part);

// §4.1.4 EmailBodyValue of a text/* part: decoded to UTF-8 from its charset, CRLF -> LF,
// cut to at most `max_bytes` octets (0 = no limit) between characters and, for
// text/html, not inside a tag.
struct BodyValue {
  std::string value;
  bool is_encoding_problem = false;
  bool is_truncated = false;
};
BodyValue body_value(const mime::Message& message, const mime::Part& part, uint64_t max_bytes);

// Cuts well-formed UTF-8 to at most max_bytes without splitting a character; for HTML
// also before an unclosed "<". Returns whether anything was cut.
bool truncate_utf8(std::string& text, uint64_t max_bytes, bool html);

}  // namespace postamt::jmap
