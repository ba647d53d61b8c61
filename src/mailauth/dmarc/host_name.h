// Internal to postamt_dmarc: domain names as DMARC compares them. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::dmarc {

// A domain as a lower-case A-label host name without a final dot (RFC 7489 §6.6.1: a
// UTF-8 domain is converted to an A-label, RFC 5891). Errors (invalid): empty, not
// convertible, or not letters/digits/hyphens in labels of 1-63 octets, 253 in all.
Result<std::string> to_a_label(std::string_view domain);

// Lower-case, without a final dot; no other check.
std::string normalize(std::string_view domain);

}  // namespace postamt::dmarc
