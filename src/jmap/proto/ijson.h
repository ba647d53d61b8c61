// Strict I-JSON parsing (RFC 7493), the only way JMAP input becomes a json::value
// (RFC 8620 §1.5: everything a client sends MUST be valid I-JSON).
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <string_view>

#include "base/result.h"

namespace postamt::jmap {

namespace json = boost::json;

// The nesting depth parse_ijson allows unless told otherwise (RFC 8620 §8.4: a parser
// must bound its resources).
inline constexpr size_t kDefaultMaxJsonDepth = 64;

// The largest magnitude of an integer I-JSON can carry exactly (RFC 7493 §2.2): 2^53-1.
inline constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

// Parses `text` as one I-JSON value. Beyond plain JSON (RFC 8259; no comments, no
// trailing commas, nothing after the value but whitespace) it rejects:
//   - bytes that are not UTF-8, escapes that are lone surrogates (RFC 7493 §2.1);
//   - strings and member names holding noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF;
//     RFC 7493 §2.1);
//   - an object with two members of the same name (RFC 7493 §2.3);
//   - an integer literal (no fraction, no exponent) outside ±(2^53-1), and any number
//     too large for a double (1e400) (RFC 7493 §2.2);
//   - arrays and objects nested deeper than `max_depth` (`max_depth` levels are fine).
// On failure: ErrorKind::limit for the depth, ErrorKind::invalid otherwise, with a
// message in plain words for the client ("duplicate member name \"a\"").
Result<json::value> parse_ijson(std::string_view text, size_t max_depth = kDefaultMaxJsonDepth);

}  // namespace postamt::jmap
