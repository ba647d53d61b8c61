// A Connection that compresses what is written and decompresses what is read, layered
// on another Connection: IMAP COMPRESS=DEFLATE (RFC 4978). Over TLS the data is
// compressed first and then encrypted, the order §3 requires, because the inner
// Connection does the TLS.
//
// write() compresses in pieces of at most kDeflatePiece octets and ends each call with
// a sync flush, so every response reaches the client whole and no buffer grows with a
// large FETCH. read_some() hands out at most buffer.size() decompressed octets per call
// (a small input that inflates hugely is handed out piece by piece, never held), within
// one deadline for all the inner reads it needs. Corrupt input is ErrorKind::invalid.
// start_tls and start_tls_client are ErrorKind::invalid (TLS comes before COMPRESS);
// the rest asks the inner connection.
//
// Threading and lifetime as for Connection; `inner` must outlive this object.
#pragma once

#include <string>

#include "net/connection.h"
#include "net/deflate.h"

namespace postamt::net {

inline constexpr size_t kDeflatePiece = 64 * 1024;

class DeflateConnection final : public Connection {
 public:
  // `read_chunk`: the largest inner read (the session's read buffer size).
  static Result<std::unique_ptr<DeflateConnection>> create(Connection& inner, size_t read_chunk);

  awaitable<Result<size_t>> read_some(std::span<char> buffer, Duration timeout) override;
  awaitable<Result<void>> write(std::string_view data, Duration timeout) override;
  awaitable<Result<void>> start_tls(Duration timeout) override;
  awaitable<Result<void>> start_tls_client(std::shared_ptr<const TlsClientContext> context,
                                           std::string server_name, Duration timeout,
                                           PeerCheck check) override;
  bool is_tls() const override { return inner_.is_tls(); }
  std::optional<TlsInfo> tls_info() const override { return inner_.tls_info(); }
  bool shutdown_requested() const override { return inner_.shutdown_requested(); }
  void close() override { inner_.close(); }

 private:
  DeflateConnection(Connection& inner, Deflater deflater, Inflater inflater, size_t read_chunk);

  Connection& inner_;
  Deflater deflater_;
  Inflater inflater_;
  std::string in_;   // compressed octets read; inflater_ works through them
  std::string out_;  // one compressed piece on its way out
};

}  // namespace postamt::net
