// When may a client send a password in the clear (PLAIN, LOGIN, IMAP LOGIN, POP3 USER/PASS)?
// Dovecot's disable_plaintext_auth / auth_allow_cleartext, as one three-way setting.
//
// Threads: pure functions, callable from anywhere.
#pragma once

#include <optional>
#include <string_view>

namespace postamt::auth {

enum class AuthPlaintext {
  never,     // only over TLS (the default: RFC 8314 §3, RFC 4954 §4 "SHOULD" protect)
  loopback,  // over TLS, or without TLS from a loopback address (local webmail, tests)
  always,    // also without TLS from anywhere (strongly discouraged)
};

enum class ConnectionSecurity { plain, tls };
enum class RemoteLocality { remote, loopback };

// True when plaintext mechanisms may be offered and accepted on this connection. A TLS
// connection (implicit TLS or after STARTTLS/STLS) always allows them.
bool plaintext_allowed(AuthPlaintext policy, ConnectionSecurity security, RemoteLocality remote);

// Parses the configuration spelling: "never", "loopback", "always" (exact, lower case).
std::optional<AuthPlaintext> parse_auth_plaintext(std::string_view text);
std::string_view to_string(AuthPlaintext policy);

// Classifies a textual peer address: 127.0.0.0/8, ::1 and ::ffff:127.x.x.x are loopback;
// anything else, including unparseable text, is remote.
RemoteLocality locality_of(std::string_view ip);

}  // namespace postamt::auth
