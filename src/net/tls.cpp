// Server and client TLS contexts and the self-signed bootstrap certificate (OpenSSL 3).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "net/asio_detail.h"

namespace postamt::net {
namespace {

// Mozilla "intermediate" TLS 1.2 suites; TLS 1.3 suites are OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

void set_common_options(asio::ssl::context& context) {
  SSL_CTX* ctx = context.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
  SSL_CTX_set_cipher_list(ctx, kTls12Ciphers);
}

Result<void> check_readable(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0)
    return Error{ErrorKind::io, fmt::format("cannot read {}: {}", path, std::strerror(errno))};
  return {};
}

Result<std::shared_ptr<detail::ServerTlsState>> build_server_state(const std::string& cert_path,
                                                                   const std::string& key_path) {
  POSTAMT_TRY(check_readable(cert_path));
  POSTAMT_TRY(check_readable(key_path));
  asio::ssl::context context(asio::ssl::context::tls_server);
  set_common_options(context);
  context.set_options(SSL_OP_CIPHER_SERVER_PREFERENCE);
  boost::system::error_code ec;
  context.use_certificate_chain_file(cert_path, ec);
  if (ec)
    return Error{ErrorKind::invalid,
                 fmt::format("bad certificate {}: {}", cert_path, ec.message())};
  context.use_private_key_file(key_path, asio::ssl::context::pem, ec);
  if (ec)
    return Error{ErrorKind::invalid, fmt::format("bad private key {}: {}", key_path, ec.message())};
  if (SSL_CTX_check_private_key(context.native_handle()) != 1)
    return Error{ErrorKind::invalid,
                 fmt::format("key {} does not match certificate {}", key_path, cert_path)};
  return std::make_shared<detail::ServerTlsState>(std::move(context));
}

}  // namespace

TlsContext::TlsContext(std::string cert_path, std::string key_path,
                       std::shared_ptr<detail::ServerTlsState> state)
    : cert_path_(std::move(cert_path)), key_path_(std::move(key_path)), state_(std::move(state)) {}

Result<std::shared_ptr<TlsContext>> TlsContext::load(std::string cert_path, std::string key_path) {
  auto state = build_server_state(cert_path, key_path);
  if (!state) return state.error();
  return std::make_shared<TlsContext>(std::move(cert_path), std::move(key_path), *state);
}

Result<void> TlsContext::reload() {
  auto state = build_server_state(cert_path_, key_path_);
  if (!state) return state.error();
  std::lock_guard lock(mutex_);
  state_ = *state;
  return {};
}

std::shared_ptr<detail::ServerTlsState> TlsContext::current() const {
  std::lock_guard lock(mutex_);
  return state_;
}

TlsClientContext::TlsClientContext(TlsVerify verify, std::shared_ptr<detail::ClientTlsState> state)
    : verify_(verify), state_(std::move(state)) {}

Result<std::shared_ptr<const TlsClientContext>> TlsClientContext::create(TlsVerify verify,
                                                                         std::string ca_file) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  set_common_options(context);
  boost::system::error_code ec;
  if (!ca_file.empty()) {
    POSTAMT_TRY(check_readable(ca_file));
    context.load_verify_file(ca_file, ec);
    if (ec)
      return Error{ErrorKind::invalid, fmt::format("bad CA file {}: {}", ca_file, ec.message())};
  } else if (verify == TlsVerify::verify) {
    context.set_default_verify_paths(ec);
    if (ec) return Error{ErrorKind::io, fmt::format("no system trust store: {}", ec.message())};
  }
  // Lets connections opt into DANE per handshake (PeerAuthentication::dane); without
  // SSL_dane_enable on the connection nothing changes.
  if (SSL_CTX_dane_enable(context.native_handle()) <= 0)
    return Error{ErrorKind::internal, "cannot enable DANE: " + openssl_error()};
  return std::shared_ptr<const TlsClientContext>(std::make_shared<TlsClientContext>(
      verify, std::make_shared<detail::ClientTlsState>(std::move(context))));
}

namespace {

template <class T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BIGNUM, BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION, X509_EXTENSION_free>>;

enum class FileState { missing, present };

Result<FileState> file_state(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return FileState::present;
  if (errno == ENOENT) return FileState::missing;
  return Error{ErrorKind::io, fmt::format("cannot stat {}: {}", path, std::strerror(errno))};
}

// Only LDH names and address literals: the name is spliced into an OpenSSL extension
// config string, where ',' or ':' would add entries of the caller's choosing.
bool valid_certificate_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool is_ip_literal(std::string_view name) {
  boost::system::error_code ec;
  asio::ip::make_address(std::string(name), ec);
  return !ec;
}

Result<void> add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return Error{ErrorKind::internal, "cannot add certificate extension: " + openssl_error()};
  return {};
}

Result<std::string> bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n < 0) return Error{ErrorKind::internal, "cannot read PEM buffer"};
  return std::string(data, static_cast<size_t>(n));
}

// Writes `text` to a temporary file beside `path` with `mode`, fsynced; returns its name.
Result<std::string> write_temp(const std::string& path, const std::string& text, mode_t mode) {
  std::string temp = path + ".tmpXXXXXX";
  int fd = ::mkstemp(temp.data());  // created 0600, so a key is never world-readable
  if (fd < 0)
    return Error{ErrorKind::io, fmt::format("cannot create {}: {}", temp, std::strerror(errno))};
  size_t off = 0;
  bool ok = ::fchmod(fd, mode) == 0;
  while (ok && off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else
      off += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(temp.c_str());
    return Error{ErrorKind::io, fmt::format("cannot write {}: {}", path, std::strerror(saved))};
  }
  return temp;
}

struct GeneratedPair {
  std::string key_pem;
  std::string cert_pem;
};

Result<GeneratedPair> generate_pair(std::string_view hostname) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Error{ErrorKind::internal, "cannot generate key: " + openssl_error()};
  X509Ptr cert(X509_new());
  if (!cert) return Error{ErrorKind::internal, "cannot allocate certificate"};
  X509_set_version(cert.get(), 2);  // v3
  // 127 random bits: positive and under the 20-octet limit (RFC 5280 §4.1.2.2).
  BnPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
    return Error{ErrorKind::internal, "cannot make serial number: " + openssl_error()};
  constexpr int kTenYearsInDays = 3653;
  // One clock reading for both ends, so the validity is exactly ten years.
  time_t now = std::time(nullptr);
  X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &now);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), kTenYearsInDays, 0, &now);
  X509_set_pubkey(cert.get(), key.get());
  std::string name(hostname);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);
  // Clients match names against subjectAltName only (RFC 6125 §6.4.4).
  POSTAMT_TRY(add_extension(cert.get(), NID_subject_alt_name,
                            (is_ip_literal(name) ? "IP:" : "DNS:") + name));
  POSTAMT_TRY(add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  POSTAMT_TRY(add_extension(cert.get(), NID_key_usage, "critical,digitalSignature"));
  POSTAMT_TRY(add_extension(cert.get(), NID_ext_key_usage, "serverAuth"));
  POSTAMT_TRY(add_extension(cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
    return Error{ErrorKind::internal, "cannot sign certificate: " + openssl_error()};

  BioPtr key_bio(BIO_new(BIO_s_mem()));
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1)
    return Error{ErrorKind::internal, "cannot encode PEM: " + openssl_error()};
  auto key_pem = bio_text(key_bio.get());
  if (!key_pem) return key_pem.error();
  auto cert_pem = bio_text(cert_bio.get());
  if (!cert_pem) return cert_pem.error();
  return GeneratedPair{std::move(*key_pem), std::move(*cert_pem)};
}

}  // namespace

Result<std::string> spki_sha256(std::string_view cert_pem) {
  BioPtr bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  if (!bio) return Error{ErrorKind::internal, "cannot allocate a buffer"};
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Error{ErrorKind::invalid, "no PEM certificate: " + openssl_error()};
  unsigned char* der = nullptr;
  int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &der);
  if (n <= 0) return Error{ErrorKind::internal, "cannot encode the public key"};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  bool ok = EVP_Digest(der, static_cast<size_t>(n), digest, &length, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  if (!ok) return Error{ErrorKind::internal, "cannot hash the public key"};
  return std::string(reinterpret_cast<const char*>(digest), length);
}

Result<CertificateFiles> ensure_self_signed(const std::string& cert_path,
                                            const std::string& key_path,
                                            std::string_view hostname) {
  auto cert_state = file_state(cert_path);
  if (!cert_state) return cert_state.error();
  auto key_state = file_state(key_path);
  if (!key_state) return key_state.error();
  if (*cert_state == FileState::present && *key_state == FileState::present)
    return CertificateFiles::existed;
  if (*cert_state != *key_state)
    return Error{
        ErrorKind::invalid,
        fmt::format("only one of {} and {} exists; not creating a new pair", cert_path, key_path)};
  if (!valid_certificate_name(hostname))
    return Error{ErrorKind::invalid, "certificate host name must be letters, digits, '-' and '.'"};

  auto pair = generate_pair(hostname);
  if (!pair) return pair.error();
  auto key_temp = write_temp(key_path, pair->key_pem, 0600);
  if (!key_temp) return key_temp.error();
  auto cert_temp = write_temp(cert_path, pair->cert_pem, 0644);
  if (!cert_temp) {
    ::unlink(key_temp->c_str());
    return cert_temp.error();
  }
  if (::rename(key_temp->c_str(), key_path.c_str()) != 0) {
    int saved = errno;
    ::unlink(key_temp->c_str());
    ::unlink(cert_temp->c_str());
    return Error{ErrorKind::io,
                 fmt::format("cannot create {}: {}", key_path, std::strerror(saved))};
  }
  if (::rename(cert_temp->c_str(), cert_path.c_str()) != 0) {
    int saved = errno;
    ::unlink(key_path.c_str());
    ::unlink(cert_temp->c_str());
    return Error{ErrorKind::io,
                 fmt::format("cannot create {}: {}", cert_path, std::strerror(saved))};
  }
  return CertificateFiles::created;
}

}  // namespace postamt::net
