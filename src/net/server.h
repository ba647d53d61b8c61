// Server: listening sockets, per-connection sessions, connection limits and a clean
// shutdown. Asio stays in server.cpp.
//
// Each accepted connection runs as its own coroutine on its own strand; the handler
// owns the Connection and the session ends when the handler returns.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/connection.h"
#include "net/tls.h"

namespace postamt::net {

class Runtime;

enum class TlsMode {
  plain,     // plaintext; the protocol may upgrade with STARTTLS (Connection::start_tls)
  implicit,  // TLS handshake before the handler runs (ports 465, 993, 995; RFC 8314)
};

// Named limits (docs/architecture.md, Limits). All counts are per Server.
struct Limits {
  size_t max_connections_per_ip = 20;  // over all listeners
  // Per service name (add_listener's `service`: "smtp", "imap", "imaps", ...), so that
  // clients of one service cannot take the connections another one needs (the MX must
  // stay reachable while IMAP is flooded).
  size_t max_connections_per_service = 500;
  size_t max_connections = 4000;  // over all listeners
  // Refused connections being told "too many" at the same time; beyond this, new
  // connections are closed without a word.
  size_t max_refusals_in_flight = 64;
  Duration handshake_timeout = std::chrono::seconds(30);
  // After Server::stop's grace period, sessions are force-closed and waited for this
  // much longer.
  Duration force_close_wait = std::chrono::seconds(1);
};

// Why a connection was let in or not. Over a limit, the handler still runs, so that
// each protocol can send its own one-line refusal (SMTP "421 4.7.0", POP3 "-ERR",
// IMAP "* BYE") and return at once. For such a connection reads fail immediately with
// ErrorKind::limit; writes work. It does not count toward the limits. On an implicit
// TLS listener, refused connections are closed without a handshake or a handler call
// (a handshake is exactly the cost the limit protects against).
enum class Admission { accepted, too_many_from_ip, too_many_for_service, too_many_total };

struct SessionContext {
  std::string service;  // as given to add_listener, e.g. "smtpd", "imap"
  Admission admission = Admission::accepted;
};

// A TCP socket bound and listening, not yet accepting: what `serve` makes while it may
// still bind ports below 1024, before it drops its privileges and before any thread
// exists (docs/process.md). Connections that arrive meanwhile wait in the kernel's
// backlog. Move-only; closes the socket unless handed to Server::add_listener.
class ListeningSocket {
 public:
  // Binds "host:port" (host: an IPv4 literal, "[IPv6]" literal or "localhost"; port 0
  // picks a free port) with SO_REUSEADDR (and IPV6_V6ONLY for IPv6) and listens.
  static Result<ListeningSocket> bind(std::string_view host_port);

  ListeningSocket(ListeningSocket&& other) noexcept;
  ListeningSocket& operator=(ListeningSocket&& other) noexcept;
  ~ListeningSocket();

  const Endpoint& endpoint() const { return endpoint_; }  // as bound (port 0 resolved)
  bool is_v6() const { return v6_; }
  // Hands the descriptor over; the ListeningSocket is empty afterwards.
  int release();

 private:
  ListeningSocket(int fd, Endpoint endpoint, bool v6)
      : fd_(fd), endpoint_(std::move(endpoint)), v6_(v6) {}
  int fd_ = -1;
  Endpoint endpoint_;
  bool v6_ = false;
};

// Called once per connection on the connection's strand. Take arguments by value and
// do not capture state in a coroutine lambda (docs/architecture.md, Threads and coroutines): pass a
// free function or a lambda that forwards to one. Exceptions are logged and swallowed.
using Handler = std::function<awaitable<void>(std::unique_ptr<Connection>, SessionContext)>;

class Server {
 public:
  // `tls` may be null when no implicit listener is added; STARTTLS then fails with
  // ErrorKind::invalid. The Runtime must outlive the Server.
  Server(Runtime& runtime, Limits limits, std::shared_ptr<TlsContext> tls);
  // Closes the listening sockets. Live sessions keep running; call stop() first for an
  // orderly end.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds "host:port" (host: an IPv4 literal, "[IPv6]" literal or "localhost"; port 0
  // picks a free port), starts accepting, and logs (service "master")
  //   listening: <service> <address>:<port>
  // Returns the bound endpoint. Errors: ErrorKind::invalid for a bad address or an
  // implicit listener without a TlsContext, ErrorKind::io when binding fails (in use,
  // no permission), ErrorKind::closed after stop(). Any thread.
  Result<Endpoint> add_listener(std::string service, std::string_view host_port, TlsMode mode,
                                Handler handler);
  // The same with a socket bound earlier (ListeningSocket::bind), e.g. before the
  // process gave up the right to bind it. Logs the same line; the Server owns the socket
  // from now on, also when this fails.
  Result<Endpoint> add_listener(std::string service, ListeningSocket socket, TlsMode mode,
                                Handler handler);

  // Stops accepting at once, then asks every session to finish: shutdown_requested()
  // turns true and a pending or later read returns ErrorKind::closed (writes still
  // work, for a goodbye). After `grace`, remaining sessions are force-closed (their
  // reads and writes fail) and awaited for Limits::force_close_wait. Returns the number
  // of sessions still alive then (0 = clean). Call once, from a coroutine on the
  // runtime that is not itself a session.
  awaitable<size_t> stop(Duration grace);

  // Sessions currently alive (handler not yet returned), including refusals.
  size_t session_count() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// Opens a TCP connection to host:port (host: a name or an address literal; all
// addresses are tried in order) within `timeout` for resolving plus connecting.
// Runs on the calling coroutine's executor. Errors: ErrorKind::not_found when the
// name does not resolve, ErrorKind::timeout, ErrorKind::io (refused, unreachable).
awaitable<Result<std::unique_ptr<Connection>>> connect(std::string host, uint16_t port,
                                                       Duration timeout);

// The addresses `host` (a name or an address literal) resolves to, in the resolver's
// order, numeric ("192.0.2.1", "2001:db8::1"), duplicates dropped. Callers that must
// vet the address before connecting (SSRF, http/client.h) resolve here and then
// connect() to the literal they chose, so that no second lookup can answer differently.
// Errors: ErrorKind::not_found, ErrorKind::timeout.
awaitable<Result<std::vector<std::string>>> resolve(std::string host, uint16_t port,
                                                    Duration timeout);

}  // namespace postamt::net
