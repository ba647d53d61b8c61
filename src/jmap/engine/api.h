// One API request (RFC 8620 §3.3-3.7): method calls in order, result references resolved
// against earlier responses, creation ids carried across calls, every method error as
// its error response. Runs on a store thread (blocking). Used by POST /jmap/api
// (service.h) and by JMAP over WebSocket (websocket.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jmap/engine/services.h"
#include "jmap/proto/request.h"
#include "mail/events.h"
#include "store/api/store.h"

namespace postamt::jmap {

struct ApiResult {
  int status = 200;
  std::string content_type;  // application/json or application/problem+json
  std::string body;
  std::vector<mail::DownloadEvent> downloads;  // to report once answered
};

// The body of a POST to the API URL, parsed, run and encoded: 200 with the Response
// object, or the request-level problem (§3.6.1) with its status.
// `credential` is what authenticated the request (call_context.h).
ApiResult process_api_request(const Services& services, const store::Account& account,
                              store::Credential credential, std::string_view body);

// What running the calls of a parsed request gave (the Response object's parts).
struct ApiOutcome {
  std::vector<Invocation> responses;
  std::optional<std::map<std::string, std::string>> created_ids;  // set when the request's was
  std::string session_state;
  std::vector<mail::DownloadEvent> downloads;  // to report once answered
};

// Runs the calls of `request` (parsed by parse_request or, over a WebSocket, by
// parse_websocket_message). Method errors are responses, never exceptions.
ApiOutcome run_api_request(const Services& services, const store::Account& account,
                           store::Credential credential, Request request);

// The request limits of parse_request, from the service's.
RequestLimits request_limits(const Services& services);

// The capabilities this server offers, in the session resource's order.
std::vector<std::string_view> server_capabilities();

}  // namespace postamt::jmap
