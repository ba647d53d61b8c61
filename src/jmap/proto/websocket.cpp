#include "jmap/proto/websocket.h"

#include <boost/json/serialize.hpp>

#include "jmap/proto/ijson.h"
#include "jmap/proto/push.h"

namespace postamt::jmap {
namespace {

WebSocketRequestError error(std::optional<std::string> id, std::string_view type,
                            std::string detail, std::string limit = {}) {
  return WebSocketRequestError{
      std::move(id), ProblemDetails{std::string(type), 400, std::move(detail), std::move(limit)}};
}

WebSocketRequestError not_request(std::optional<std::string> id, std::string detail) {
  return error(std::move(id), kProblemNotRequest,
               "The message is not a JMAP WebSocket message: " + std::move(detail));
}

std::string str(json::string_view s) {
  return std::string(s.data(), s.size());
}

WebSocketMessage push_enable(const json::object& root, std::optional<std::string> id) {
  WebSocketPushEnable out;
  if (const auto* types = root.if_contains("dataTypes"); types && !types->is_null()) {
    const auto* list = types->if_array();
    if (!list) return not_request(std::move(id), "\"dataTypes\" is not an array or null.");
    out.data_types.emplace();
    for (const auto& t : *list) {
      if (!t.is_string())
        return not_request(std::move(id), "\"dataTypes\" holds something other than strings.");
      out.data_types->push_back(str(t.get_string()));
    }
  }
  if (const auto* state = root.if_contains("pushState")) {
    if (!state->is_string()) return not_request(std::move(id), "\"pushState\" is not a string.");
    out.push_state = str(state->get_string());
  }
  return out;
}

}  // namespace

WebSocketMessage parse_websocket_message(std::string_view text, const RequestLimits& limits,
                                         std::span<const std::string_view> known_capabilities) {
  if (text.size() > limits.max_size_request) {
    return error(std::nullopt, kProblemLimit,
                 "The request is larger than " + std::to_string(limits.max_size_request) +
                     " octets, the most this server processes.",
                 "maxSizeRequest");
  }
  auto parsed = parse_ijson(text, limits.max_depth);
  if (!parsed)
    return error(std::nullopt, kProblemNotJson,
                 "The request is not I-JSON: " + parsed.error().message + ".");
  const auto* root = parsed->if_object();
  if (!root) return not_request(std::nullopt, "it is not a JSON object.");
  std::optional<std::string> id;
  const auto* id_value = root->if_contains("id");
  if (id_value && id_value->is_string()) id = str(id_value->get_string());
  const auto* type_value = root->if_contains("@type");
  const auto* type = type_value ? type_value->if_string() : nullptr;
  if (!type) return not_request(std::move(id), "\"@type\" is missing or not a string.");
  if (id_value && !id) return not_request(std::nullopt, "\"id\" is not a string.");
  if (*type == "Request") {
    auto request = parse_request_object(*root, limits, known_capabilities);
    if (auto* problem = std::get_if<ProblemDetails>(&request))
      return WebSocketRequestError{std::move(id), std::move(*problem)};
    return WebSocketRequest{std::move(id), std::get<Request>(std::move(request))};
  }
  if (*type == "WebSocketPushEnable") return push_enable(*root, std::move(id));
  if (*type == "WebSocketPushDisable") return WebSocketPushDisable{};
  return not_request(std::move(id), "unknown \"@type\" \"" + str(*type) + "\".");
}

std::string encode_websocket_response(
    const std::optional<std::string>& request_id, std::span<const Invocation> responses,
    std::string_view session_state,
    const std::optional<std::map<std::string, std::string>>& created_ids) {
  json::object o{{"@type", "Response"}};
  for (auto& [key, value] : response_object(responses, session_state, created_ids))
    o[key] = std::move(value);
  if (request_id) o["requestId"] = *request_id;
  return json::serialize(o);
}

std::string encode_websocket_problem(const std::optional<std::string>& request_id,
                                     const ProblemDetails& problem) {
  json::object o{{"@type", "RequestError"}};
  for (auto& [key, value] : problem.to_object()) o[key] = std::move(value);
  if (request_id) o["requestId"] = *request_id;
  return json::serialize(o);
}

std::string encode_websocket_state_change(
    std::string_view account_id, const std::vector<std::pair<std::string, std::string>>& states,
    std::string_view push_state) {
  json::object o = state_change(account_id, states);
  o["pushState"] = push_state;
  return json::serialize(o);
}

}  // namespace postamt::jmap
