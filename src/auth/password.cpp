#include "auth/password.h"

#include <crypt.h>
#include <sodium.h>

#include <cstring>
#include <memory>

#include "auth/scram.h"
#include "base/strings.h"

namespace postamt::auth {
namespace {

constexpr std::string_view kArgon2idPrefix = "{ARGON2ID}";

Result<void> ensure_sodium() {
  // sodium_init() is idempotent and thread-safe; a static runs it once per process.
  static const int rc = sodium_init();
  if (rc < 0) return Error{ErrorKind::internal, "libsodium failed to initialise"};
  return {};
}

Result<PasswordCheck> verify_argon2(std::string_view payload, std::string_view want_prefix,
                                    std::string_view plaintext) {
  if (!payload.starts_with(want_prefix))
    return Error{ErrorKind::invalid, "argon2 hash does not match its scheme"};
  // libsodium reads a NUL-terminated string from a crypto_pwhash_STRBYTES buffer.
  if (payload.size() >= crypto_pwhash_STRBYTES)
    return Error{ErrorKind::invalid, "argon2 hash too long"};
  POSTAMT_TRY(ensure_sodium());
  char buf[crypto_pwhash_STRBYTES] = {};
  std::memcpy(buf, payload.data(), payload.size());
  if (crypto_pwhash_str_verify(buf, plaintext.data(), plaintext.size()) == 0)
    return PasswordCheck::match;
  // libsodium reports malformed strings and wrong passwords alike as -1; its
  // needs_rehash parser answers -1 only for strings it cannot decode.
  const int parsed = want_prefix == "$argon2id$"
                         ? crypto_pwhash_argon2id_str_needs_rehash(buf, 1, 8192)
                         : crypto_pwhash_argon2i_str_needs_rehash(buf, 3, 8192);
  if (parsed < 0) return Error{ErrorKind::invalid, "malformed argon2 hash"};
  return PasswordCheck::mismatch;
}

bool valid_crypt_prefix(std::string_view scheme, std::string_view payload) {
  if (scheme == "SHA512-CRYPT") return payload.starts_with("$6$");
  if (scheme == "SHA256-CRYPT") return payload.starts_with("$5$");
  // $2x$ is the compatibility mode for the 2011 sign-extension bug: refuse it.
  return payload.starts_with("$2y$") || payload.starts_with("$2b$") || payload.starts_with("$2a$");
}

Result<PasswordCheck> verify_crypt(std::string_view scheme, std::string_view payload,
                                   std::string_view plaintext) {
  if (!valid_crypt_prefix(scheme, payload))
    return Error{ErrorKind::invalid, "crypt hash does not match its scheme"};
  if (payload.find('\0') != std::string_view::npos)
    return Error{ErrorKind::invalid, "crypt hash contains NUL"};
  if (plaintext.find('\0') != std::string_view::npos) return PasswordCheck::mismatch;
  const std::string setting(payload);
  const std::string phrase(plaintext);
  // crypt_data is ~32 KiB: heap, not stack. crypt_rn keeps all state in it (thread-safe).
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  // libxcrypt signals failure with NULL or a string starting with '*' (never a valid hash).
  if (out == nullptr || out[0] == '*') return Error{ErrorKind::invalid, "malformed crypt hash"};
  return constant_time_equal(out, setting) ? PasswordCheck::match : PasswordCheck::mismatch;
}

Result<PasswordCheck> verify_scram(std::string_view stored, std::string_view plaintext) {
  auto verifier = parse_scram_verifier(stored);
  if (!verifier) return verifier.error();
  auto derived = derive_scram_verifier(plaintext, verifier->salt, verifier->iterations);
  if (!derived) return derived.error();
  const bool same =
      constant_time_equal(as_bytes(derived->stored_key), as_bytes(verifier->stored_key)) &&
      constant_time_equal(as_bytes(derived->server_key), as_bytes(verifier->server_key));
  return same ? PasswordCheck::match : PasswordCheck::mismatch;
}

}  // namespace

Result<SchemeAndPayload> split_scheme(std::string_view stored) {
  if (!stored.starts_with('{')) return Error{ErrorKind::invalid, "stored hash has no {SCHEME}"};
  const size_t close = stored.find('}');
  if (close == std::string_view::npos || close == 1)
    return Error{ErrorKind::invalid, "stored hash has no {SCHEME}"};
  return SchemeAndPayload{ascii_upper(stored.substr(1, close - 1)), stored.substr(close + 1)};
}

Result<std::string> hash_password(std::string_view plaintext, const Argon2Params& params) {
  if (params.ops_limit < crypto_pwhash_OPSLIMIT_MIN ||
      params.ops_limit > crypto_pwhash_OPSLIMIT_MAX ||
      params.mem_limit_bytes < crypto_pwhash_MEMLIMIT_MIN ||
      params.mem_limit_bytes > crypto_pwhash_MEMLIMIT_MAX)
    return Error{ErrorKind::invalid, "argon2 parameters out of range"};
  POSTAMT_TRY(ensure_sodium());
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, plaintext.data(), plaintext.size(), params.ops_limit,
                            params.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Error{ErrorKind::temporary, "argon2 could not allocate its memory"};
  return std::string(kArgon2idPrefix) + out;
}

Result<PasswordCheck> verify_password(std::string_view stored, std::string_view plaintext) {
  auto split_result = split_scheme(stored);
  if (!split_result) return split_result.error();
  const auto& [scheme, payload] = *split_result;
  if (scheme == "ARGON2ID") return verify_argon2(payload, "$argon2id$", plaintext);
  if (scheme == "ARGON2I") return verify_argon2(payload, "$argon2i$", plaintext);
  if (scheme == "SHA512-CRYPT" || scheme == "SHA256-CRYPT" || scheme == "BLF-CRYPT")
    return verify_crypt(scheme, payload, plaintext);
  if (scheme == "SCRAM-SHA-256") return verify_scram(stored, plaintext);
  return Error{ErrorKind::invalid, "unknown password scheme"};
}

bool needs_rehash(std::string_view stored, const Argon2Params& params) {
  auto split_result = split_scheme(stored);
  if (!split_result || split_result->scheme != "ARGON2ID") return true;
  const std::string_view payload = split_result->payload;
  if (!payload.starts_with("$argon2id$") || payload.size() >= crypto_pwhash_STRBYTES) return true;
  if (!ensure_sodium()) return true;
  char buf[crypto_pwhash_STRBYTES] = {};
  std::memcpy(buf, payload.data(), payload.size());
  // 0: same parameters; 1: different; -1: not an Argon2id string libsodium can read.
  return crypto_pwhash_str_needs_rehash(buf, params.ops_limit, params.mem_limit_bytes) != 0;
}

}  // namespace postamt::auth
