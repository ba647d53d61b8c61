// The byte-level pieces of writing an RFC 5322 / MIME message for Email/set create
// (RFC 8621 §4.6): folding, RFC 2047 and RFC 2231 encoding, quoted-printable and base64
// bodies. Internal to postamt_jmap_email.
//
// Threads: pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

namespace postamt::jmap {

// RFC 5322 §2.2.3 / §2.1.1: "Name:" + value + CRLF, folded before spaces so that lines
// stay within 78 octets where the value has spaces to fold at. `value` starts with the
// space after the colon, as written. Values that already contain line ends (raw forms
// with their own folding) are written as they are.
std::string header_line(std::string_view name, std::string_view value);

// An unstructured value (Subject, a Text form): printable ASCII as is, anything else as
// RFC 2047 UTF-8 words (§2: at most 75 octets each). Control characters become spaces.
std::string encode_unstructured(std::string_view utf8);

// A parameter `; name="value"` for Content-Type: quoted ASCII, or RFC 2047 words inside
// the quotes for non-ASCII (what most readers expect for the "name" parameter).
std::string content_type_name_param(std::string_view name, std::string_view value);

// A parameter `; name="value"` or the RFC 2231 §4 form `; name*=utf-8''%XX..` for
// non-ASCII values (Content-Disposition filename).
std::string rfc2231_param(std::string_view name, std::string_view value);

// Quoted-printable (RFC 2045 §6.7) of text whose line ends are CRLF: soft line breaks
// keep lines within 76 octets; line ends stay hard breaks.
std::string encode_quoted_printable(std::string_view crlf_text);

// Base64 (RFC 2045 §6.8) in lines of 76 characters, each ended by CRLF.
std::string encode_base64_lines(std::string_view bytes);

// Every LF, CR and CRLF as CRLF.
std::string to_crlf(std::string_view text);

// True when every octet is 7-bit, not NUL, line ends are CRLF only and no line is longer
// than 998 octets (RFC 5322 §2.1.1, RFC 2045 §2.7): the body can go as 7bit.
bool is_seven_bit_clean(std::string_view bytes);

}  // namespace postamt::jmap
