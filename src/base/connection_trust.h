// What a protocol may know about the other end of a connection when it applies a
// security setting, and the one setting that uses it today: whether passwords may be
// sent in the clear (PLAIN, LOGIN, IMAP LOGIN, POP3 USER/PASS). Plain values.
#pragma once

namespace postamt {

// [auth] plaintext: Dovecot's disable_plaintext_auth / auth_allow_cleartext as one
// three-way setting.
enum class PlaintextAuth {
  never,     // only over TLS (RFC 8314 §3, RFC 4954 §4 "SHOULD" protect)
  loopback,  // over TLS, or without TLS from a loopback address (local webmail, tests)
  always,    // also without TLS from anywhere (strongly discouraged)
};

enum class ConnectionSecurity { plain, tls };
enum class RemoteLocality { remote, loopback };

// net::Connection::trust() describes a live connection this way.
struct ConnectionTrust {
  ConnectionSecurity security = ConnectionSecurity::plain;
  RemoteLocality locality = RemoteLocality::remote;
};

}  // namespace postamt
