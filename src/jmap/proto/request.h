// The JMAP API request and response objects (RFC 8620 §3.2-§3.4) and request-level
// errors (§3.6.1): the body of a POST to the API URL in, the response body out.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace postamt::jmap {

namespace json = boost::json;

// Capability URNs of RFC 8620 §9.4.6, RFC 8621 §10.1 and RFC 9007 §4.1.
inline constexpr std::string_view kCoreCapability = "urn:ietf:params:jmap:core";
inline constexpr std::string_view kMailCapability = "urn:ietf:params:jmap:mail";
inline constexpr std::string_view kSubmissionCapability = "urn:ietf:params:jmap:submission";
inline constexpr std::string_view kVacationCapability = "urn:ietf:params:jmap:vacationresponse";
inline constexpr std::string_view kMdnCapability = "urn:ietf:params:jmap:mdn";

// §3.2: a method call or a method response.
struct Invocation {
  std::string name;
  json::object arguments;
  std::string call_id;
};

// §3.3. Members the server does not know are ignored, as §3.3 requires.
struct Request {
  std::vector<std::string> capabilities;                          // "using"
  std::vector<Invocation> calls;                                  // "methodCalls"
  std::optional<std::map<std::string, std::string>> created_ids;  // "createdIds"
};

// The request limits of the core capability (§2: maxSizeRequest, maxCallsInRequest),
// plus the JSON nesting depth (§8.4). The session object advertises the first two.
struct RequestLimits {
  size_t max_size_request = 10'000'000;  // octets of the body
  size_t max_calls_in_request = 64;
  size_t max_depth = 64;  // arrays/objects nested in each other, the Request included
};

// Request-level problem types (§3.6.1).
inline constexpr std::string_view kProblemNotJson = "urn:ietf:params:jmap:error:notJSON";
inline constexpr std::string_view kProblemNotRequest = "urn:ietf:params:jmap:error:notRequest";
inline constexpr std::string_view kProblemUnknownCapability =
    "urn:ietf:params:jmap:error:unknownCapability";
inline constexpr std::string_view kProblemLimit = "urn:ietf:params:jmap:error:limit";

// RFC 8620 §3.6.1 request-level error (RFC 7807 problem details), sent with HTTP
// `status` and Content-Type application/problem+json.
struct ProblemDetails {
  std::string type;  // one of kProblem...
  int status = 400;
  std::string detail;  // plain words for a developer
  std::string limit;   // only for kProblemLimit: "maxSizeRequest", "maxCallsInRequest"
  // {"type":..,"status":..,"detail":..[,"limit":..]} in that order; "limit" only when
  // set.
  std::string to_json() const;
  json::object to_object() const;  // the same, as an object
};

// Parses the body of a POST to the API URL. Checks, in this order, and answers the
// first that fails:
//   1. limit "maxSizeRequest": body.size() > limits.max_size_request (equal is fine);
//   2. notJSON: the body is not I-JSON (ijson.h lists every rule; nesting deeper than
//      limits.max_depth is notJSON too);
//   3. notRequest: not an object; "using" missing or not an array of strings;
//      "methodCalls" missing or not an array of Invocations ([String, Object, String],
//      exactly 3 elements); "createdIds" present but neither null nor an object of
//      Id (§1.2) keys to Id values;
//   4. limit "maxCallsInRequest": more calls than limits.max_calls_in_request;
//   5. unknownCapability: the first entry of "using" not in `known_capabilities`.
// "createdIds": null is treated as absent. Other members are ignored (§3.3).
std::variant<Request, ProblemDetails> parse_request(
    std::string_view body, const RequestLimits& limits,
    std::span<const std::string_view> known_capabilities);

// Checks 3 (from "using" on) to 5 of parse_request on a JSON object already parsed, for
// a request that came inside another envelope (RFC 8887 §4.3.2, jmap/proto/websocket.h).
std::variant<Request, ProblemDetails> parse_request_object(
    const json::object& root, const RequestLimits& limits,
    std::span<const std::string_view> known_capabilities);

// The response object of §3.4 as bytes:
// {"methodResponses":[[name,arguments,callId],...],"sessionState":"..."
//  [,"createdIds":{...}]}; "createdIds" only when `created_ids` is set (§3.4: only
// returned if given in the request).
std::string encode_response(std::span<const Invocation> responses, std::string_view session_state,
                            const std::optional<std::map<std::string, std::string>>& created_ids);
// The same response object, before serialization.
json::object response_object(std::span<const Invocation> responses, std::string_view session_state,
                             const std::optional<std::map<std::string, std::string>>& created_ids);

}  // namespace postamt::jmap
