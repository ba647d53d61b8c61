// The POP3 session engine (RFC 1939, RFC 2449 CAPA and response codes, RFC 5034 AUTH,
// RFC 2595 STLS, RFC 3206 [AUTH]/[SYS/*]). One call of run_session() serves one
// connection from greeting to close.
//
// States (RFC 1939 §3): AUTHORIZATION (USER, PASS, AUTH, STLS, CAPA, QUIT) ->
// TRANSACTION after a login that locked the maildrop (STAT, LIST, RETR, DELE, NOOP,
// RSET, TOP, UIDL, CAPA, QUIT) -> UPDATE at QUIT, where the DELE marks are applied in
// ONE store expunge. A connection that ends any other way (drop, idle timeout,
// shutdown, too many bad commands) deletes nothing.
//
// Wire text comes only from the pop3/proto codec. Outcomes the client sees:
//   admission refused        "-ERR [SYS/TEMP] too many connections", close
//   server shutting down     "-ERR [SYS/TEMP] server shutting down", close
//   idle for idle_timeout    "-ERR autologout: idle for too long", close (RFC 1939 §3)
//   line > 255 octets        "-ERR command line too long" (counts as a bad command)
//   bad_commands reached     "-ERR too many bad commands, closing connection", close
//   wrong credentials        after the FailureTracker's delay "-ERR [AUTH] ...", plus
//                            the fail2ban line (auth/auth_log.h)
//   maildrop locked          "-ERR [IN-USE] maildrop is locked by another session"
//   plaintext not allowed    USER/PASS and AUTH PLAIN/LOGIN answer -ERR; CAPA omits
//                            USER and SASL (auth/policy.h)
//
// RETR reports the download to Services::downloads (mail/events.h), when that is set,
// right after the response is written. \Seen (so IMAP sees retrieved messages read) is
// set in ONE store call when the session ends: at QUIT before the expunge (messages
// marked deleted left out), or, best effort, when a logged-in session ends any other
// way (all retrieved messages); it is not visible while the session is still open.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/failure_tracker.h"
#include "auth/policy.h"
#include "blob/blob_store.h"
#include "mail/events.h"
#include "net/connection.h"
#include "net/runtime.h"
#include "net/server.h"
#include "pop3/proto/command.h"
#include "pop3/session/maildrop_lock.h"
#include "store/api/store.h"

namespace postamt::pop3 {

// Named limits (docs/architecture.md, Limits).
struct SessionLimits {
  // RFC 2449 §4: 255 octets including CRLF.
  size_t max_command_line_octets = proto::kMaxCommandLineOctets;
  // A SASL response line (RFC 5034 §4 lifts the 255-octet limit for it), base64.
  size_t max_sasl_line_octets = 12 * 1024;
  // Unknown commands, bad syntax, commands in the wrong state and over-long lines;
  // the one that reaches this count closes the connection.
  uint32_t max_bad_commands = 10;
  // RFC 1939 §3: an autologout timer of at least 10 minutes.
  net::Duration idle_timeout = std::chrono::minutes(10);
  // From connect to a successful login, whatever the client sends meanwhile:
  // "-ERR login time exceeded, closing connection".
  net::Duration login_timeout = std::chrono::seconds(60);
  // A command line whose first octet arrived must be complete within this:
  // "-ERR command line not completed in time, closing connection".
  net::Duration line_timeout = std::chrono::seconds(60);
  // How long one write may take (one piece of a RETR to a slow client).
  net::Duration write_timeout = std::chrono::minutes(10);
  // RETR sends the message in writes of at most this many octets (the status line
  // comes on top of the first), so a session holds about one piece plus the blob's
  // bytes, whatever the message size. Must be >= 1.
  size_t retr_piece_octets = 256 * 1024;
  net::Duration tls_handshake_timeout = std::chrono::seconds(30);
};

enum class StlsSupport { available, unavailable };

// What every session of one engine shares. Everything pointed to must outlive every
// session; store and blob calls go through runtime->run_blocking.
struct Services {
  net::Runtime* runtime = nullptr;
  store::Store* store = nullptr;
  blob::BlobStore* blobs = nullptr;
  auth::FailureTracker* auth_failures = nullptr;
  MaildropLocks* locks = nullptr;
  mail::DownloadObserver* downloads = nullptr;  // may be null: downloads are not reported
  PlaintextAuth plaintext = PlaintextAuth::never;
  // Whether Connection::start_tls can work (a certificate is configured). Ignored on a
  // connection that is already TLS.
  StlsSupport stls = StlsSupport::unavailable;
  std::string implementation = "Postamt";  // CAPA IMPLEMENTATION
  SessionLimits limits;
};

// Serves `connection` until the client quits, the connection ends, or the server shuts
// down; never throws for client or store errors (they are answered and logged).
// `connection` must stay alive until the returned awaitable completes; the caller
// closes/destroys it afterwards. Runs on the connection's executor. `context.service`
// ("pop3", "pop3s") names the log lines.
net::awaitable<void> run_session(net::Connection& connection, net::SessionContext context,
                                 const Services* services);

}  // namespace postamt::pop3
