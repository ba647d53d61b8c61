// The real Connection: TCP sockets, optionally TLS, each operation raced against a
// deadline timer with per-operation cancellation (so a timeout never disturbs the other
// direction's pending operation). Also the outbound connect() and resolve().
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>

#include "base/log.h"
#include "net/asio_detail.h"
#include "net/server.h"

namespace postamt::net {

using asio::experimental::awaitable_operators::operator||;
namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct ReadRace {
  std::size_t n = 0;
  boost::system::error_code ec;
  bool timer_first = false;
};

// One read against the deadline timer, reporting both: bytes that arrived in the same
// round as the deadline are kept (see read_some).
template <class Stream>
awaitable<ReadRace> read_or_deadline(Stream& stream, asio::mutable_buffer target,
                                     asio::steady_timer& timer) {
  auto group = asio::experimental::make_parallel_group(
      stream.async_read_some(target, asio::deferred), timer.async_wait(asio::deferred));
  auto wait = group.async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  auto [order, ec, n, timer_ec] = co_await std::move(wait);
  (void)timer_ec;
  co_return ReadRace{n, ec, order[0] == 1};
}

// RFC 8460 §4.3 result type for an X509 verification error.
std::string verification_failure_type(long verify_result) {
  switch (verify_result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "certificate-host-mismatch";
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "certificate-expired";
    case X509_V_ERR_DANE_NO_MATCH:
      return "tlsa-invalid";  // §4.3.2.1: no record of the RRset was found valid
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
      return "certificate-not-trusted";
    default:
      return "validation-failure";
  }
}

// Sets the reference names and, for DANE, the TLSA records on a client SSL before the
// handshake (Connection::start_tls_client, PeerAuthentication).
Result<void> apply_peer_check(SSL* ssl, const PeerCheck& check) {
  if (check.how == PeerAuthentication::none) return {};
  // RFC 6125 §6.4.3 / RFC 8461 §4.2: a wildcard is a whole left-most label only.
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (check.how == PeerAuthentication::pkix) {
    boost::system::error_code not_ip;
    asio::ip::make_address(check.names.front(), not_ip);
    if (!not_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), check.names.front().c_str());
      return {};
    }
    for (const std::string& name : check.names)
      if (SSL_add1_host(ssl, name.c_str()) != 1)
        return Error{ErrorKind::invalid, fmt::format("bad reference name \"{}\"", name)};
    return {};
  }
  // DANE: the first name is the TLSA base domain and the first reference identifier
  // (RFC 7672 §3.2.2); SSL_dane_enable needs SSL_CTX_dane_enable on the context
  // (TlsClientContext::create does that).
  if (SSL_dane_enable(ssl, check.names.front().c_str()) <= 0)
    return Error{ErrorKind::internal, "cannot enable DANE on the connection"};
  for (size_t i = 1; i < check.names.size(); ++i)
    if (SSL_add1_host(ssl, check.names[i].c_str()) != 1)
      return Error{ErrorKind::invalid, fmt::format("bad reference name \"{}\"", check.names[i])};
  // RFC 7672 §3.1.1: with DANE-EE(3) the names in the certificate do not matter.
  SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
  size_t usable = 0;
  for (const TlsaAssociation& r : check.tlsa) {
    // RFC 7672 §3.1.3: PKIX-TA(0) and PKIX-EE(1) are not usable for SMTP.
    if (r.usage != 2 && r.usage != 3) continue;
    int added =
        SSL_dane_tlsa_add(ssl, r.usage, r.selector, r.matching_type,
                          reinterpret_cast<const unsigned char*>(r.data.data()), r.data.size());
    if (added > 0) ++usable;  // 0: unusable (unknown selector or matching type, bad length)
  }
  if (usable == 0) return Error{ErrorKind::invalid, "no usable TLSA record"};
  return {};
}
}  // namespace

Endpoint to_endpoint(const tcp::endpoint& endpoint) {
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return Endpoint{address.to_string(), endpoint.port()};
}

TcpConnection::TcpConnection(tcp::socket socket, Endpoint remote, Endpoint local,
                             std::shared_ptr<TlsContext> server_tls,
                             std::shared_ptr<SessionControl> control)
    : Connection(std::move(remote), std::move(local)),
      socket_(std::move(socket)),
      server_tls_(std::move(server_tls)),
      control_(std::move(control)),
      read_timer_(socket_.get_executor()),
      write_timer_(socket_.get_executor()) {
  // Mail protocols interleave short commands and replies; Nagle only adds latency.
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  if (control_) {
    control_->connection = this;
    shutdown_ = control_->shutdown_requested;
    if (control_->force_closed) close();
  }
}

TcpConnection::~TcpConnection() {
  if (control_) control_->connection = nullptr;
  close();  // with close_notify when TLS is up
}

Error TcpConnection::map_error(const boost::system::error_code& ec, std::string_view what) const {
  if (closed_) return Error{ErrorKind::closed, "connection closed"};
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated ||
      ec == asio::error::not_connected || ec == asio::error::bad_descriptor)
    return Error{ErrorKind::closed, "connection closed by peer"};
  return Error{ErrorKind::io, fmt::format("{} failed: {}", what, ec.message())};
}

awaitable<Result<size_t>> TcpConnection::read_some(std::span<char> buffer, Duration timeout) {
  if (closed_) co_return Error{ErrorKind::closed, "connection closed"};
  if (refused_) co_return Error{ErrorKind::limit, "too many connections"};
  if (shutdown_) co_return Error{ErrorKind::closed, "server shutting down"};
  if (buffer.empty()) co_return Error{ErrorKind::invalid, "read_some needs a buffer"};
  read_timer_.expires_at(deadline_after(timeout));
  auto target = asio::buffer(buffer.data(), buffer.size());
  // A parallel group, not `||`: when the timer and the read complete in the same round,
  // `||` would throw the read's bytes away (lost input, e.g. an IMAP "DONE" arriving as
  // an IDLE poll interval ends). The group reports both results; bytes always win.
  ReadRace race;
  if (tls_) {
    auto racing = read_or_deadline(*tls_, target, read_timer_);
    race = co_await std::move(racing);
  } else {
    auto racing = read_or_deadline(socket_, target, read_timer_);
    race = co_await std::move(racing);
  }
  auto [n, read_ec, timer_first] = race;
  if (n > 0) co_return n;
  if (timer_first) {
    if (shutdown_) co_return Error{ErrorKind::closed, "server shutting down"};
    if (closed_) co_return Error{ErrorKind::closed, "connection closed"};
    co_return Error{ErrorKind::timeout, "read timed out"};
  }
  if (read_ec) {
    if (shutdown_ && read_ec == asio::error::operation_aborted)
      co_return Error{ErrorKind::closed, "server shutting down"};
    co_return map_error(read_ec, "read");
  }
  co_return n;
}

awaitable<Result<void>> TcpConnection::write(std::string_view data, Duration timeout) {
  if (closed_) co_return Error{ErrorKind::closed, "connection closed"};
  if (data.empty()) co_return Result<void>{};
  write_timer_.expires_at(deadline_after(timeout));
  auto buffer = asio::buffer(data.data(), data.size());
  std::variant<std::tuple<boost::system::error_code, size_t>, std::tuple<boost::system::error_code>>
      done;
  if (tls_)
    done = co_await (asio::async_write(*tls_, buffer, kTuple) || write_timer_.async_wait(kTuple));
  else
    done = co_await (asio::async_write(socket_, buffer, kTuple) || write_timer_.async_wait(kTuple));
  if (done.index() == 1) {
    if (closed_) co_return Error{ErrorKind::closed, "connection closed"};
    co_return Error{ErrorKind::timeout, "write timed out"};
  }
  auto [ec, n] = std::get<0>(done);
  if (ec) co_return map_error(ec, "write");
  co_return Result<void>{};
}

awaitable<Result<void>> TcpConnection::handshake(TlsStream::handshake_type type, Duration timeout) {
  read_timer_.expires_at(deadline_after(timeout));
  auto done = co_await (tls_->async_handshake(type, kTuple) || read_timer_.async_wait(kTuple));
  if (done.index() == 1) {
    if (shutdown_) co_return Error{ErrorKind::closed, "server shutting down"};
    if (closed_) co_return Error{ErrorKind::closed, "connection closed"};
    co_return Error{ErrorKind::timeout, "TLS handshake timed out"};
  }
  auto [ec] = std::get<0>(done);
  if (ec) {
    SSL* ssl = tls_->native_handle();
    long verify_result = SSL_get_verify_result(ssl);
    if (type == TlsStream::client && verify_result != X509_V_OK) {
      tls_failure_ = verification_failure_type(verify_result);
      // The DANE case in the words an operator reads in `postamt queue show`.
      if (verify_result == X509_V_ERR_DANE_NO_MATCH)
        co_return Error{ErrorKind::permission, "certificate does not match the TLSA records"};
      co_return Error{ErrorKind::permission,
                      fmt::format("certificate verification failed: {}",
                                  X509_verify_cert_error_string(verify_result))};
    }
    if (type == TlsStream::client) tls_failure_ = "validation-failure";
    co_return map_error(ec, "TLS handshake");
  }
  SSL* ssl = tls_->native_handle();
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  tls_info_ = TlsInfo{SSL_get_version(ssl),
                      cipher ? SSL_CIPHER_get_name(cipher) : "",
                      cipher ? SSL_CIPHER_get_bits(cipher, nullptr) : 0,
                      {}};
  co_return Result<void>{};
}

awaitable<Result<void>> TcpConnection::start_tls(Duration timeout) {
  if (closed_) co_return Error{ErrorKind::closed, "connection closed"};
  if (tls_) co_return Error{ErrorKind::invalid, "TLS is already active"};
  if (!server_tls_) co_return Error{ErrorKind::invalid, "no TLS certificate configured"};
  auto state = server_tls_->current();
  tls_ = std::make_unique<TlsStream>(std::move(socket_), state->context);
  tls_owner_ = state;
  co_return co_await handshake(TlsStream::server, timeout);
}

awaitable<Result<void>> TcpConnection::start_tls_client(
    std::shared_ptr<const TlsClientContext> context, std::string server_name, Duration timeout,
    PeerCheck check) {
  if (closed_) co_return Error{ErrorKind::closed, "connection closed"};
  if (tls_) co_return Error{ErrorKind::invalid, "TLS is already active"};
  if (!context) co_return Error{ErrorKind::invalid, "no TLS client context"};
  if (check.how == PeerAuthentication::context) {
    check.how = context->verify() == TlsVerify::verify ? PeerAuthentication::pkix
                                                       : PeerAuthentication::none;
    if (!server_name.empty()) check.names = {server_name};
  }
  if (check.how != PeerAuthentication::none && check.names.empty())
    co_return Error{ErrorKind::invalid, "verification needs a name"};
  auto state = context->state();
  tls_ = std::make_unique<TlsStream>(std::move(socket_), state->context);
  tls_owner_ = state;
  SSL* ssl = tls_->native_handle();
  // SNI carries host names only, never address literals (RFC 6066 §3).
  boost::system::error_code parse_error;
  asio::ip::make_address(server_name, parse_error);
  if (parse_error && !server_name.empty()) SSL_set_tlsext_host_name(ssl, server_name.c_str());
  auto applied = apply_peer_check(ssl, check);
  if (!applied) co_return applied.error();
  bool checked = check.how != PeerAuthentication::none;
  tls_->set_verify_mode(checked && check.enforce ? asio::ssl::verify_peer : asio::ssl::verify_none);
  auto done = co_await handshake(TlsStream::client, timeout);
  // With verify_none OpenSSL still verifies and keeps the result (report-only checks).
  if (done && checked && !check.enforce) {
    long verify_result = SSL_get_verify_result(ssl);
    if (verify_result != X509_V_OK)
      tls_info_->check_failure = verification_failure_type(verify_result);
  }
  co_return done;
}

void TcpConnection::send_close_notify() {
  if (!tls_ || !tls_info_) return;  // no TLS, or the handshake never finished
  // RFC 8446 §6.1 (RFC 5246 §7.2.1): each side sends close_notify before closing its
  // write side, or the peer cannot tell the end of the data from a truncation attack
  // ("unexpected eof"). The peer's close_notify is not awaited (it may never come): the
  // shutdown is marked as received so that SSL_shutdown completes after sending ours,
  // and the socket is made non-blocking so that a peer that reads nothing cannot hold
  // this thread; then the alert is simply not sent.
  boost::system::error_code ignored;
  tls_->next_layer().non_blocking(true, ignored);
  SSL_set_shutdown(tls_->native_handle(),
                   SSL_get_shutdown(tls_->native_handle()) | SSL_RECEIVED_SHUTDOWN);
  tls_->shutdown(ignored);
}

void TcpConnection::close() {
  if (closed_) return;
  closed_ = true;
  // A forced close (Server::stop after the grace period) may interrupt a pending read
  // on the stream: no TLS record is written then.
  if (!control_ || !control_->force_closed) send_close_notify();
  boost::system::error_code ignored;
  auto& socket = tls_ ? tls_->next_layer() : socket_;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  read_timer_.cancel();
  write_timer_.cancel();
}

void TcpConnection::request_shutdown() {
  shutdown_ = true;
  // Completes the timer branch of a pending read, which then reports "shutting down".
  read_timer_.cancel();
}

namespace {

// Resolves host:port before `timer` expires (the caller awaits at once, so the timer
// outlives the call).
awaitable<Result<tcp::resolver::results_type>> resolve_endpoints(std::string host, uint16_t port,
                                                                 asio::steady_timer& timer) {
  tcp::resolver resolver(timer.get_executor());
  auto resolved = co_await (resolver.async_resolve(host, std::to_string(port), kTuple) ||
                            timer.async_wait(kTuple));
  if (resolved.index() == 1) co_return Error{ErrorKind::timeout, "resolving timed out"};
  auto [resolve_error, endpoints] = std::get<0>(resolved);
  if (resolve_error || endpoints.empty())
    co_return Error{ErrorKind::not_found, fmt::format("cannot resolve {}", host)};
  co_return endpoints;
}

}  // namespace

awaitable<Result<std::vector<std::string>>> resolve(std::string host, uint16_t port,
                                                    Duration timeout) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, deadline_after(timeout));
  auto endpoints = co_await resolve_endpoints(host, port, timer);
  if (!endpoints) co_return endpoints.error();
  std::vector<std::string> out;
  for (const auto& entry : *endpoints) {
    std::string address = entry.endpoint().address().to_string();
    if (std::find(out.begin(), out.end(), address) == out.end()) out.push_back(std::move(address));
  }
  co_return out;
}

awaitable<Result<std::unique_ptr<Connection>>> connect(std::string host, uint16_t port,
                                                       Duration timeout) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, deadline_after(timeout));
  auto resolved = co_await resolve_endpoints(host, port, timer);
  if (!resolved) co_return resolved.error();
  tcp::resolver::results_type endpoints = std::move(*resolved);
  tcp::socket socket(executor);
  auto connected =
      co_await (asio::async_connect(socket, endpoints, kTuple) || timer.async_wait(kTuple));
  if (connected.index() == 1) co_return Error{ErrorKind::timeout, "connect timed out"};
  auto [connect_error, endpoint] = std::get<0>(connected);
  if (connect_error)
    co_return Error{ErrorKind::io, fmt::format("connect to {} port {} failed: {}", host, port,
                                               connect_error.message())};
  boost::system::error_code ec;
  auto local = socket.local_endpoint(ec);
  if (ec) co_return Error{ErrorKind::io, fmt::format("connect failed: {}", ec.message())};
  co_return std::unique_ptr<Connection>(std::make_unique<TcpConnection>(
      std::move(socket), to_endpoint(endpoint), to_endpoint(local), nullptr, nullptr));
}

}  // namespace postamt::net
