// Typed readers for method arguments (RFC 8620 §1.2-§1.4, §3.5), PatchObjects (§5.3)
// and dates, with one error vocabulary: a wrong type is invalidArguments naming the
// argument (§3.9).
//
// Every reader returns Parsed<T>, a Result (base/result.h) whose error is a MethodError:
//
//   auto limit = uint_arg(args, "limit");
//   if (!limit) return limit.error();       // invalidArguments, {"arguments":["limit"]}
//   uint64_t n = limit->value_or(0);        // nullopt: absent or null
//
// `presence` says what absent and null mean:
//   Presence::nullable (default): absent or null -> nullopt (§3.5: null is the default
//                                 of a type that allows it);
//   Presence::optional: absent -> nullopt, null -> invalidArguments (the type has a
//                       non-null default);
//   Presence::required: absent or null -> invalidArguments.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "jmap/proto/errors.h"

namespace postamt::jmap {

template <class T>
using Parsed = Result<std::optional<T>, MethodError>;

enum class Presence { nullable, optional, required };

// §1.2: 1-255 octets of A-Z a-z 0-9 "-" "_".
bool is_valid_id(std::string_view id);

Parsed<std::string> string_arg(const json::object& args, std::string_view name,
                               Presence presence = Presence::nullable);
Parsed<std::string> id_arg(const json::object& args, std::string_view name,
                           Presence presence = Presence::nullable);
// UnsignedInt (§1.3): 0..2^53-1. A number written with a fraction or exponent counts
// when its value is a whole number in range (1e3 is 1000; 1.5 is not an UnsignedInt).
Parsed<uint64_t> uint_arg(const json::object& args, std::string_view name,
                          Presence presence = Presence::nullable);
// Int (§1.3): -2^53+1..2^53-1, whole numbers as for uint_arg.
Parsed<int64_t> int_arg(const json::object& args, std::string_view name,
                        Presence presence = Presence::nullable);
Parsed<bool> bool_arg(const json::object& args, std::string_view name,
                      Presence presence = Presence::nullable);
// Id[]: every element a valid Id.
Parsed<std::vector<std::string>> id_list_arg(const json::object& args, std::string_view name,
                                             Presence presence = Presence::nullable);
// String[].
Parsed<std::vector<std::string>> string_list_arg(const json::object& args, std::string_view name,
                                                 Presence presence = Presence::nullable);
// Any JSON object (a filter, a "create" map, a PatchObject), copied.
Parsed<json::object> object_arg(const json::object& args, std::string_view name,
                                Presence presence = Presence::nullable);

// §5.3 PatchObject: each key is a JSON Pointer without its leading "/"; its value is set
// at that place in `target`, or, when null, the member is removed (a no-op when absent;
// the engine substitutes a property's default itself where one is defined). Returns
// SetError invalidPatch, with `target` unchanged, when a key has a bad "~" escape, a
// part before the last does not exist or is not an object (this also keeps patches out
// of arrays), or one key's tokens are a prefix of another's ("a" and "a/b").
std::optional<SetError> apply_patch(json::object& target, const json::object& patch);

// Date and UTCDate (§1.4): RFC 3339 date-time with upper-case "T" and "Z", and
// "time-secfrac" present only when not zero (".000" is refused, ".5" is fine and is
// dropped: the result is whole seconds since 1970-01-01T00:00:00Z, rounded down).
// Years 0000-9999; days checked against the month (leap years included); second 60
// (RFC 3339 §5.7 leap second) is accepted and counts as the next minute's second 0.
// UTCDate: the offset must be "Z".
std::optional<int64_t> parse_utc_date(std::string_view text);
// Date: "Z" or "+hh:mm"/"-hh:mm" (hours 00-23, minutes 00-59), folded into UTC.
std::optional<int64_t> parse_date(std::string_view text);
// "YYYY-MM-DDThh:mm:ssZ". Seconds outside years 0000-9999 are clamped to the first or
// last second of that range.
std::string format_utc_date(int64_t seconds);

}  // namespace postamt::jmap
