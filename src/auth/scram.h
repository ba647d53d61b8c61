// SCRAM-SHA-256 stored verifiers (RFC 5802 §3, RFC 7677).
//
// Stored format, the one Dovecot writes for {SCRAM-SHA-256}, so exports import as is:
//   {SCRAM-SHA-256}<iterations>,<salt b64>,<StoredKey b64>,<ServerKey b64>
// with standard padded base64 (RFC 4648 §4), iterations in decimal, and
//   SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations)   (RFC 5802 §3 Hi())
//   StoredKey      = SHA-256(HMAC(SaltedPassword, "Client Key"))
//   ServerKey      = HMAC(SaltedPassword, "Server Key")
// The plaintext is not recoverable from it, but anyone holding it can impersonate the
// server to clients, so it is as secret as a password hash.
//
// Passwords are used as given (UTF-8 bytes); SASLprep (RFC 4013) is not applied, which
// is identical for ASCII passwords and differs for some non-ASCII ones.
//
// Threads: all functions are pure and safe to call concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::auth {

// RFC 7677 §4: at least 4096 iterations.
inline constexpr uint32_t kScramMinIterations = 4096;
// Refuse verifiers that would make one login cost more than this many HMACs (DoS).
inline constexpr uint32_t kScramMaxIterations = 10'000'000;
inline constexpr size_t kScramSaltBytes = 16;

using Sha256Digest = std::array<unsigned char, 32>;

struct ScramVerifier {
  uint32_t iterations = 0;
  std::string salt;  // raw bytes
  Sha256Digest stored_key{};
  Sha256Digest server_key{};
};

// Derives a verifier from `plaintext` with `salt` (raw bytes, non-empty) and
// `iterations` (kScramMinIterations..kScramMaxIterations). Errors: invalid.
Result<ScramVerifier> derive_scram_verifier(std::string_view plaintext, std::string_view salt,
                                            uint32_t iterations);

// Parses a stored verifier: "{SCRAM-SHA-256}<iterations>,<salt>,<StoredKey>,<ServerKey>",
// base64 fields (Dovecot's format, imported with the account). Errors: invalid (wrong
// scheme, field count, base64, key length, iteration range).
Result<ScramVerifier> parse_scram_verifier(std::string_view stored);

// Primitives shared with the SASL mechanism (OpenSSL libcrypto underneath).
Sha256Digest sha256(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);
// Constant-time equality of two equally long byte strings; false if lengths differ.
bool constant_time_equal(std::string_view a, std::string_view b);
inline std::string_view as_bytes(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace postamt::auth
