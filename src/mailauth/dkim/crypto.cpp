#include "mailauth/dkim/crypto.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace postamt::dkim {

struct PrivateKey::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

const auto* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Result<PkeyPtr> read_public_key(Algorithm algorithm, std::string_view der) {
  if (algorithm == Algorithm::ed25519_sha256 && der.size() == 32) {
    EVP_PKEY* k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(der), der.size());
    if (k == nullptr) return Error(ErrorKind::invalid, "unreadable Ed25519 public key");
    return PkeyPtr(k);
  }
  const unsigned char* p = bytes(der);
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (key && p != bytes(der) + der.size()) key.reset();  // trailing bytes
  if (!key && algorithm == Algorithm::rsa_sha256) {
    p = bytes(der);
    key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
    if (key && p != bytes(der) + der.size()) key.reset();
  }
  if (!key) return Error(ErrorKind::invalid, "unreadable public key");
  int want = algorithm == Algorithm::rsa_sha256 ? EVP_PKEY_RSA : EVP_PKEY_ED25519;
  if (EVP_PKEY_get_base_id(key.get()) != want) {
    return Error(ErrorKind::invalid, "public key does not match the algorithm");
  }
  return key;
}

// RFC 8463 §3: Ed25519 signs the SHA-256 hash; RSA hashes inside the signature.
const EVP_MD* digest_for(Algorithm algorithm) {
  return algorithm == Algorithm::rsa_sha256 ? EVP_sha256() : nullptr;
}

}  // namespace

std::string_view to_string(Algorithm algorithm) {
  return algorithm == Algorithm::rsa_sha256 ? "rsa-sha256" : "ed25519-sha256";
}

std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

Result<bool> verify_signature(Algorithm algorithm, std::string_view public_key_der,
                              std::string_view data, std::string_view signature) {
  auto key = read_public_key(algorithm, public_key_der);
  if (!key) return key.error();
  std::string hashed;
  if (algorithm == Algorithm::ed25519_sha256) {
    hashed = sha256(data);
    data = hashed;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return Error(ErrorKind::internal, "out of memory");
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(algorithm), nullptr, key->get()) != 1) {
    return Error(ErrorKind::invalid, "cannot verify with this key");
  }
  int rc =
      EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(data), data.size());
  return rc == 1;
}

Result<unsigned> public_key_bits(Algorithm algorithm, std::string_view public_key_der) {
  auto key = read_public_key(algorithm, public_key_der);
  if (!key) return key.error();
  return static_cast<unsigned>(EVP_PKEY_get_bits(key->get()));
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return Error(ErrorKind::internal, "out of memory");
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (k == nullptr) return Error(ErrorKind::invalid, "unreadable PEM private key");
  auto key = std::make_shared<Key>();
  key->pkey = k;
  switch (EVP_PKEY_get_base_id(k)) {
    case EVP_PKEY_RSA:
      return PrivateKey(std::move(key), Algorithm::rsa_sha256);
    case EVP_PKEY_ED25519:
      return PrivateKey(std::move(key), Algorithm::ed25519_sha256);
    default:
      return Error(ErrorKind::invalid, "private key is neither RSA nor Ed25519");
  }
}

Result<PrivateKey> PrivateKey::from_ed25519_seed(std::string_view seed) {
  if (seed.size() != 32) return Error(ErrorKind::invalid, "an Ed25519 secret key has 32 bytes");
  EVP_PKEY* k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed), seed.size());
  if (k == nullptr) return Error(ErrorKind::invalid, "unreadable Ed25519 secret key");
  auto key = std::make_shared<Key>();
  key->pkey = k;
  return PrivateKey(std::move(key), Algorithm::ed25519_sha256);
}

Result<PrivateKey> PrivateKey::generate_rsa(unsigned bits) {
  if (bits < 1024) return Error(ErrorKind::invalid, "RSA keys have at least 1024 bits (RFC 8301)");
  EVP_PKEY* k = EVP_RSA_gen(bits);
  if (k == nullptr) return Error(ErrorKind::internal, "RSA key generation failed");
  auto key = std::make_shared<Key>();
  key->pkey = k;
  return PrivateKey(std::move(key), Algorithm::rsa_sha256);
}

Result<PrivateKey> PrivateKey::generate_ed25519() {
  EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (k == nullptr) return Error(ErrorKind::internal, "Ed25519 key generation failed");
  auto key = std::make_shared<Key>();
  key->pkey = k;
  return PrivateKey(std::move(key), Algorithm::ed25519_sha256);
}

unsigned PrivateKey::bits() const {
  return static_cast<unsigned>(EVP_PKEY_get_bits(key_->pkey));
}

std::string PrivateKey::to_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string out;
  if (bio == nullptr) return out;
  if (PEM_write_bio_PKCS8PrivateKey(bio, key_->pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<size_t>(len));
  }
  BIO_free(bio);
  return out;
}

std::string PrivateKey::public_key_record_bytes() const {
  if (algorithm_ == Algorithm::ed25519_sha256) {
    std::string raw(32, '\0');
    size_t len = raw.size();
    EVP_PKEY_get_raw_public_key(key_->pkey, reinterpret_cast<unsigned char*>(raw.data()), &len);
    raw.resize(len);
    return raw;
  }
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key_->pkey, &der);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<std::string> PrivateKey::sign(std::string_view data) const {
  std::string hashed;
  if (algorithm_ == Algorithm::ed25519_sha256) {
    hashed = sha256(data);
    data = hashed;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return Error(ErrorKind::internal, "out of memory");
  if (EVP_DigestSignInit(ctx.get(), nullptr, digest_for(algorithm_), nullptr, key_->pkey) != 1) {
    return Error(ErrorKind::internal, "cannot sign with this key");
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, bytes(data), data.size()) != 1) {
    return Error(ErrorKind::internal, "signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes(data),
                     data.size()) != 1) {
    return Error(ErrorKind::internal, "signing failed");
  }
  sig.resize(len);
  return sig;
}

Result<std::string> sign_data(Algorithm algorithm, const PrivateKey& key, std::string_view data) {
  if (key.algorithm() != algorithm) {
    return Error(ErrorKind::invalid, "the key does not match the algorithm");
  }
  return key.sign(data);
}

}  // namespace postamt::dkim
