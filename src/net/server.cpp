// Listeners, sessions, connection limits and shutdown.
#include "net/server.h"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/strings.h"
#include "metrics/catalog.h"
#include "net/asio_detail.h"
#include "net/runtime.h"

namespace postamt::net {

using asio::experimental::awaitable_operators::operator||;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// Pause after accept() fails for lack of descriptors, so the loop does not spin.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

struct Listener {
  Listener(std::string s, TlsMode m, Handler h, tcp::acceptor a)
      : service(std::move(s)), mode(m), handler(std::move(h)), acceptor(std::move(a)) {}
  std::string service;
  TlsMode mode;
  Handler handler;
  tcp::acceptor acceptor;  // touched only on its own strand
};

void log_exception(std::string_view what, std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    log::error("master", "{}: {}", what, e.what());
  } catch (...) {
    log::error("master", "{}: non-standard exception", what);
  }
}

Result<tcp::endpoint> parse_host_port(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return Error{ErrorKind::invalid, fmt::format("bad listen address '{}'", text)};
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return Error{ErrorKind::invalid, fmt::format("listen address '{}' has no port", text)};
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  auto port = parse_u64(port_text);
  if (!port || *port > 65535)
    return Error{ErrorKind::invalid, fmt::format("bad port in listen address '{}'", text)};
  std::string host_text = iequals(host, "localhost") ? "127.0.0.1" : std::string(host);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host_text, ec);
  if (ec)
    return Error{ErrorKind::invalid,
                 fmt::format("listen host '{}' is not an address literal", host)};
  return tcp::endpoint(address, static_cast<uint16_t>(*port));
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(Runtime& r, Limits l, std::shared_ptr<TlsContext> t)
      : io(r.io_context()), limits(l), tls(std::move(t)), drained(io, 1) {}

  struct Session {
    std::shared_ptr<SessionControl> control;
    std::string remote_address;
    std::string service;
    Admission admission;
  };
  using SessionList = std::list<Session>;

  asio::io_context& io;
  Limits limits;
  std::shared_ptr<TlsContext> tls;

  mutable std::mutex mutex;  // guards everything below
  bool stopping = false;
  std::vector<std::shared_ptr<Listener>> listeners;
  SessionList sessions;
  std::unordered_map<std::string, size_t> per_ip;       // admitted sessions per address
  std::unordered_map<std::string, size_t> per_service;  // admitted sessions per service
  size_t admitted = 0;
  size_t refusing = 0;
  // Signalled (thread-safely) when the last session ends during stop().
  asio::experimental::concurrent_channel<void(boost::system::error_code)> drained;

  void close_listeners();
  void for_each_session(void (*action)(SessionControl&));
  void session_ended(SessionList::iterator it);
};

void Server::Impl::close_listeners() {
  std::vector<std::shared_ptr<Listener>> copy;
  {
    std::lock_guard lock(mutex);
    copy = listeners;
  }
  for (auto& listener : copy) {
    asio::post(listener->acceptor.get_executor(), [listener] {
      boost::system::error_code ignored;
      listener->acceptor.close(ignored);
    });
  }
}

void Server::Impl::for_each_session(void (*action)(SessionControl&)) {
  std::vector<std::shared_ptr<SessionControl>> controls;
  {
    std::lock_guard lock(mutex);
    for (auto& s : sessions) controls.push_back(s.control);
  }
  for (auto& control : controls) {
    asio::post(control->strand, [control, action] { action(*control); });
  }
}

void Server::Impl::session_ended(SessionList::iterator it) {
  std::lock_guard lock(mutex);
  if (it->admission == Admission::accepted) {
    auto count = per_ip.find(it->remote_address);
    if (count != per_ip.end() && --count->second == 0) per_ip.erase(count);
    auto service = per_service.find(it->service);
    if (service != per_service.end() && --service->second == 0) per_service.erase(service);
    --admitted;
  } else {
    --refusing;
  }
  metrics::catalog().open_connections.with({it->service}).add(-1);
  sessions.erase(it);
  if (stopping && sessions.empty()) drained.try_send(boost::system::error_code{});
}

namespace {

// Ends the session's bookkeeping however the coroutine frame goes away (return,
// exception, or destruction of a never-resumed frame when the runtime is torn down).
class SessionGuard {
 public:
  SessionGuard(std::shared_ptr<Server::Impl> impl, Server::Impl::SessionList::iterator it)
      : impl_(std::move(impl)), it_(it) {}
  ~SessionGuard() { impl_->session_ended(it_); }
  SessionGuard(const SessionGuard&) = delete;
  SessionGuard& operator=(const SessionGuard&) = delete;

 private:
  std::shared_ptr<Server::Impl> impl_;
  Server::Impl::SessionList::iterator it_;
};

awaitable<void> run_session(std::shared_ptr<Server::Impl> impl, std::shared_ptr<Listener> listener,
                            tcp::socket socket, Server::Impl::SessionList::iterator it,
                            Endpoint remote, Endpoint local) {
  SessionGuard guard(impl, it);
  const Admission admission = it->admission;
  auto connection =
      std::make_unique<TcpConnection>(std::move(socket), remote, local, impl->tls, it->control);
  if (admission != Admission::accepted) {
    connection->refuse_reads();
  } else if (listener->mode == TlsMode::implicit) {
    auto handshake = co_await connection->start_tls(impl->limits.handshake_timeout);
    if (!handshake) {
      log::info(listener->service, "TLS handshake failed from {}: {}", remote.to_string(),
                handshake.error().message);
      co_return;
    }
  }
  try {
    // Refused connections are counted by accept_loop, not as sessions.
    std::optional<metrics::GaugeHold> open;
    if (admission == Admission::accepted) {
      metrics::catalog().sessions.with({listener->service}).inc();
      open.emplace(metrics::catalog().open_sessions.with({listener->service}));
    }
    // Built in its own statement: g++ 12 destroys a brace-initialized temporary
    // inside a co_await expression twice.
    SessionContext context{listener->service, admission};
    auto session = listener->handler(std::move(connection), std::move(context));
    co_await std::move(session);
  } catch (const std::exception& e) {
    log::error(listener->service, "session with {} failed: {}", remote.to_string(), e.what());
  }
}

awaitable<void> accept_loop(std::shared_ptr<Server::Impl> impl,
                            std::shared_ptr<Listener> listener) {
  for (;;) {
    auto strand = asio::make_strand(impl->io);
    auto [ec, socket] = co_await listener->acceptor.async_accept(strand, kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !listener->acceptor.is_open()) co_return;
      log::warning("master", "accept on {} failed: {}", listener->service, ec.message());
      asio::steady_timer pause(co_await asio::this_coro::executor, kAcceptBackoff);
      co_await pause.async_wait(kTuple);
      continue;
    }
    boost::system::error_code endpoint_error;
    auto remote_endpoint = socket.remote_endpoint(endpoint_error);
    auto local_endpoint = socket.local_endpoint(endpoint_error);
    if (endpoint_error) continue;  // the peer is already gone
    Endpoint remote = to_endpoint(remote_endpoint);
    Endpoint local = to_endpoint(local_endpoint);

    Server::Impl::SessionList::iterator it;
    {
      std::lock_guard lock(impl->mutex);
      if (impl->stopping) co_return;
      Admission admission = Admission::accepted;
      if (impl->admitted >= impl->limits.max_connections) {
        admission = Admission::too_many_total;
      } else if (auto found = impl->per_service.find(listener->service);
                 found != impl->per_service.end() &&
                 found->second >= impl->limits.max_connections_per_service) {
        admission = Admission::too_many_for_service;
      } else if (auto found = impl->per_ip.find(remote.address);
                 found != impl->per_ip.end() &&
                 found->second >= impl->limits.max_connections_per_ip) {
        admission = Admission::too_many_from_ip;
      }
      metrics::catalog()
          .connections
          .with({listener->service, admission == Admission::accepted ? "accepted" : "refused"})
          .inc();
      if (admission != Admission::accepted &&
          (listener->mode == TlsMode::implicit ||
           impl->refusing >= impl->limits.max_refusals_in_flight)) {
        log::info("master", "{}: closed connection from {}: too many connections",
                  listener->service, remote.to_string());
        continue;  // the socket closes as it goes out of scope
      }
      if (admission == Admission::accepted) {
        ++impl->per_ip[remote.address];
        ++impl->per_service[listener->service];
        ++impl->admitted;
      } else {
        ++impl->refusing;
      }
      impl->sessions.push_back(
          {std::make_shared<SessionControl>(strand), remote.address, listener->service, admission});
      metrics::catalog().open_connections.with({listener->service}).add(1);
      it = std::prev(impl->sessions.end());
    }
    asio::co_spawn(
        strand,
        run_session(impl, listener, std::move(socket), it, std::move(remote), std::move(local)),
        [](std::exception_ptr failure) { log_exception("session", failure); });
  }
}

// Waits until no session is left or `limit` passes; returns how many are left.
awaitable<size_t> wait_until_drained(std::shared_ptr<Server::Impl> impl, Duration limit) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline_after(limit));
  for (;;) {
    {
      std::lock_guard lock(impl->mutex);
      if (impl->sessions.empty()) co_return 0;
    }
    auto done = co_await (impl->drained.async_receive(kTuple) || timer.async_wait(kTuple));
    if (done.index() == 1) {
      std::lock_guard lock(impl->mutex);
      co_return impl->sessions.size();
    }
  }
}

}  // namespace

Server::Server(Runtime& runtime, Limits limits, std::shared_ptr<TlsContext> tls)
    : impl_(std::make_shared<Impl>(runtime, limits, std::move(tls))) {}

Server::~Server() {
  impl_->close_listeners();
}

Result<ListeningSocket> ListeningSocket::bind(std::string_view host_port) {
  auto endpoint = parse_host_port(host_port);
  if (!endpoint) return endpoint.error();
  auto failed = [&](int error) {
    return Error{ErrorKind::io,
                 fmt::format("cannot listen on {}: {}", host_port, std::strerror(error))};
  };
  const bool v6 = endpoint->address().is_v6();
  // Plain POSIX calls: no io_context exists yet when serve binds (docs/process.md).
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return failed(errno);
  ListeningSocket socket(fd, Endpoint{}, v6);
  const int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) return failed(errno);
  if (v6 && ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) return failed(errno);
  if (::bind(fd, endpoint->data(), static_cast<socklen_t>(endpoint->size())) != 0)
    return failed(errno);
  if (::listen(fd, SOMAXCONN) != 0) return failed(errno);
  tcp::endpoint bound;
  socklen_t length = static_cast<socklen_t>(bound.capacity());
  if (::getsockname(fd, bound.data(), &length) != 0) return failed(errno);
  bound.resize(length);
  socket.endpoint_ = to_endpoint(bound);
  return socket;
}

ListeningSocket::ListeningSocket(ListeningSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), endpoint_(std::move(other.endpoint_)), v6_(other.v6_) {}

ListeningSocket& ListeningSocket::operator=(ListeningSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    endpoint_ = std::move(other.endpoint_);
    v6_ = other.v6_;
  }
  return *this;
}

ListeningSocket::~ListeningSocket() {
  if (fd_ >= 0) ::close(fd_);
}

int ListeningSocket::release() {
  return std::exchange(fd_, -1);
}

Result<Endpoint> Server::add_listener(std::string service, std::string_view host_port, TlsMode mode,
                                      Handler handler) {
  if (mode == TlsMode::implicit && !impl_->tls)
    return Error{ErrorKind::invalid, "implicit TLS listener without a certificate"};
  if (!handler) return Error{ErrorKind::invalid, "listener without a handler"};
  auto socket = ListeningSocket::bind(host_port);
  if (!socket) return socket.error();
  return add_listener(std::move(service), std::move(*socket), mode, std::move(handler));
}

Result<Endpoint> Server::add_listener(std::string service, ListeningSocket socket, TlsMode mode,
                                      Handler handler) {
  if (mode == TlsMode::implicit && !impl_->tls)
    return Error{ErrorKind::invalid, "implicit TLS listener without a certificate"};
  if (!handler) return Error{ErrorKind::invalid, "listener without a handler"};
  Endpoint bound = socket.endpoint();
  const bool v6 = socket.is_v6();
  tcp::acceptor acceptor(asio::make_strand(impl_->io));
  boost::system::error_code ec;
  int fd = socket.release();
  acceptor.assign(v6 ? tcp::v6() : tcp::v4(), fd, ec);
  if (ec) {
    ::close(fd);
    return Error{ErrorKind::io,
                 fmt::format("cannot listen on {}: {}", bound.to_string(), ec.message())};
  }

  auto listener =
      std::make_shared<Listener>(std::move(service), mode, std::move(handler), std::move(acceptor));
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping) return Error{ErrorKind::closed, "server is stopping"};
    impl_->listeners.push_back(listener);
  }
  log::info("master", "listening: {} {}", listener->service, bound.to_string());
  auto executor = listener->acceptor.get_executor();
  asio::co_spawn(executor, accept_loop(impl_, listener),
                 [](std::exception_ptr failure) { log_exception("accept loop", failure); });
  return bound;
}

size_t Server::session_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->sessions.size();
}

awaitable<size_t> Server::stop(Duration grace) {
  auto impl = impl_;
  {
    std::lock_guard lock(impl->mutex);
    if (impl->stopping) co_return impl->sessions.size();
    impl->stopping = true;
  }
  impl->close_listeners();
  impl->for_each_session([](SessionControl& control) {
    control.shutdown_requested = true;
    if (control.connection) control.connection->request_shutdown();
  });

  if (co_await wait_until_drained(impl, grace) == 0) co_return 0;
  log::info("master", "closing {} sessions that did not finish in time", session_count());
  impl->for_each_session([](SessionControl& control) {
    control.force_closed = true;
    if (control.connection) control.connection->close();
  });
  co_return co_await wait_until_drained(impl, impl->limits.force_close_wait);
}

}  // namespace postamt::net
