// MemoryConnection: an in-memory Connection for protocol session tests (transcripts).
// Feed the client's bytes, run the session, compare what it wrote. No sockets, no TLS.
//
// Input is a queue of chunks; one read_some returns bytes from at most one chunk, so
// tests control exactly how input is split (feed "A\r\nB\r\n" whole or byte by byte).
//
// STARTTLS model: feed_tls_boundary() marks where the client's TLS handshake begins.
// Reads never pass the boundary before start_tls(). start_tls() succeeds when the next
// queued item is the boundary or the queue is empty (a waiting client); if plaintext
// bytes are still queued before the boundary (the client pipelined after STARTTLS and
// the session did not read them), the handshake fails with ErrorKind::io, as a real TLS
// handshake would on garbage, and those bytes are dropped.
//
// Threading: single-threaded tests only. Call feed*() between runs of the io_context
// (or before), never concurrently with it.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "net/connection.h"

namespace postamt::net::testing {

enum class WhenInputEmpty {
  time_out_at_once,  // read_some returns ErrorKind::timeout immediately (scripted runs)
  wait_for_feed,     // read_some waits until feed()/feed_eof() or its timeout (interactive)
};

enum class TlsOutcome { succeed, fail };

struct MemoryConnectionOptions {
  Endpoint remote{"192.0.2.10", 49152};
  Endpoint local{"192.0.2.1", 25};
  WhenInputEmpty when_empty = WhenInputEmpty::time_out_at_once;
  TlsOutcome tls = TlsOutcome::succeed;
};

class MemoryConnection final : public Connection {
 public:
  explicit MemoryConnection(MemoryConnectionOptions options = {});
  ~MemoryConnection() override;

  // --- test side ---
  void feed(std::string_view bytes);                          // one chunk (empty is ignored)
  void feed_in_pieces(std::string_view bytes, size_t piece);  // chunks of `piece` bytes
  void feed_tls_boundary();
  void feed_eof();  // after the queue drains, reads return ErrorKind::closed
  // A whole client script: `bytes` in chunks of `piece` (0: one chunk), then EOF.
  void feed_script(std::string_view bytes, size_t piece = 0);
  // What Server::stop would do: shutdown_requested() turns true, reads return closed.
  void request_shutdown();
  const std::string& written() const { return written_; }
  std::string take_written();  // returns and clears
  bool closed() const { return closed_; }
  // Server name passed to the last start_tls_client.
  const std::string& client_server_name() const { return client_server_name_; }

  // --- Connection ---
  awaitable<Result<size_t>> read_some(std::span<char> buffer, Duration timeout) override;
  awaitable<Result<void>> write(std::string_view data, Duration timeout) override;
  awaitable<Result<void>> start_tls(Duration timeout) override;
  awaitable<Result<void>> start_tls_client(std::shared_ptr<const TlsClientContext> context,
                                           std::string server_name, Duration timeout,
                                           PeerCheck check) override;
  bool is_tls() const override { return tls_info_.has_value(); }
  std::optional<TlsInfo> tls_info() const override { return tls_info_; }
  bool shutdown_requested() const override { return shutdown_; }
  void close() override;

 private:
  struct TlsBoundary {};
  using Item = std::variant<std::string, TlsBoundary>;

  Result<void> upgrade();
  void wake();

  MemoryConnectionOptions options_;
  std::deque<Item> input_;
  bool eof_ = false;
  bool shutdown_ = false;
  bool closed_ = false;
  std::string written_;
  std::optional<TlsInfo> tls_info_;
  std::string client_server_name_;
  struct Waiter;  // the timer a waiting read sleeps on
  std::unique_ptr<Waiter> waiter_;
};

}  // namespace postamt::net::testing
