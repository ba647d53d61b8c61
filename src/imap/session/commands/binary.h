// FETCH BINARY[part] and BINARY.SIZE[part] content (RFC 3516, RFC 9051 §6.4.5): a
// part's body with its Content-Transfer-Encoding undone. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "mime/message.h"

namespace postamt::imap::commands {

// The decoded content of the part at `path` (IMAP part numbering, mime::Message::
// find_section):
//   nullopt          there is no such part (the caller answers NIL, as for BODY[]).
//   the octets       empty path: the whole message as stored. A multipart or
//                    message/rfc822 part: its body as stored, because RFC 2046 §5.1 and
//                    §5.2.1 allow only identity encodings there, so nothing is undone.
//                    A leaf part: base64 decoded to exactly the octets encoded (no
//                    line-end change: BINARY.SIZE and partial ranges count those);
//                    quoted-printable decoded with its hard line breaks as CRLF;
//                    7bit/8bit/binary as stored, text/* parts with CRLF line ends
//                    (RFC 9051 §6.4.5: "textual line-oriented sections" go with CRLF).
// ErrorKind::invalid when the leaf's encoding is unknown (x-uuencode, ...): the caller
// fails the FETCH with NO [UNKNOWN-CTE] (RFC 3516 §4.2); the message names the encoding.
Result<std::optional<std::string>> binary_content(const mime::Message& message,
                                                  std::span<const uint32_t> path);

}  // namespace postamt::imap::commands
