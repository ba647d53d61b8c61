// Email/set create (RFC 8621 §4.6): a JMAP Email create object -> RFC 5322 message bytes.
//
// Reads the content properties (from, to, cc, bcc, replyTo, sender, subject, sentAt,
// messageId, inReplyTo, references, header:*, and bodyStructure | textBody / htmlBody /
// attachments with bodyValues). keywords, mailboxIds and receivedAt are the caller's and
// are ignored here; id, blobId, threadId, size, hasAttachment, preview and unknown
// properties are invalidProperties (RFC 8620 §5.3: server-set).
//
// What it writes: CRLF line ends; the Email's header fields (standard ones first, then
// header:* in the object's order), Date (sentAt, else `now` in UTC) and Message-ID
// (<random_token()@hostname>) when not given, MIME-Version: 1.0; header fields folded
// at 78 octets; RFC 2047 UTF-8 words for non-ASCII text and display names, RFC 2231 for
// non-ASCII filenames; text from bodyValues as charset=utf-8, 7bit when it can be,
// quoted-printable otherwise; blobs base64 unless 7bit-clean (message/* never base64,
// RFC 2046 §5.2.1). Without bodyStructure the tree is: text and/or html (alternative
// when both; the html in multipart/related with the inline attachments that have a cid),
// then multipart/mixed with the other attachments. A header:Content-Type on a leaf part
// replaces the generated one; on a multipart it is refused (the boundary is ours).
//
// Errors (SetErrorLite):
//   invalidProperties  a §4.6 rule is broken; `properties` holds paths such as
//                      "textBody", "bodyStructure/subParts/1/charset", "header:From".
//   blobNotFound       a part's blobId is malformed or fetch_blob returned nullopt;
//                      `not_found` lists every such id (§4.6).
//
// Threads: pure apart from the callbacks, which it calls on the calling thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "jmap/email/blob_ids.h"

namespace postamt::jmap {

namespace json = boost::json;

struct SetErrorLite {
  std::string type;  // "invalidProperties", "blobNotFound"
  std::string description;
  std::vector<std::string> properties;
  std::vector<std::string> not_found;  // blobNotFound only
};

struct CreateContext {
  int64_t now = 0;  // seconds since the epoch, for the default Date
  std::string hostname;
  std::function<std::string()> random_token;  // Message-ID left side, MIME boundaries
  std::function<std::optional<std::string>(const BlobIdRef&)> fetch_blob;
};

std::variant<std::string, SetErrorLite> build_email(const json::object& create,
                                                    const CreateContext& context);

}  // namespace postamt::jmap
