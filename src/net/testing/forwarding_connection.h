// ForwardingConnection: a Connection that hands every call to another one (usually a
// MemoryConnection the test keeps). A test derives from it to watch or change one call
// (record write sizes, append endless input) and leaves the rest as they are. Lets a
// session own a unique_ptr<Connection> while the test still reads what was written.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/connection.h"

namespace postamt::net::testing {

class ForwardingConnection : public Connection {
 public:
  explicit ForwardingConnection(Connection& inner)
      : Connection(inner.remote(), inner.local()), inner_(inner) {}

  awaitable<Result<size_t>> read_some(std::span<char> buffer, Duration timeout) override {
    return inner_.read_some(buffer, timeout);
  }
  awaitable<Result<void>> write(std::string_view data, Duration timeout) override {
    return inner_.write(data, timeout);
  }
  awaitable<Result<void>> start_tls(Duration timeout) override { return inner_.start_tls(timeout); }
  awaitable<Result<void>> start_tls_client(std::shared_ptr<const TlsClientContext> context,
                                           std::string server_name, Duration timeout,
                                           PeerCheck check) override {
    return inner_.start_tls_client(std::move(context), std::move(server_name), timeout,
                                   std::move(check));
  }
  std::string tls_failure() const override { return inner_.tls_failure(); }
  bool is_tls() const override { return inner_.is_tls(); }
  std::optional<TlsInfo> tls_info() const override { return inner_.tls_info(); }
  bool shutdown_requested() const override { return inner_.shutdown_requested(); }
  void close() override { inner_.close(); }

 protected:
  Connection& inner_;
};

}  // namespace postamt::net::testing
