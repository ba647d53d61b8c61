// Message encryption for Web Push (RFC 8291): the "aes128gcm" content coding (RFC 8188)
// with one record, keyed by ECDH on P-256 with the user agent's key and authentication
// secret, as a JMAP push subscription's `keys` give them (RFC 8620 §7.2). A codec:
// pure apart from the random salt and sender key, any thread. OpenSSL stays in
// web_push.cpp.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::http {

// URL-safe base64 (RFC 4648 §5) without padding, and its decoder, which also takes
// padding and the '+' '/' alphabet (clients differ). nullopt for other characters or
// an impossible length.
std::string encode_base64url(std::string_view bytes);
std::optional<std::string> decode_base64url(std::string_view text);

// The user agent's keys as raw octets.
struct WebPushKeys {
  std::string p256dh;  // 65 octets: an uncompressed P-256 point (0x04 || X || Y)
  std::string auth;    // 16 octets
};

// The keys of a subscription, URL-safe base64 as the client sent them. invalid, naming
// the property: "p256dh is not URL-safe base64" / "p256dh is not an uncompressed P-256
// point" / "auth is not URL-safe base64" / "auth is not 16 octets".
Result<WebPushKeys> parse_web_push_keys(std::string_view p256dh, std::string_view auth);

// RFC 8291 §4: one record of record size 4096, so at most this much plaintext.
inline constexpr size_t kMaxWebPushPlaintext = 4096 - 86 - 16 - 1;

// The body of an encrypted push message (send with "Content-Encoding: aes128gcm"):
// salt (16) || rs (4, 4096) || idlen (1, 65) || the sender's public key (65) ||
// AES-128-GCM(plaintext || 0x02) with its tag. A fresh sender key and salt each call.
// Errors: limit above kMaxWebPushPlaintext; internal when OpenSSL fails.
Result<std::string> web_push_encrypt(const WebPushKeys& keys, std::string_view plaintext);

// The same with the sender's private key (32 octets) and the salt (16) given, so that
// a test can compare exact bytes with RFC 8291 Appendix A. invalid for a bad key or salt.
Result<std::string> web_push_encrypt_with(const WebPushKeys& keys, std::string_view plaintext,
                                          std::string_view sender_private, std::string_view salt);

// The user agent's side (RFC 8291 §3.4, RFC 8188 §2): the plaintext of `body` for the
// receiver's private key (32 octets) and its `keys`. invalid when the body is not one
// well-formed record for these keys (authentication fails, bad header, bad padding).
Result<std::string> web_push_decrypt(std::string_view body, std::string_view receiver_private,
                                     const WebPushKeys& keys);

}  // namespace postamt::http
