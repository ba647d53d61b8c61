// One API request (RFC 8620 §3.3-3.7): method calls in order, result references resolved
// against earlier responses, creation ids carried across calls, every method error as
// its error response. Runs on a store thread (blocking).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jmap/engine/services.h"
#include "mail/events.h"
#include "store/api/store.h"

namespace postamt::jmap {

struct ApiResult {
  int status = 200;
  std::string content_type;  // application/json or application/problem+json
  std::string body;
  std::vector<mail::DownloadEvent> downloads;  // to report once answered
};

// `credential` is what authenticated the request (call_context.h).
ApiResult process_api_request(const Services& services, const store::Account& account,
                              store::Credential credential, std::string_view body);

// The capabilities this server offers, in the session resource's order.
std::vector<std::string_view> server_capabilities();

}  // namespace postamt::jmap
