#include "net/deflate_connection.h"

#include <algorithm>

namespace postamt::net {

Result<std::unique_ptr<DeflateConnection>> DeflateConnection::create(Connection& inner,
                                                                     size_t read_chunk) {
  auto deflater = Deflater::create();
  if (!deflater) return deflater.error();
  auto inflater = Inflater::create();
  if (!inflater) return inflater.error();
  return std::unique_ptr<DeflateConnection>(
      new DeflateConnection(inner, std::move(*deflater), std::move(*inflater), read_chunk));
}

DeflateConnection::DeflateConnection(Connection& inner, Deflater deflater, Inflater inflater,
                                     size_t read_chunk)
    : Connection(inner.remote(), inner.local()),
      inner_(inner),
      deflater_(std::move(deflater)),
      inflater_(std::move(inflater)),
      in_(std::max<size_t>(read_chunk, 1), '\0') {}

awaitable<Result<size_t>> DeflateConnection::read_some(std::span<char> buffer, Duration timeout) {
  const auto deadline = deadline_after(timeout);
  for (;;) {
    if (inflater_.has_pending()) {
      auto produced = inflater_.inflate(buffer);
      if (!produced) co_return produced.error();
      if (*produced > 0) co_return *produced;
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) co_return Error{ErrorKind::timeout, "read timed out"};
    auto got = co_await inner_.read_some(std::span<char>(in_), deadline - now);
    if (!got) co_return got.error();
    inflater_.set_input(std::span<const char>(in_.data(), *got));
  }
}

awaitable<Result<void>> DeflateConnection::write(std::string_view data, Duration timeout) {
  const auto deadline = deadline_after(timeout);
  do {
    std::string_view piece = data.substr(0, kDeflatePiece);
    data.remove_prefix(piece.size());
    out_.clear();
    deflater_.compress(piece, out_, data.empty());
    if (out_.empty()) continue;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) co_return Error{ErrorKind::timeout, "write timed out"};
    auto written = co_await inner_.write(out_, deadline - now);
    if (!written) co_return written;
  } while (!data.empty());
  // A large response must not leave a large buffer behind in an idle session.
  if (out_.capacity() > 16 * 1024) std::string().swap(out_);
  co_return Result<void>{};
}

awaitable<Result<void>> DeflateConnection::start_tls(Duration) {
  co_return Error{ErrorKind::invalid, "TLS cannot start inside COMPRESS"};
}

awaitable<Result<void>> DeflateConnection::start_tls_client(std::shared_ptr<const TlsClientContext>,
                                                            std::string, Duration, PeerCheck) {
  co_return Error{ErrorKind::invalid, "TLS cannot start inside COMPRESS"};
}

}  // namespace postamt::net
