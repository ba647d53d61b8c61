// API tokens: the bearer credentials of the HTTP services (JMAP; `postamt token
// create|list|revoke`). A token is "pat_" + 43 characters of base64url (32 random
// octets). The store keeps only its hash, so a leaked database does not leak tokens;
// with 256 random bits a plain SHA-256 is as good as a slow hash here.
//
// Threads: pure (new_api_token reads the OS entropy source), any thread.
#pragma once

#include <string>
#include <string_view>

namespace postamt::auth {

inline constexpr std::string_view kApiTokenPrefix = "pat_";

// A fresh token. Aborts if the OS entropy source fails (never hands out a guessable one).
std::string new_api_token();

// `octets` random octets in unpadded base64url (RFC 4648 §5): the secret of a token or a
// webmail session cookie. Aborts if the OS entropy source fails.
std::string random_secret(size_t octets);

// The lowercase hex SHA-256 of `token` (or of any secret from random_secret), as the
// store keeps it.
std::string api_token_hash(std::string_view token);

// Whether `text` has a token's shape (prefix, length, alphabet); a cheap filter before a
// store lookup.
bool looks_like_api_token(std::string_view text);

}  // namespace postamt::auth
