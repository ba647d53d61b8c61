// The MIME parser: a complete message buffer -> a tree of parts with exact byte offsets
// (RFC 5322, RFC 2045, RFC 2046), for IMAP BODY[section], BODYSTRUCTURE and ENVELOPE.
//
// parse() works on a complete buffer owned by the caller, in one linear pass, without
// regular expressions or per-byte allocations. It never fails: broken input yields a
// best-effort tree (RFC 2045 §5.2 defaults, missing close delimiters tolerated), and a
// named limit that is hit stops descending and is reported in Message::limits_hit().
// Line ends may be CRLF or bare LF, also mixed. Pure and thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mime/content_type.h"
#include "mime/header.h"

namespace postamt::mime {

// Named limits (docs/architecture.md, Limits). When one is hit, parsing stops descending at that
// point and the rest of the affected part becomes an opaque body.
struct MimeLimits {
  // Deepest nesting of parts; the root is depth 0. A multipart or message/rfc822 part at
  // this depth is not descended into. Values above 1000 are treated as 1000 because the
  // parser recurses once per level.
  uint32_t max_depth = 100;
  // Most parts in one message, the root included.
  uint32_t max_parts = 10000;
  // Most bytes in one header block (fields and the blank line).
  size_t max_header_bytes = 1024 * 1024;
  // Most fields in one header block.
  uint32_t max_header_fields = 10000;
};

// Which limits were hit; a bit set.
enum class LimitHit : uint8_t {
  none = 0,
  depth = 1,
  parts = 2,
  header_bytes = 4,
  header_fields = 8,
};
constexpr LimitHit operator|(LimitHit a, LimitHit b) {
  return static_cast<LimitHit>(static_cast<uint8_t>(a) | static_cast<uint8_t>(b));
}
constexpr bool has(LimitHit set, LimitHit bit) {
  return (static_cast<uint8_t>(set) & static_cast<uint8_t>(bit)) != 0;
}

enum class TransferEncoding : uint8_t {
  seven_bit,  // also the default when the field is absent (RFC 2045 §6.1)
  eight_bit,
  binary,
  quoted_printable,
  base64,
  other,  // an unknown token (x-uuencode, ...): the body is opaque
};

inline constexpr uint32_t kNoPart = UINT32_MAX;

// One part. All offsets index the parsed buffer.
//
//   header_start .. header_end   the header block; header_end is after the blank line
//                                that ends it when there is one (so it equals body_start).
//                                Without a blank line (the header runs into a boundary or
//                                the end of the buffer) there is none to include.
//   body_start .. body_end       the body. For a part inside a multipart, the line end
//                                before the next boundary line belongs to the boundary
//                                (RFC 2046 §5.1.1) and is excluded. For a multipart the
//                                body covers preamble, all children, boundary lines and
//                                epilogue; for message/rfc822 it is the enclosed message,
//                                which is the part's only child.
struct Part {
  size_t header_start = 0;
  size_t header_end = 0;
  size_t body_start = 0;
  size_t body_end = 0;

  // Lines in the body: the number of LFs, plus one if the body is non-empty and does not
  // end with LF. bare_lf counts LFs without a CR before them, so the size with CRLF line
  // ends (what IMAP sends) is body_size() + body_bare_lf.
  uint64_t body_lines = 0;
  uint64_t body_bare_lf = 0;

  uint32_t first_field = 0;  // index into Message::fields()
  uint32_t field_count = 0;
  uint32_t parent = kNoPart;
  uint32_t first_child = kNoPart;
  uint32_t next_sibling = kNoPart;
  uint32_t child_count = 0;
  uint32_t depth = 0;

  // The effective content type: lowercased; defaults applied (text/plain;
  // charset=us-ascii, or message/rfc822 inside multipart/digest); a multipart without a
  // boundary is text/plain; a container that was not descended into because of a limit
  // is application/octet-stream. The fields themselves stay unchanged in the header.
  ContentType content_type;
  TransferEncoding encoding = TransferEncoding::seven_bit;
  std::string encoding_name;  // lowercased token as written; empty when absent
  std::string content_id;     // unfolded values, empty when absent
  std::string content_description;
  std::string content_md5;
  std::string content_location;
  std::vector<std::string> content_language;  // RFC 3282 tags, as written
  std::optional<Disposition> disposition;     // RFC 2183

  size_t body_size() const { return body_end - body_start; }
  bool is_multipart() const { return content_type.type == "multipart"; }
  // message/rfc822 or message/global that was parsed into an enclosed message.
  bool is_message() const {
    return content_type.type == "message" && first_child != kNoPart &&
           (content_type.subtype == "rfc822" || content_type.subtype == "global");
  }
};

// A parsed message: parts in pre-order (index 0 is the whole message) and the header
// fields of all parts in one array. Holds a view of the buffer; the caller keeps the
// bytes alive and unchanged as long as the Message is used.
class Message {
 public:
  std::string_view buffer() const { return buffer_; }
  const std::vector<Part>& parts() const { return parts_; }
  const Part& root() const { return parts_.front(); }
  const Part& part(uint32_t index) const { return parts_[index]; }
  const std::vector<HeaderField>& fields() const { return fields_; }
  HeaderView header(const Part& part) const;
  // The children of a multipart, or the single enclosed message of message/rfc822.
  std::vector<uint32_t> children(const Part& part) const;
  uint32_t index_of(const Part& part) const { return static_cast<uint32_t>(&part - parts_.data()); }
  LimitHit limits_hit() const { return limits_hit_; }

  // IMAP part numbering (RFC 3501 §6.4.5, RFC 9051 §6.4.5): returns the part for a
  // section path such as {1, 2, 3}, or nullptr if there is none. The empty path is the
  // whole message. A non-multipart message has part 1 = its body (the root part itself);
  // the children of a message/rfc822 part are numbered as the enclosed message's parts.
  const Part* find_section(std::span<const uint32_t> path) const;

 private:
  friend class Parser;
  std::string_view buffer_;
  std::vector<Part> parts_;
  std::vector<HeaderField> fields_;
  LimitHit limits_hit_ = LimitHit::none;
};

// Parses a whole message. Never fails; see the file comment.
Message parse(std::string_view buffer, const MimeLimits& limits = {});

}  // namespace postamt::mime
