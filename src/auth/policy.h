// When may a client send a password in the clear (PLAIN, LOGIN, IMAP LOGIN, POP3
// USER/PASS)? The one rule every protocol applies to the [auth] plaintext setting
// (base/connection_trust.h) and the connection at hand.
//
// Threads: pure functions, callable from anywhere.
#pragma once

#include "base/connection_trust.h"

namespace postamt::auth {

enum class PlaintextMechanisms { allowed, refused };

// `allowed` when plaintext mechanisms may be offered and accepted on this connection. A
// TLS connection (implicit TLS or after STARTTLS/STLS) always allows them; otherwise
// `policy` decides (loopback: only from a loopback address).
PlaintextMechanisms plaintext_mechanisms(PlaintextAuth policy, ConnectionTrust connection);

}  // namespace postamt::auth
