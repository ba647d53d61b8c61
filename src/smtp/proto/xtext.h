// xtext (RFC 3461 §4): the encoding of ENVID, ORCPT and AUTH= parameter values.
//
//   xtext   = *( xchar / hexchar )
//   xchar   = "!" .. "~" except "+" and "="
//   hexchar = "+" 2( DIGIT / "A".."F" )
//
// Pure functions, callable from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postamt::smtp::proto {

// Encodes any octets: xchars stay, every other octet becomes "+HH" (upper-case hex).
std::string xtext_encode(std::string_view raw);

// Decodes strictly: returns nullopt for a character outside xchar (space, control,
// "=", non-ASCII) or a "+" not followed by two upper-case hex digits. A "+HH" for an
// octet that could have been sent as itself ("+41") is accepted: RFC 3461 §4 only
// says SHOULD NOT.
std::optional<std::string> xtext_decode(std::string_view xtext);

}  // namespace postamt::smtp::proto
