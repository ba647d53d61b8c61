// Connection: the small type-erased byte stream every protocol session talks to
// (docs/architecture.md, Build time). Real sockets (plain or TLS) live in tcp.cpp; an in-memory
// fake for transcript tests lives in net/testing/memory_connection.h.
//
// Threading: a Connection is used by one session coroutine at a time, on the executor
// the connection was created on (for accepted connections a per-connection strand).
// At most one read and one write may be in flight at once. Every read and write takes
// a deadline; there is no way to wait forever.
//
// Lifetime: buffers passed to read_some/write must stay alive until the co_await
// completes (true for `co_await conn.write(fmt::format(...), t)`). Destroying the
// Connection closes it.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/connection_trust.h"
#include "base/result.h"

namespace postamt::net {

template <class T>
using awaitable = boost::asio::awaitable<T>;

using Duration = std::chrono::steady_clock::duration;

// What was negotiated by a finished TLS handshake.
struct TlsInfo {
  std::string version;  // "TLSv1.2", "TLSv1.3"
  std::string cipher;   // OpenSSL/IANA name, e.g. "TLS_AES_256_GCM_SHA384"
  int bits = 0;         // symmetric key strength, e.g. 256
  // With PeerCheck::enforce false: the RFC 8460 §4.3 result type the check would have
  // failed with (Connection::tls_failure), empty when it passed.
  std::string check_failure;
};

// One TLSA record (RFC 6698 §2.1): certificate usage, selector, matching type, and the
// certificate association data as raw bytes (not hex).
struct TlsaAssociation {
  uint8_t usage = 0;
  uint8_t selector = 0;
  uint8_t matching_type = 0;
  std::string data;
  bool operator==(const TlsaAssociation&) const = default;
};

// How a client-side handshake authenticates the server (start_tls_client).
enum class PeerAuthentication {
  context,  // as the TlsClientContext says: TlsVerify::verify checks server_name, else none
  none,     // encrypt only, accept any certificate (RFC 7435)
  pkix,     // a chain to a trusted root and one of `names` in the certificate (RFC 6125;
            // "*." wildcards match one whole left-most label, RFC 8461 §4.2)
  dane,     // the `tlsa` records (RFC 7672 §3): DANE-EE(3) matches the certificate or key
            // alone, ignoring names and dates (§3.1.1); DANE-TA(2) needs a chain through
            // the matching trust anchor and one of `names` (§3.2.2: the TLSA base domain
            // first, then the next-hop domain). PKIX-TA(0)/PKIX-EE(1) are unusable in SMTP
            // (§3.1.3) and ignored.
};

struct PeerCheck {
  PeerAuthentication how = PeerAuthentication::context;
  std::vector<std::string> names;     // reference identifiers, most specific first
  std::vector<TlsaAssociation> tlsa;  // for dane
  // False: the handshake succeeds whatever the check says, and TlsInfo::check_failure
  // tells the result (MTA-STS testing mode, RFC 8461 §5).
  bool enforce = true;
};

// One end of a connection. `address` is the numeric form ("192.0.2.1", "::1"),
// never a resolved name.
struct Endpoint {
  std::string address;
  uint16_t port = 0;

  // "192.0.2.1:25" or "[2001:db8::1]:25".
  std::string to_string() const;
};

// now + timeout, saturating: Duration::max() means "practically never", not overflow.
std::chrono::steady_clock::time_point deadline_after(Duration timeout);

// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. Anything unparsable is false.
bool is_loopback_address(std::string_view address);

// Client-side TLS settings, created once and shared by outbound connections (tls.h).
class TlsClientContext;

class Connection {
 public:
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Reads at least 1 and at most buffer.size() bytes (buffer must not be empty).
  // Errors: ErrorKind::closed on EOF, on a closed connection, and once the server is
  // shutting down (shutdown_requested() is then true; the message says so);
  // ErrorKind::timeout when `timeout` passes first (the connection stays usable but a
  // protocol normally gives up); ErrorKind::io for other socket or TLS failures.
  virtual awaitable<Result<size_t>> read_some(std::span<char> buffer, Duration timeout) = 0;

  // Writes all of `data`. Errors: ErrorKind::timeout (part of the data may have been
  // sent; the connection should be closed), ErrorKind::closed, ErrorKind::io.
  // Writes still work after shutdown was requested, so a session can say goodbye.
  virtual awaitable<Result<void>> write(std::string_view data, Duration timeout) = 0;

  // Server-side TLS handshake on a plaintext connection (STARTTLS, RFC 3207 / RFC 2595),
  // using the certificate current at the time of the call. The caller must first drop
  // any bytes it buffered (LineReader::discard_buffered, RFC 3207 §4.2). Errors:
  // ErrorKind::invalid if TLS is already active or no certificate is configured,
  // ErrorKind::timeout, ErrorKind::io when the handshake fails (the connection must
  // then be closed: its state is undefined).
  virtual awaitable<Result<void>> start_tls(Duration timeout) = 0;

  // Client-side TLS handshake on a plaintext outbound connection. `server_name` is sent
  // as SNI; `check` says how the certificate is authenticated (PeerAuthentication).
  // Errors as for start_tls; ErrorKind::permission when certificate verification fails
  // (tls_failure() then says how); ErrorKind::invalid when `check` cannot be applied
  // (pkix or dane without names, dane without a usable TLSA record).
  virtual awaitable<Result<void>> start_tls_client(std::shared_ptr<const TlsClientContext> context,
                                                   std::string server_name, Duration timeout,
                                                   PeerCheck check) = 0;

  // After a failed start_tls_client: the RFC 8460 §4.3 result type of the failure
  // ("certificate-host-mismatch", "certificate-expired", "certificate-not-trusted",
  // "tlsa-invalid" when no TLSA record matched, "validation-failure" otherwise). Empty
  // before a failed client handshake.
  virtual std::string tls_failure() const { return {}; }

  virtual bool is_tls() const = 0;
  // Set once a handshake has finished, empty before.
  virtual std::optional<TlsInfo> tls_info() const = 0;

  // True once the server asked this session to finish (Server::stop). The session
  // should send its protocol's goodbye (SMTP 421, POP3 -ERR, IMAP BYE) and return.
  virtual bool shutdown_requested() const = 0;

  // Closes the socket; later reads and writes fail with ErrorKind::closed. Idempotent.
  // A TLS connection first sends close_notify (without waiting for the peer's); so does
  // destroying a connection that was not closed.
  virtual void close() = 0;

  const Endpoint& remote() const { return remote_; }
  const Endpoint& local() const { return local_; }
  bool remote_is_loopback() const { return is_loopback_address(remote_.address); }
  // What the security settings look at (auth/policy.h): TLS or not, loopback or not.
  ConnectionTrust trust() const {
    return {is_tls() ? ConnectionSecurity::tls : ConnectionSecurity::plain,
            remote_is_loopback() ? RemoteLocality::loopback : RemoteLocality::remote};
  }

 protected:
  Connection(Endpoint remote, Endpoint local)
      : remote_(std::move(remote)), local_(std::move(local)) {}

 private:
  Endpoint remote_;
  Endpoint local_;
};

}  // namespace postamt::net
