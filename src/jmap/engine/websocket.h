// JMAP over WebSocket (RFC 8887): GET /jmap/ws, authenticated like every route
// (service.h, RFC 8887 §4.1), upgrades the connection and then runs it here.
//
// Handshake (RFC 6455 §4.2, http/websocket.h): a malformed one gets 400 (426 with
// "Sec-WebSocket-Version: 13" for another version); one with an Origin field naming
// neither the service's own origin (`base`: [http] base_url or the listener's scheme and
// the request's Host) nor one of [http] cors_origins gets 403 (RFC 6455 §10.2: a browser
// may send the credentials it remembers for this server from any page, so only pages of
// the service may use them); one that does not offer the "jmap"
// subprotocol gets 400 (RFC 8887 §4.2: without it no JMAP connection is established);
// an account holding Limits::max_websockets already gets 429 (problem type
// urn:ietf:params:jmap:error:limit, limit "maxWebSockets"). Otherwise 101 with Upgrade,
// Connection, Sec-WebSocket-Accept and "Sec-WebSocket-Protocol: jmap".
//
// Messages (RFC 8887 §4.3, jmap/proto/websocket.h), read one at a time in order:
//   - a Request runs as POST /jmap/api would (api.h) and is answered with a Response
//     carrying its id as requestId; the next message is read only once it is answered,
//     so requests on one WebSocket run one at a time, in order. Each holds one of the
//     account's maxConcurrentRequests places while it runs (shared with POST
//     /jmap/api); none free is a RequestError with limit "maxConcurrentRequests";
//   - a request-level error is a RequestError (the problem of RFC 8620 §3.6.1);
//   - WebSocketPushEnable starts (or changes) push: a StateChange with "pushState"
//     whenever a wanted type changes (state_changes.h, noticed as the event source
//     notices it: StoreWatch, else a store read every kStoreCheck). pushState is the
//     account state (standard.h); an enable carrying a pushState this server gave gets
//     the changes since then at once, one it cannot read gets a StateChange naming
//     Mailbox, Email and Thread (the wanted ones) at the current state, so the client
//     resynchronises. WebSocketPushDisable stops push.
// Frames: a binary message is closed with 1003; a Ping answered with a Pong; a
// protocol error fails the connection with the decoder's code (1002, 1007, 1009 for a
// message over Limits::max_websocket_message). The server pings after
// websocket_ping_interval without a frame from the client and closes (1001 "idle
// timeout") after websocket_idle_timeout without one. A Close from the client is
// answered with a Close carrying its code and the connection ends; a Close from the
// server (binary, idle, shutdown with 1001 "server shutting down", a failure) waits up
// to kCloseWait for the client's Close (RFC 6455 §7.1.1) and then ends it.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "http/message.h"
#include "jmap/engine/account_slots.h"
#include "jmap/engine/services.h"
#include "store/api/types.h"

namespace postamt::jmap {

// After the server's Close frame, how long it waits for the client's.
inline constexpr net::Duration kCloseWait = std::chrono::seconds(2);
// How long one frame may take to write before the connection is given up.
inline constexpr net::Duration kWebSocketWriteTimeout = std::chrono::seconds(60);

// The open WebSockets and API requests of each account, shared with service.cpp.
struct WebSocketSlots {
  std::shared_ptr<AccountSlots> sockets;  // bounded by Limits::max_websockets
  std::shared_ptr<AccountSlots> api;      // bounded by Limits::max_concurrent_requests
};

// Answers GET /jmap/ws for an authenticated account (see above). Runs on the
// connection's strand; `services` outlives the connection.
http::Response open_websocket(const Services& services, WebSocketSlots slots,
                              store::Account account, store::Credential credential,
                              const http::Request& request, std::string_view base);

}  // namespace postamt::jmap
