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
  std::string decoded = mime::decode_body(body, part->encoding);
  if (part->content_type.type == "text") decoded = with_crlf(decoded);
  return std::optional<std::string>(std::move(decoded));
}

}  // namespace postamt::imap::commands
