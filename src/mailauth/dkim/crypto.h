// The cryptography DKIM needs (RFC 6376 §3.3, RFC 8463, RFC 8301), over OpenSSL, with no
// OpenSSL type in this header.
//
//   rsa-sha256:     RSASSA-PKCS1-v1_5 with SHA-256 over the data (RFC 6376 §3.3.1).
//   ed25519-sha256: PureEd25519 over the SHA-256 hash of the data (RFC 8463 §3): the
//                   data is hashed first, and the 32-byte hash is what Ed25519 signs.
// rsa-sha1 has no Algorithm value: RFC 8301 §3.1 forbids verifying with it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::dkim {

enum class Algorithm { rsa_sha256, ed25519_sha256 };

// "rsa-sha256" | "ed25519-sha256" (the a= names).
std::string_view to_string(Algorithm algorithm);

// The 32-byte SHA-256 digest of `data`.
std::string sha256(std::string_view data);

// Whether `signature` is a valid signature of `data` under the public key.
//   public_key_der: an RSA key as SubjectPublicKeyInfo DER (what p= holds; a bare PKCS#1
//                   RSAPublicKey is accepted too), or an Ed25519 key as the raw 32 bytes
//                   (RFC 8463 §4) or as SubjectPublicKeyInfo DER.
// Returns false for a wrong signature; ErrorKind::invalid when the key cannot be read or
// does not fit the algorithm.
Result<bool> verify_signature(Algorithm algorithm, std::string_view public_key_der,
                              std::string_view data, std::string_view signature);

// The size of a public key in bits (RSA modulus; 256 for Ed25519), for the minimum key
// size of RFC 8301 §3.2. ErrorKind::invalid as verify_signature.
Result<unsigned> public_key_bits(Algorithm algorithm, std::string_view public_key_der);

// A private key, opaque (the OpenSSL key stays in crypto.cpp). Cheap to copy (shared).
class PrivateKey {
 public:
  // Reads a PEM private key: "PRIVATE KEY" (PKCS#8, RSA or Ed25519) or "RSA PRIVATE KEY"
  // (PKCS#1). ErrorKind::invalid when unreadable or of another type.
  static Result<PrivateKey> from_pem(std::string_view pem);
  // A raw 32-byte Ed25519 secret key (RFC 8032 §5.1.5), as RFC 8463 Appendix A gives it.
  static Result<PrivateKey> from_ed25519_seed(std::string_view seed);
  // A new key: RSA with `bits` bits (>= 1024), or Ed25519.
  static Result<PrivateKey> generate_rsa(unsigned bits);
  static Result<PrivateKey> generate_ed25519();

  Algorithm algorithm() const { return algorithm_; }
  unsigned bits() const;
  // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
  std::string to_pem() const;
  // What a DKIM key record's p= carries, before base64: SubjectPublicKeyInfo DER for RSA
  // (RFC 6376 §3.6.1), the raw 32-byte public key for Ed25519 (RFC 8463 §4).
  std::string public_key_record_bytes() const;
  // Signs `data` (see the top of this header for what is hashed).
  Result<std::string> sign(std::string_view data) const;

 private:
  struct Key;
  PrivateKey(std::shared_ptr<Key> key, Algorithm algorithm)
      : key_(std::move(key)), algorithm_(algorithm) {}
  std::shared_ptr<Key> key_;
  Algorithm algorithm_ = Algorithm::rsa_sha256;
};

// Signing counterpart of verify_signature.
Result<std::string> sign_data(Algorithm algorithm, const PrivateKey& key, std::string_view data);

}  // namespace postamt::dkim
