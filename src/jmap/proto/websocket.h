// The messages of the JMAP WebSocket subprotocol (RFC 8887 §4.3) as values: what a
// client's text message holds (a Request, WebSocketPushEnable or WebSocketPushDisable),
// and the server's Response, RequestError and StateChange objects. No I/O; the engine
// (jmap/engine/websocket.h) runs the connection, the frames are http/websocket.h's.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "jmap/proto/request.h"

namespace postamt::jmap {

// The capability of the session resource (RFC 8887 §3).
inline constexpr std::string_view kWebSocketCapability = "urn:ietf:params:jmap:websocket";
// The subprotocol name of the handshake (RFC 8887 §4.2).
inline constexpr std::string_view kWebSocketProtocol = "jmap";

// §4.3.2: a Request object with "@type":"Request" and an optional "id".
struct WebSocketRequest {
  std::optional<std::string> id;
  Request request;
};

// §4.3.5.2. dataTypes null (or absent) = every type.
struct WebSocketPushEnable {
  std::optional<std::vector<std::string>> data_types;
  std::optional<std::string> push_state;
};

// §4.3.5.3.
struct WebSocketPushDisable {};

// §4.3.4: a request-level error to answer, with the request's id when it had a usable one.
struct WebSocketRequestError {
  std::optional<std::string> request_id;
  ProblemDetails problem;
};

using WebSocketMessage = std::variant<WebSocketRequest, WebSocketPushEnable, WebSocketPushDisable,
                                      WebSocketRequestError>;

// Reads one text message of a client. Checks, in this order, and answers the first that
// fails as a WebSocketRequestError:
//   1. limit "maxSizeRequest": text.size() > limits.max_size_request;
//   2. notJSON: not I-JSON (ijson.h);
//   3. notRequest: not an object; "@type" missing, not a string, or none of "Request",
//      "WebSocketPushEnable", "WebSocketPushDisable"; "id" present but not a string;
//   4. for a Request: the checks of parse_request_object (request.h), with the id;
//   5. for WebSocketPushEnable: notRequest when "dataTypes" is neither null nor an array
//      of strings, or "pushState" is present and not a string.
// An error carries the message's "id" as its requestId whenever the message is a JSON
// object whose "id" is a string (§4.3.4: "MUST be returned if given in the request").
// Other members are ignored (RFC 8620 §3.3).
WebSocketMessage parse_websocket_message(std::string_view text, const RequestLimits& limits,
                                         std::span<const std::string_view> known_capabilities);

// §4.3.3: the Response object (request.h response_object) with "@type":"Response" first
// and "requestId" last when the request had an id.
std::string encode_websocket_response(
    const std::optional<std::string>& request_id, std::span<const Invocation> responses,
    std::string_view session_state,
    const std::optional<std::map<std::string, std::string>>& created_ids);

// §4.3.4: {"@type":"RequestError", <the problem's members>[, "requestId":..]}.
std::string encode_websocket_problem(const std::optional<std::string>& request_id,
                                     const ProblemDetails& problem);

// §4.3.5.1: a StateChange (push.h state_change) with "pushState".
std::string encode_websocket_state_change(
    std::string_view account_id, const std::vector<std::pair<std::string, std::string>>& states,
    std::string_view push_state);

}  // namespace postamt::jmap
