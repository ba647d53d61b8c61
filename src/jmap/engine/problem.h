// The HTTP responses of the JMAP service that carry RFC 7807 problem details (RFC 8620
// §3.6.1): Content-Type application/problem+json, {"type","status","detail"[,"limit"]}.
// Used by every route (service.h, event_source.h, websocket.h).
#pragma once

#include <string_view>

#include "http/message.h"

namespace postamt::jmap {

// "limit" only when not empty (the name of the limit hit, e.g. "maxEventStreams").
http::Response problem(int status, std::string_view type, std::string_view detail,
                       std::string_view limit = {});

}  // namespace postamt::jmap
