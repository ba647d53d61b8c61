// The HTTP/1.1 session (RFC 9112): reads requests from a net::Connection, hands each to
// an http::Handler, writes the responses. Keep-alive and pipelining (requests are
// answered in order), chunked request bodies, Expect: 100-continue. Beast lives in
// server.cpp only (docs/architecture.md, Build time).
//
// Every response gets the security headers (docs/protocols/jmap.md, HTTP): Cache-Control
// "no-store" unless the handler set Cache-Control, X-Content-Type-Options "nosniff",
// Referrer-Policy "no-referrer", and on text/html a strict Content-Security-Policy
// unless the handler set one; Strict-Transport-Security over TLS. CORS is off unless
// origins are configured: then requests from those origins get the
// Access-Control-Allow-* fields and the session answers their preflight (OPTIONS) itself.
//
// Errors the session answers itself, without calling the handler: 400 for a malformed
// request, 431 for a head over max_header_bytes, 413 for a body over the handler's
// body_limit, 408 when a started request is not complete within request_timeout, 505
// for a version other than HTTP/1.x, 503 for a connection refused by the server's
// connection limits (net::Admission). After 400/408/413/431 the connection closes.
//
// A handler's 101 response (Response::upgrade, message.h) is written with its own
// Connection field and no framing fields; the connection then belongs to the upgraded
// protocol, which gets the octets already read past the request, and the session ends
// when it returns. A 101 to an HTTP/1.0 request, a 101 without an upgraded protocol or
// one with another status is the handler's failure (500).
//
// One access-log line per request (service as in SessionContext):
//   <remote> "<METHOD> <path> HTTP/1.1" <status> <body bytes> user=<log_user or ->
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "http/message.h"
#include "net/server.h"

namespace postamt::http {

// Named limits (docs/architecture.md, Limits); [http] in the configuration.
struct Limits {
  size_t max_header_bytes = 16 * 1024;  // request line and header fields together
  // From the first octet of a request to its last.
  net::Duration request_timeout = std::chrono::seconds(30);
  // How long a kept-alive connection may wait for its next request.
  net::Duration idle_timeout = std::chrono::seconds(60);
  net::Duration write_timeout = std::chrono::seconds(60);
};

struct Services {
  Handler* handler = nullptr;  // outlives every session
  Limits limits;
  // Origins ("https://mail.example.org") allowed to call from a browser page served
  // elsewhere; empty = CORS off.
  std::vector<std::string> cors_origins;
  // The wall clock for the Date field (RFC 9110 §6.6.1); empty = system_clock::now.
  // Injected so that tests can compare whole responses (docs/architecture.md, Tests).
  std::function<std::chrono::system_clock::time_point()> wall_clock;
};

// Serves one connection until the peer closes it, a limit closes it, or the server
// shuts down. `services` outlives the session.
net::awaitable<void> run_session(net::Connection& connection, net::SessionContext context,
                                 const Services* services);

}  // namespace postamt::http
