#include "jmap/proto/request.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "jmap/proto/arguments.h"
#include "jmap/proto/ijson.h"

namespace postamt::jmap {
namespace {

ProblemDetails problem(std::string_view type, std::string detail, std::string limit = {}) {
  return ProblemDetails{std::string(type), 400, std::move(detail), std::move(limit)};
}

ProblemDetails not_request(std::string detail) {
  return problem(kProblemNotRequest, "The request is not a JMAP Request object: " + detail);
}

std::string str(json::string_view s) {
  return std::string(s.data(), s.size());
}

// §3.2: [String, String[*], String].
std::optional<Invocation> invocation(const json::value& v) {
  const auto* a = v.if_array();
  if (!a || a->size() != 3 || !(*a)[0].is_string() || !(*a)[1].is_object() ||
      !(*a)[2].is_string()) {
    return std::nullopt;
  }
  return Invocation{str((*a)[0].get_string()), (*a)[1].get_object(), str((*a)[2].get_string())};
}

}  // namespace

json::object ProblemDetails::to_object() const {
  json::object o;
  o["type"] = type;
  o["status"] = status;
  o["detail"] = detail;
  if (!limit.empty()) o["limit"] = limit;
  return o;
}

std::string ProblemDetails::to_json() const {
  return json::serialize(to_object());
}

std::variant<Request, ProblemDetails> parse_request(
    std::string_view body, const RequestLimits& limits,
    std::span<const std::string_view> known_capabilities) {
  if (body.size() > limits.max_size_request) {
    return problem(kProblemLimit,
                   "The request is larger than " + std::to_string(limits.max_size_request) +
                       " octets, the most this server processes.",
                   "maxSizeRequest");
  }
  auto parsed = parse_ijson(body, limits.max_depth);
  if (!parsed) {
    return problem(kProblemNotJson, "The request is not I-JSON: " + parsed.error().message + ".");
  }
  const auto* root = parsed->if_object();
  if (!root) return not_request("it is not a JSON object.");
  return parse_request_object(*root, limits, known_capabilities);
}

std::variant<Request, ProblemDetails> parse_request_object(
    const json::object& object, const RequestLimits& limits,
    std::span<const std::string_view> known_capabilities) {
  const json::object* root = &object;
  Request request;
  const auto* using_value = root->if_contains("using");
  const auto* using_array = using_value ? using_value->if_array() : nullptr;
  if (!using_array) return not_request("\"using\" is missing or not an array.");
  for (const auto& c : *using_array) {
    if (!c.is_string()) return not_request("\"using\" holds something other than strings.");
    request.capabilities.push_back(str(c.get_string()));
  }

  const auto* calls_value = root->if_contains("methodCalls");
  const auto* calls = calls_value ? calls_value->if_array() : nullptr;
  if (!calls) return not_request("\"methodCalls\" is missing or not an array.");
  request.calls.reserve(std::min(calls->size(), limits.max_calls_in_request));
  for (size_t i = 0; i < calls->size(); ++i) {
    auto call = invocation((*calls)[i]);
    if (!call) {
      return not_request("method call " + std::to_string(i) +
                         " is not an array of a name, an arguments object and a call id.");
    }
    request.calls.push_back(std::move(*call));
  }

  if (const auto* ids = root->if_contains("createdIds"); ids && !ids->is_null()) {
    const auto* map = ids->if_object();
    if (!map) return not_request("\"createdIds\" is not an object.");
    request.created_ids.emplace();
    for (const auto& [key, value] : *map) {
      // §3.3: "Id[Id]".
      if (!is_valid_id(key) || !value.is_string() || !is_valid_id(value.get_string())) {
        return not_request("\"createdIds\" maps something other than an Id to an Id.");
      }
      request.created_ids->emplace(str(key), str(value.get_string()));
    }
  }

  if (request.calls.size() > limits.max_calls_in_request) {
    return problem(kProblemLimit,
                   "The request has " + std::to_string(request.calls.size()) +
                       " method calls; this server processes at most " +
                       std::to_string(limits.max_calls_in_request) + ".",
                   "maxCallsInRequest");
  }
  for (const auto& c : request.capabilities) {
    if (std::find(known_capabilities.begin(), known_capabilities.end(), c) ==
        known_capabilities.end()) {
      return problem(kProblemUnknownCapability, "The request uses the capability \"" + c +
                                                    "\", which this server does not support.");
    }
  }
  return request;
}

json::object response_object(std::span<const Invocation> responses, std::string_view session_state,
                             const std::optional<std::map<std::string, std::string>>& created_ids) {
  json::array list;
  list.reserve(responses.size());
  for (const auto& r : responses) {
    json::array invocation;
    invocation.reserve(3);
    invocation.emplace_back(r.name);
    invocation.emplace_back(r.arguments);
    invocation.emplace_back(r.call_id);
    list.emplace_back(std::move(invocation));
  }
  json::object o;
  o["methodResponses"] = std::move(list);
  o["sessionState"] = session_state;
  if (created_ids) {
    json::object ids;
    for (const auto& [creation_id, id] : *created_ids) ids[creation_id] = id;
    o["createdIds"] = std::move(ids);
  }
  return o;
}

std::string encode_response(std::span<const Invocation> responses, std::string_view session_state,
                            const std::optional<std::map<std::string, std::string>>& created_ids) {
  return json::serialize(response_object(responses, session_state, created_ids));
}

}  // namespace postamt::jmap
