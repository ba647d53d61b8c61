#include "auth/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstring>

#include "base/base64.h"
#include "base/strings.h"

namespace postamt::auth {

namespace {

constexpr std::string_view kScramPrefix = "{SCRAM-SHA-256}";

bool decode_digest(std::string_view b64, Sha256Digest& out) {
  auto raw = base64::decode(b64);
  if (!raw || raw->size() != out.size()) return false;
  std::memcpy(out.data(), raw->data(), out.size());
  return true;
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
  Sha256Digest out;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  Sha256Digest out;
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<ScramVerifier> derive_scram_verifier(std::string_view plaintext, std::string_view salt,
                                            uint32_t iterations) {
  if (salt.empty()) return Error{ErrorKind::invalid, "SCRAM salt is empty"};
  if (iterations < kScramMinIterations || iterations > kScramMaxIterations)
    return Error{ErrorKind::invalid, "SCRAM iteration count out of range"};
  Sha256Digest salted;
  // RFC 5802 §2.2: Hi() is PBKDF2 with HMAC as the PRF and dkLen = hash length.
  if (PKCS5_PBKDF2_HMAC(plaintext.data(), static_cast<int>(plaintext.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(salted.size()), salted.data()) != 1)
    return Error{ErrorKind::internal, "PBKDF2 failed"};
  ScramVerifier v;
  v.iterations = iterations;
  v.salt = std::string(salt);
  v.stored_key = sha256(as_bytes(hmac_sha256(as_bytes(salted), "Client Key")));
  v.server_key = hmac_sha256(as_bytes(salted), "Server Key");
  OPENSSL_cleanse(salted.data(), salted.size());
  return v;
}

Result<ScramVerifier> parse_scram_verifier(std::string_view stored) {
  if (stored.size() < kScramPrefix.size() ||
      !iequals(stored.substr(0, kScramPrefix.size()), kScramPrefix))
    return Error{ErrorKind::invalid, "not a {SCRAM-SHA-256} verifier"};
  const auto fields = split(stored.substr(kScramPrefix.size()), ',');
  if (fields.size() != 4) return Error{ErrorKind::invalid, "SCRAM verifier needs 4 fields"};
  ScramVerifier v;
  const auto iterations = parse_u64(fields[0]);
  if (!iterations || *iterations < kScramMinIterations || *iterations > kScramMaxIterations)
    return Error{ErrorKind::invalid, "SCRAM iteration count out of range"};
  v.iterations = static_cast<uint32_t>(*iterations);
  auto salt = base64::decode(fields[1]);
  if (!salt || salt->empty()) return Error{ErrorKind::invalid, "bad SCRAM salt"};
  v.salt = std::move(*salt);
  if (!decode_digest(fields[2], v.stored_key) || !decode_digest(fields[3], v.server_key))
    return Error{ErrorKind::invalid, "bad SCRAM key"};
  return v;
}

}  // namespace postamt::auth
