// What a DKIM signature covers (RFC 6376 §3.7, §5.4.2): the pieces signing and
// verification share, and ARC's AMS and AS (RFC 8617 §4.1) reuse. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dkim/canon.h"

namespace postamt::dkim {

// §5.4.2: for each name of `names` (an h= list, any case) the last field of that name not
// yet taken, searching from the bottom of the header up; a name with no field left
// selects nothing (that is how a name listed more often than present, "oversigning",
// keeps fields from being added later). Returned in `names` order.
std::vector<std::string_view> select_signed_fields(const std::vector<HeaderField>& fields,
                                                   const std::vector<std::string>& names);

// The raw signature field (e.g. "DKIM-Signature: ...; b=abc\r\n") with the b= tag's value
// removed (§3.5 b=: "treated as an empty string"), and without its final CRLF (§3.7).
// ErrorKind::invalid when the value is not a tag list or has no b= tag.
Result<std::string> without_b_value(std::string_view raw_field);

// The header data the signature is computed over (§3.7 step 2): every selected field
// canonicalized with `canon`, then `signature_field` (from without_b_value) canonicalized
// without its final CRLF.
std::string header_hash_input(const std::vector<HeaderField>& fields,
                              const std::vector<std::string>& names, Canon canon,
                              std::string_view signature_field);

// The body hash bh= (§3.7 step 1) of an already canonicalized body, cut to `length`
// octets when given. ErrorKind::invalid when `length` is larger than the canonical body
// (§3.5 l=: "MUST NOT be larger than the actual number of octets").
Result<std::string> body_hash(std::string_view canonical_body, std::optional<uint64_t> length);

}  // namespace postamt::dkim
