#include "net/testing/memory_connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstring>

namespace postamt::net::testing {

struct MemoryConnection::Waiter {
  explicit Waiter(boost::asio::any_io_executor executor) : timer(std::move(executor)) {}
  boost::asio::steady_timer timer;
};

MemoryConnection::MemoryConnection(MemoryConnectionOptions options)
    : Connection(options.remote, options.local), options_(std::move(options)) {}

MemoryConnection::~MemoryConnection() = default;

void MemoryConnection::wake() {
  if (waiter_) waiter_->timer.cancel();
}

void MemoryConnection::feed(std::string_view bytes) {
  if (!bytes.empty()) input_.emplace_back(std::string(bytes));
  wake();
}

void MemoryConnection::feed_in_pieces(std::string_view bytes, size_t piece) {
  piece = std::max<size_t>(piece, 1);
  for (size_t off = 0; off < bytes.size(); off += piece) feed(bytes.substr(off, piece));
}

void MemoryConnection::feed_tls_boundary() {
  input_.emplace_back(TlsBoundary{});
  wake();
}

void MemoryConnection::feed_script(std::string_view bytes, size_t piece) {
  if (piece)
    feed_in_pieces(bytes, piece);
  else
    feed(bytes);
  feed_eof();
}

void MemoryConnection::feed_eof() {
  eof_ = true;
  wake();
}

void MemoryConnection::request_shutdown() {
  shutdown_ = true;
  wake();
}

std::string MemoryConnection::take_written() {
  std::string out;
  out.swap(written_);
  return out;
}

void MemoryConnection::close() {
  closed_ = true;
  wake();
}

awaitable<Result<size_t>> MemoryConnection::read_some(std::span<char> buffer, Duration timeout) {
  if (buffer.empty()) co_return Error{ErrorKind::invalid, "read_some needs a buffer"};
  auto deadline = deadline_after(timeout);
  for (;;) {
    if (closed_) co_return Error{ErrorKind::closed, "connection closed"};
    if (shutdown_) co_return Error{ErrorKind::closed, "server shutting down"};
    if (!input_.empty()) {
      if (auto* chunk = std::get_if<std::string>(&input_.front())) {
        size_t n = std::min(buffer.size(), chunk->size());
        std::memcpy(buffer.data(), chunk->data(), n);
        chunk->erase(0, n);
        if (chunk->empty()) input_.pop_front();
        co_return n;
      }
      // At a TLS boundary: nothing more to read until start_tls().
    } else if (eof_) {
      co_return Error{ErrorKind::closed, "connection closed by peer"};
    }
    if (options_.when_empty == WhenInputEmpty::time_out_at_once ||
        std::chrono::steady_clock::now() >= deadline) {
      co_return Error{ErrorKind::timeout, "read timed out"};
    }
    if (!waiter_) waiter_ = std::make_unique<Waiter>(co_await boost::asio::this_coro::executor);
    waiter_->timer.expires_at(deadline);
    co_await waiter_->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

awaitable<Result<void>> MemoryConnection::write(std::string_view data, Duration timeout) {
  if (closed_) co_return Error{ErrorKind::closed, "connection closed"};
  written_.append(data);
  co_return Result<void>{};
}

Result<void> MemoryConnection::upgrade() {
  if (closed_) return Error{ErrorKind::closed, "connection closed"};
  if (tls_info_) return Error{ErrorKind::invalid, "TLS is already active"};
  bool plaintext_pending = false;
  while (!input_.empty() && std::holds_alternative<std::string>(input_.front())) {
    plaintext_pending = true;
    input_.pop_front();
  }
  if (!input_.empty()) input_.pop_front();  // the boundary
  if (plaintext_pending)
    return Error{ErrorKind::io, "TLS handshake failed: plaintext where a handshake was expected"};
  if (options_.tls == TlsOutcome::fail) return Error{ErrorKind::io, "TLS handshake failed"};
  tls_info_ = TlsInfo{"TLSv1.3", "TLS_AES_256_GCM_SHA384", 256, {}};
  return {};
}

awaitable<Result<void>> MemoryConnection::start_tls(Duration timeout) {
  co_return upgrade();
}

awaitable<Result<void>> MemoryConnection::start_tls_client(
    std::shared_ptr<const TlsClientContext> context, std::string server_name, Duration timeout,
    PeerCheck) {
  client_server_name_ = std::move(server_name);
  co_return upgrade();
}

}  // namespace postamt::net::testing
