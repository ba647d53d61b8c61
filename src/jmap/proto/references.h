// Result references (RFC 8620 §3.7): arguments taken from earlier responses of the same
// request, addressed by a JSON Pointer (RFC 6901) with JMAP's "*" extension.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jmap/proto/errors.h"
#include "jmap/proto/request.h"

namespace postamt::jmap {

// Resolves every "#name" member of `arguments` against `responses` (the responses so
// far, in order). Each value must be a ResultReference {"resultOf": String, "name":
// String, "path": String}; the first response whose call id equals resultOf must have
// the method name `name`, and `path` must evaluate on its arguments (evaluate_pointer).
// On success "#name" is replaced by "name" holding the value, and nullopt is returned.
// Errors, with `arguments` left unchanged:
//   invalidArguments        when both "name" and "#name" are present (checked first,
//                           for every member);
//   invalidResultReference  for anything else that fails (not an object, a missing or
//                           non-string member, no such call id, another method name,
//                           a path that does not evaluate).
std::optional<MethodError> resolve_result_references(json::object& arguments,
                                                     std::span<const Invocation> responses);

// Evaluates a JSON Pointer (RFC 6901 §4) on `root`: "" is root itself; otherwise each
// "/"-separated token (with "~1" -> "/" and "~0" -> "~") names an object member or an
// array index ("0" or no leading zero, below the size; "-" never evaluates). On an array
// the token "*" applies the rest of the pointer to every item and returns the results
// in order in a new array, splicing in the items of results that are arrays (§3.7). On
// an object "*" is an ordinary member name. nullopt when any step fails, including for
// any one item under "*", and for a malformed pointer (no leading "/", "~" not followed
// by 0 or 1).
std::optional<json::value> evaluate_pointer(const json::value& root, std::string_view pointer);

// The reference tokens of `pointer`, unescaped: "" gives none, "/a~1b/" gives "a/b"
// and "". nullopt when `pointer` is neither "" nor starts with "/", or has a "~" not
// followed by "0" or "1". Shared by evaluate_pointer and apply_patch.
std::optional<std::vector<std::string>> pointer_tokens(std::string_view pointer);

}  // namespace postamt::jmap
