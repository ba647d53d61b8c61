// PRIVATE to src/net: the heavy Asio/OpenSSL side of the connection interface.
// Included only by tcp.cpp, server.cpp, tls.cpp and runtime.cpp — never by a public
// header and never outside this folder (docs/architecture.md, Build time).
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <memory>
#include <optional>

#include "net/connection.h"
#include "net/tls.h"

namespace postamt::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;

namespace detail {

struct ServerTlsState {
  explicit ServerTlsState(asio::ssl::context c) : context(std::move(c)) {}
  asio::ssl::context context;
};

struct ClientTlsState {
  explicit ClientTlsState(asio::ssl::context c) : context(std::move(c)) {}
  asio::ssl::context context;
};

}  // namespace detail

class TcpConnection;

// Shared between the Server's session list and one accepted connection. Every field
// is touched only on `strand`.
struct SessionControl {
  explicit SessionControl(Strand s) : strand(std::move(s)) {}
  Strand strand;
  TcpConnection* connection = nullptr;  // null before creation and after destruction
  bool shutdown_requested = false;
  bool force_closed = false;
};

// A TCP socket, optionally upgraded to TLS. All operations run on the socket's
// executor (a strand for accepted connections).
class TcpConnection final : public Connection {
 public:
  // `server_tls` (may be null) is used by start_tls; `control` (may be null, e.g. for
  // outbound connections) links the connection to the Server for shutdown.
  TcpConnection(tcp::socket socket, Endpoint remote, Endpoint local,
                std::shared_ptr<TlsContext> server_tls, std::shared_ptr<SessionControl> control);
  ~TcpConnection() override;

  awaitable<Result<size_t>> read_some(std::span<char> buffer, Duration timeout) override;
  awaitable<Result<void>> write(std::string_view data, Duration timeout) override;
  awaitable<Result<void>> start_tls(Duration timeout) override;
  awaitable<Result<void>> start_tls_client(std::shared_ptr<const TlsClientContext> context,
                                           std::string server_name, Duration timeout,
                                           PeerCheck check) override;
  std::string tls_failure() const override { return tls_failure_; }
  bool is_tls() const override { return tls_ != nullptr; }
  std::optional<TlsInfo> tls_info() const override { return tls_info_; }
  bool shutdown_requested() const override { return shutdown_; }
  void close() override;

  // Server side, on the strand: wake a pending read with ErrorKind::closed and make
  // later reads fail the same way.
  void request_shutdown();
  // Reads fail with ErrorKind::limit (the connection is over a connection limit).
  void refuse_reads() { refused_ = true; }

 private:
  using TlsStream = asio::ssl::stream<tcp::socket>;
  awaitable<Result<void>> handshake(TlsStream::handshake_type type, Duration timeout);
  // Writes the TLS close_notify alert if it can without waiting (close()).
  void send_close_notify();
  Error map_error(const boost::system::error_code& ec, std::string_view what) const;

  tcp::socket socket_;  // moved into tls_ on upgrade
  std::unique_ptr<TlsStream> tls_;
  std::shared_ptr<void> tls_owner_;  // keeps the SSL_CTX wrapper alive with the stream
  std::shared_ptr<TlsContext> server_tls_;
  std::shared_ptr<SessionControl> control_;
  asio::steady_timer read_timer_;
  asio::steady_timer write_timer_;
  std::optional<TlsInfo> tls_info_;
  std::string tls_failure_;
  bool shutdown_ = false;
  bool refused_ = false;
  bool closed_ = false;
};

// Numeric endpoint of an Asio endpoint ("::ffff:1.2.3.4" is shown as "1.2.3.4").
Endpoint to_endpoint(const tcp::endpoint& endpoint);

}  // namespace postamt::net
