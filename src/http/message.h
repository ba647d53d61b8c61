// HTTP/1.1 requests and responses as plain values: what the HTTP session (server.h)
// hands to a Handler and what it sends back. No Beast or Asio types appear here, so the
// engines above (JMAP, the webmail) compile without them (docs/architecture.md, Build
// time).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/connection_trust.h"
#include "net/connection.h"

namespace postamt::http {

struct Header {
  std::string name;  // as sent ("Content-Type")
  std::string value;
};

struct Request {
  std::string method;  // "GET", "POST", ... as sent (case-sensitive, RFC 9110 §9.1)
  std::string target;  // request-target as sent: "/jmap/api?x=1"
  std::string path;    // target up to '?', not percent-decoded: "/jmap/api"
  std::string query;   // after '?', not decoded; "" when absent
  std::vector<Header> headers;
  std::string body;       // de-chunked; at most the body limit the handler chose
  unsigned version = 11;  // 10 * major + minor: 10 (HTTP/1.0) or 11 (HTTP/1.1)

  // The value of the first field called `name` (ASCII case-insensitive), nullopt when
  // absent.
  std::optional<std::string_view> header(std::string_view name) const;
};

// A response body produced piece by piece (EventSource, RFC 8620 §7.3): the session sends
// it with chunked transfer coding and calls next() until it returns nullopt, the peer
// goes away, or the server shuts down. next() runs on the connection's strand; it may
// wait (for a change, for the ping interval), but must return within `max_wait` so that
// the session can notice shutdown.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  virtual net::awaitable<std::optional<std::string>> next(net::Duration max_wait) = 0;
};

// A protocol the connection switches to after a 101 response (RFC 9110 §7.8, §15.2.2):
// the WebSocket binding of JMAP (jmap/engine/websocket.h). The session writes the 101,
// logs it, calls run(), and closes the connection when run() returns; nothing HTTP
// happens on the connection after that.
class Upgraded {
 public:
  virtual ~Upgraded() = default;
  // Owns the connection until it returns. `already_read`: octets the HTTP session had
  // read past the end of the request (a client may send its first frames right after
  // its handshake); they come before anything read_some returns. Runs on the
  // connection's strand. Must notice Connection::shutdown_requested() (reads then fail
  // with ErrorKind::closed) and return promptly after saying goodbye. Exceptions are
  // logged and end the connection.
  virtual net::awaitable<void> run(net::Connection& connection, std::string already_read) = 0;
};

struct Response {
  int status = 200;
  // Content-Type and anything specific to the response. The session adds Date,
  // Content-Length or Transfer-Encoding, Connection, and the security headers
  // (server.h) itself.
  std::vector<Header> headers;
  std::string body;
  // When set, `body` is ignored and the body comes from the stream; the connection
  // closes after it.
  std::unique_ptr<BodyStream> stream;
  // Set exactly when status is 101: the protocol the connection switches to. The
  // session adds no Content-Length and keeps the handler's Connection field.
  std::unique_ptr<Upgraded> upgrade;
  // Who made the request, for the access log only (never sent): the account's address
  // once authenticated, "" otherwise.
  std::string log_user;

  // Adds a field.
  Response& with(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
    return *this;
  }
};

// What a handler knows about the connection a request came on.
struct Peer {
  net::Endpoint remote;
  std::string service;  // the [listen] key: "http" or "https"
  ConnectionTrust trust;
};

// The application behind the HTTP session (the JMAP engine, later the webmail). Called
// once per request, in order, on the connection's strand.
class Handler {
 public:
  virtual ~Handler() = default;
  // How many body octets this request may carry, decided from its head (method, path,
  // headers; `body` is still empty). A larger body is refused with 413 before it is
  // read.
  virtual size_t body_limit(const Request& head) const = 0;
  // Answers one request. Exceptions are logged and become a 500.
  virtual net::awaitable<Response> handle(Request request, Peer peer) = 0;
};

}  // namespace postamt::http
