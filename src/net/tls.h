// TLS configuration: the server certificate (with reload on SIGHUP), a self-signed
// bootstrap certificate, and client-side settings for outbound connections.
// OpenSSL stays in tls.cpp; this header is light.
//
// Protocol floor: TLS 1.2 for both sides (RFC 8996 deprecates 1.0/1.1; RFC 8314 §4.1).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::net {

namespace detail {
struct ServerTlsState;
struct ClientTlsState;
}  // namespace detail

// The server's certificate and key. Shared by the Server and its connections.
// Thread-safe: reload() may run on any thread while connections start TLS.
class TlsContext {
 public:
  // Reads a PEM certificate chain and a PEM private key and checks they match.
  // Errors: ErrorKind::io when a file cannot be read, ErrorKind::invalid when the
  // contents are not a usable certificate/key pair.
  static Result<std::shared_ptr<TlsContext>> load(std::string cert_path, std::string key_path);

  // Re-reads the same two files. On success, handshakes that start afterwards use the
  // new pair; connections that already started TLS keep theirs. On failure the old
  // pair stays in use and the error says why (same kinds as load).
  Result<void> reload();

  const std::string& cert_path() const { return cert_path_; }
  const std::string& key_path() const { return key_path_; }

  // The OpenSSL state for a new handshake (tcp.cpp). Never null.
  std::shared_ptr<detail::ServerTlsState> current() const;

  TlsContext(std::string cert_path, std::string key_path,
             std::shared_ptr<detail::ServerTlsState> state);

 private:
  std::string cert_path_;
  std::string key_path_;
  mutable std::mutex mutex_;
  std::shared_ptr<detail::ServerTlsState> state_;
};

enum class CertificateFiles { created, existed };

// Makes sure a certificate and key exist at the two paths. When BOTH are missing,
// creates an EC P-256 key (file mode 0600) and a self-signed X.509v3 certificate
// (mode 0644) for `hostname` (subject CN and subjectAltName DNS, or IP when hostname is
// an address literal), valid for 10 years, and returns created. When both exist,
// touches nothing and returns existed (they are not validated; TlsContext::load does).
// Errors: ErrorKind::invalid when exactly one exists (never overwrites a key) or the
// hostname is empty; ErrorKind::io when writing fails (no partial files are left).
Result<CertificateFiles> ensure_self_signed(const std::string& cert_path,
                                            const std::string& key_path, std::string_view hostname);

// The SHA-256 digest (32 raw octets) of the SubjectPublicKeyInfo of the first certificate
// in `cert_pem`: the data of a "3 1 1" TLSA record (RFC 7671 §5.1, RFC 7672 §3.1.1) for
// that certificate. Errors: invalid when no certificate can be read.
Result<std::string> spki_sha256(std::string_view cert_pem);

enum class TlsVerify {
  opportunistic,  // encrypt, accept any certificate (RFC 7435; plain SMTP relay default)
  verify,         // require a valid chain and a name matching server_name (RFC 6125)
};

// Settings for client-side handshakes (Connection::start_tls_client). Immutable and
// thread-safe once created.
class TlsClientContext {
 public:
  // `ca_file` empty: the system trust store. Errors: ErrorKind::io / invalid when
  // ca_file cannot be loaded.
  static Result<std::shared_ptr<const TlsClientContext>> create(TlsVerify verify,
                                                                std::string ca_file = {});

  TlsVerify verify() const { return verify_; }
  std::shared_ptr<detail::ClientTlsState> state() const { return state_; }

  TlsClientContext(TlsVerify verify, std::shared_ptr<detail::ClientTlsState> state);

 private:
  TlsVerify verify_;
  std::shared_ptr<detail::ClientTlsState> state_;
};

}  // namespace postamt::net
