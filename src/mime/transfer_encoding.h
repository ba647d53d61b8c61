// Content-Transfer-Encoding decoding (RFC 2045 §6). Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "mime/message.h"

namespace postamt::mime {

// Lenient quoted-printable (RFC 2045 §6.7): "=XX" (either hex case) becomes the octet,
// "=" before a line end is a soft line break, trailing whitespace on a line is dropped
// (rule 3), and a malformed "=" sequence is kept literally. Line ends are kept as given.
std::string decode_quoted_printable(std::string_view text);

// Decodes a body for its encoding: base64 (lenient, base/base64.h), quoted-printable;
// 7bit, 8bit, binary and unknown encodings pass through unchanged.
std::string decode_body(std::string_view body, TransferEncoding encoding);

}  // namespace postamt::mime
