// Password hashes as stored per account, in Dovecot's "{SCHEME}payload" shape so that
// hashes exported from Dovecot (doveadm pw, passwd-file, SQL) can be imported verbatim.
//
// Stored formats (scheme names are matched case-insensitively; the payload is exact):
//   {ARGON2ID}$argon2id$v=19$m=<KiB>,t=<passes>,p=1$<salt b64>$<hash b64>
//       written by hash_password(); verified with libsodium (unpadded base64 per PHC).
//   {ARGON2I}$argon2i$v=19$m=<KiB>,t=<passes>,p=1$<salt b64>$<hash b64>
//       import only (verified, never written).
//   {SHA512-CRYPT}$6$[rounds=N$]<salt>$<hash>          import only, libxcrypt crypt_rn
//   {SHA256-CRYPT}$5$[rounds=N$]<salt>$<hash>          import only, libxcrypt crypt_rn
//   {BLF-CRYPT}$2y$<cost>$<22 salt><31 hash>  ($2a$ and $2b$ accepted as well)
//                                                      import only, libxcrypt crypt_rn
//   {SCRAM-SHA-256}<iterations>,<salt b64>,<StoredKey b64>,<ServerKey b64>
//       see auth/scram.h; verify_password() can check a plaintext against it too.
// Anything else, a missing "{SCHEME}" prefix or a payload that does not start with the
// prefix of its scheme (e.g. {SHA512-CRYPT} holding a DES crypt) is an error, never a match.
//
// Threads: every function here is safe to call from any thread concurrently (crypt_rn
// with a per-call buffer, libsodium initialised once). Argon2 calls are CPU- and
// memory-heavy (tens of milliseconds, mem_limit bytes): run them off the network
// executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::auth {

// Argon2id cost. Memory is in bytes (libsodium's unit), rounded down to KiB by Argon2.
struct Argon2Params {
  uint64_t ops_limit = 0;
  size_t mem_limit_bytes = 0;
};

// Default for a small server (2 cores, a few logins per second): libsodium's
// "interactive" limits, t=2 passes over 64 MiB, roughly 50-100 ms per hash on one core.
// Concurrent logins multiply the memory: 10 at once use 640 MiB.
inline constexpr Argon2Params kArgon2Interactive{2, 64u * 1024u * 1024u};
// The smallest cost libsodium accepts (t=1, 8 KiB). For tests only: it protects nothing.
inline constexpr Argon2Params kArgon2Minimum{1, 8192};

// Hashes `plaintext` into "{ARGON2ID}$argon2id$v=19$m=...,t=...,p=1$salt$hash" with a
// fresh random 16-byte salt. Errors: invalid (params outside libsodium's limits),
// temporary (libsodium could not allocate mem_limit_bytes).
Result<std::string> hash_password(std::string_view plaintext,
                                  const Argon2Params& params = kArgon2Interactive);

enum class PasswordCheck { match, mismatch };

// Checks `plaintext` against a stored hash of any format listed above. Comparisons of
// derived values are constant-time. Returns match or mismatch; errors: invalid (unknown
// scheme, missing prefix, malformed payload). libsodium's verify reports "could not
// allocate the hash's memory" and "wrong password" with the same code, so an Argon2
// allocation failure reads as mismatch (never as match).
// A plaintext containing a NUL byte never matches a crypt(3) scheme (crypt would
// silently truncate it).
Result<PasswordCheck> verify_password(std::string_view stored, std::string_view plaintext);

// True when the stored hash should be replaced by hash_password(plaintext, params) after
// a successful login: any scheme other than {ARGON2ID}, or {ARGON2ID} with a cost
// different from `params`. Unparseable strings also return true.
bool needs_rehash(std::string_view stored, const Argon2Params& params = kArgon2Interactive);

// Splits "{SCHEME}payload" into its upper-cased scheme name and payload. Errors: invalid
// when there is no leading "{...}".
struct SchemeAndPayload {
  std::string scheme;
  std::string_view payload;
};
Result<SchemeAndPayload> split_scheme(std::string_view stored);

}  // namespace postamt::auth
