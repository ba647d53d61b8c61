// Email/get and Email/parse (RFC 8621 §4.2, §4.9): the properties of an Email that come
// from the message bytes (§4.1.2-§4.1.4), rendered as JSON, and part downloads.
//
// Threads: pure functions, any thread. No I/O: the caller passes the bytes and their
// parse (mime::parse(bytes)); both must stay alive for the call.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "jmap/email/blob_ids.h"
#include "jmap/email/header_forms.h"
#include "mime/message.h"
#include "model/blob_ref.h"

namespace postamt::jmap {

namespace json = boost::json;

// Email/get's fetchTextBodyValues, fetchHTMLBodyValues, fetchAllBodyValues and
// maxBodyValueBytes (§4.2).
struct BodyValueOptions {
  bool fetch_text = false;
  bool fetch_html = false;
  bool fetch_all = false;
  uint64_t max_body_value_bytes = 0;  // 0 = no limit
};

// §4.2: bodyProperties when the request names none.
std::span<const std::string> default_body_properties();

// Sets in `out` each requested property of §4.1.2-§4.1.4 that derives from the message:
// headers, header:*, messageId, inReplyTo, references, sender, from, to, cc, bcc,
// replyTo, subject, sentAt, bodyStructure, bodyValues, textBody, htmlBody, attachments,
// hasAttachment, preview. Other names (id, blobId, threadId, mailboxIds, keywords,
// size, receivedAt, unknown ones) are skipped: they are the caller's. header:* keys are
// the property exactly as requested; an invalid header property is skipped too (the
// caller rejects the request before with parse_header_property / is_email_property).
// `message_blob` names the message, for the part blobIds. `body_properties` as Email/get's
// bodyProperties; empty means default_body_properties().
void render_email(std::string_view bytes, const mime::Message& parsed, const BlobRef& message_blob,
                  std::span<const std::string> properties,
                  std::span<const std::string> body_properties, const BodyValueOptions& options,
                  json::object& out);

// Every Email property name of §4.1, valid header:* forms included.
bool is_email_property(std::string_view property);

// Every EmailBodyPart property name of §4.1.4, valid header:* forms included.
bool is_body_part_property(std::string_view property);

// The content of one part for a download: transfer encoding undone, charset not
// converted; `type` as in bodyStructure, `name` "" when the part has none. nullopt when
// `part_id` names no part or a multipart (which has no partId, §4.1.4). Ids inside an
// attached message ("3.1" for message/rfc822 part "3") resolve too, as IMAP sections do.
struct PartContent {
  std::string bytes;
  std::string type;
  std::string name;
};
std::optional<PartContent> extract_part(std::string_view bytes, const mime::Message& parsed,
                                        std::string_view part_id);

}  // namespace postamt::jmap
