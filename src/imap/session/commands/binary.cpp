#include "imap/session/commands/binary.h"

#include "imap/session/commands/common.h"
#include "mime/transfer_encoding.h"

namespace postamt::imap::commands {
namespace {

std::string with_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

}  // namespace

Result<std::optional<std::string>> binary_content(const mime::Message& message,
                                                  std::span<const uint32_t> path) {
  std::string_view buffer = message.buffer();
  if (path.empty()) return std::optional<std::string>(std::string(buffer));
  const mime::Part* part = message.find_section(path);
  if (!part) return std::optional<std::string>();
  std::string_view body = buffer.substr(part->body_start, part->body_size());
  if (part->is_multipart() || part->is_message())
    return std::optional<std::string>(std::string(body));
  if (part->encoding == mime::TransferEncoding::other)
    return Error{ErrorKind::invalid, "Unknown Content-Transfer-Encoding " +
                                         part->encoding_name.substr(0, kMaxQuotedWord)};
  switch (part->encoding) {
    case mime::TransferEncoding::base64:
      // The octets the sender encoded, as they are (RFC 3516 §4.2: BINARY.SIZE is the
      // decoded size; Dovecot and the conformance suites count it so).
      return std::optional<std::string>(mime::decode_body(body, part->encoding));
    case mime::TransferEncoding::quoted_printable:
      // A line break of the encoded text is a hard line break, which is CRLF (RFC 2045
      // §6.7 rule 4) however the message was stored; an encoded "=0A" stays one octet.
      return std::optional<std::string>(mime::decode_body(with_crlf(body), part->encoding));
    default:
      break;
  }
  std::string content(body);
  if (part->content_type.type == "text") content = with_crlf(content);
  return std::optional<std::string>(std::move(content));
}

}  // namespace postamt::imap::commands
