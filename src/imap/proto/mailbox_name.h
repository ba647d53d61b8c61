// Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3) for IMAP4rev1 clients,
// raw UTF-8 after ENABLE UTF8=ACCEPT / IMAP4rev2 (RFC 6855 §3, RFC 9051 §5.1).
// Inside Postamt every mailbox name is UTF-8; these functions convert at the edge.
// Pure functions, safe on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::imap::proto {

// How mailbox names are written by the peer on this connection.
enum class MailboxEncoding { modified_utf7, utf8 };

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Decodes the UTF-8 sequence at s[i] (requires i < s.size()): returns its code point and
// moves `i` past it, or -1 when no well-formed sequence starts there (`i` then
// unspecified).
int64_t next_code_point(std::string_view s, size_t& i);

// Decodes modified UTF-7 to UTF-8. Returns ErrorKind::invalid for 8-bit or control
// octets, a shift that is not closed by "-", bad base64, leftover non-zero bits, an
// unpaired surrogate, a base64 run that encodes printable US-ASCII, or two shifted runs
// with nothing between them ("-&" null shift).
Result<std::string> decode_mutf7(std::string_view wire);

// Encodes UTF-8 as modified UTF-7. Returns ErrorKind::invalid when `utf8` is not valid
// UTF-8.
Result<std::string> encode_mutf7(std::string_view utf8);

// Converts a mailbox argument (already unquoted) to Postamt's UTF-8 form: decodes
// modified UTF-7 or validates UTF-8, and maps any case variant of "INBOX" to "INBOX"
// (RFC 9051 §5.1: INBOX is case-insensitive). Errors as decode_mutf7 / is_valid_utf8.
Result<std::string> mailbox_from_wire(std::string_view wire, MailboxEncoding encoding);

// The inverse for responses: UTF-8 name -> wire text in `encoding`. Returns
// ErrorKind::invalid when `name` is not valid UTF-8.
Result<std::string> mailbox_to_wire(std::string_view name, MailboxEncoding encoding);

}  // namespace postamt::imap::proto
