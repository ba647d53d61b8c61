// DKIM canonicalization (RFC 6376 §3.4) and the header/body split it works on. Pure
// functions over bytes, no I/O; shared by DKIM signing, DKIM verification and ARC.
//
// Input is a message with CRLF line ends (as it travels over SMTP). A bare LF or CR is
// an ordinary byte here: it neither ends a line nor a header field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postamt::dkim {

enum class Canon { simple, relaxed };

// One header field as it appears in the message.
//   name: the field name as written (case preserved, without trailing WSP before ':');
//         empty for a line that has no colon (it matches no h= entry)
//   raw:  the whole field: "Name: value\r\n" with every continuation line and the final
//         CRLF (no CRLF only when the message ends inside the header without one)
// Both view into the message passed to split_header; they live as long as it does.
struct HeaderField {
  std::string_view name;
  std::string_view raw;
};

// Splits the header of `message` into fields, in message order. The header ends at the
// first empty line (CRLF CRLF) or at the end of the message. A line starting with SP or
// HTAB continues the field before it; one at the very start of the message is a field
// of its own with an empty name.
std::vector<HeaderField> split_header(std::string_view message);

// The body: everything after the CRLF CRLF that ends the header; empty when there is no
// such line.
std::string_view body_of(std::string_view message);

// The canonical form of one raw header field (as in HeaderField::raw).
//   simple  (§3.4.1): the bytes unchanged.
//   relaxed (§3.4.2): name lower-cased, unfolded, WSP runs reduced to one SP, WSP at the
//           end of the value and around the colon removed; output "name:value\r\n".
// The result always ends with CRLF: a field given without one gets it added, so that a
// header-less signature field (the DKIM-Signature itself, §3.7) can be passed as is and
// the caller removes the final CRLF.
std::string canonicalize_header(std::string_view field, Canon canon);

// The canonical form of a message body (§3.4.3, §3.4.4); cutting to the l= length is the
// caller's job (it applies to this output).
//   simple:  trailing empty lines removed; an empty body, or one not ending in CRLF,
//            gets a CRLF (so an empty body is "\r\n").
//   relaxed: WSP at line ends removed, WSP runs inside lines reduced to one SP, trailing
//            empty lines removed, a missing final CRLF added; an empty body stays empty.
std::string canonicalize_body(std::string_view body, Canon canon);

}  // namespace postamt::dkim
