// The IMAP session engine (RFC 3501 IMAP4rev1, RFC 9051 IMAP4rev2 and the extensions in
// docs/protocols/imap.md). One run_session() serves one connection from greeting to
// close; src/app/engine_imap.cpp wires it to the imap and imaps listeners.
//
// States (RFC 3501 §3): not authenticated -> authenticated (LOGIN, AUTHENTICATE) ->
// selected (SELECT, EXAMINE) and back (CLOSE, UNSELECT, failed SELECT) -> logout.
// Outcomes the client sees:
//   admission refused        "* BYE Too many connections", close
//   server shutting down     "* BYE Server shutting down", close
//   idle too long            "* BYE Autologout; idle for too long", close (RFC 3501 §5.4)
//   bad command              "tag BAD ..." ("* BAD" without a readable tag); the
//                            max_bad_commands-th one in a row (no command completed
//                            with OK or NO in between) adds "* BYE Too many invalid
//                            commands"
//   wrong state              "tag BAD Command not valid in this state" (counts as bad)
//   over-limit literal       "tag BAD Literal too large" instead of "+" (synchronising);
//                            for APPEND's message "tag NO [TOOBIG] Message too large"
//                            (RFC 7889 §4);
//                            a literal over the inline limit is streamed into the blob
//                            store for APPEND, refused for every other command
//   memory budget exhausted  "* BYE Server busy, try again later", close
//   too many of one user     LOGIN/AUTHENTICATE "NO [UNAVAILABLE] Too many connections
//                            of this user from this address"
//   wrong credentials        after the FailureTracker's delay "tag NO [AUTHENTICATIONFAILED]"
//   plaintext not allowed    CAPABILITY says LOGINDISABLED and no AUTH=PLAIN/LOGIN;
//                            LOGIN and AUTHENTICATE PLAIN answer NO [PRIVACYREQUIRED]
//   store failure            "tag NO [code] ..." via reply_for (error_codes.h)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/failure_tracker.h"
#include "auth/policy.h"
#include "blob/blob_store.h"
#include "imap/proto/command_reader.h"
#include "mail/connections.h"
#include "mail/events.h"
#include "mail/store_watch.h"
#include "net/connection.h"
#include "net/memory_budget.h"
#include "net/runtime.h"
#include "net/server.h"
#include "store/api/store.h"

namespace postamt::imap {

// Named limits (docs/architecture.md, Limits).
struct SessionLimits {
  // Before login: small literals (a LOGIN password fits), so that an unauthenticated
  // client cannot make the server buffer much; the line still fits the largest legal ID
  // (RFC 2971 §3.3: 30 pairs of a 30-octet field and a 1024-octet value, quoted, which
  // escaping can double).
  proto::ReaderLimits unauthenticated{.max_line = proto::kMaxLineUnauthenticated,
                                      .max_literal = 8 * 1024,
                                      .max_inline_literal = 8 * 1024,
                                      .max_command = 80 * 1024,
                                      .max_discard = 16 * 1024,
                                      .non_sync = proto::NonSyncLiterals::literal_plus};
  proto::ReaderLimits authenticated{};
  // Syntax errors, unknown commands, commands in the wrong state, one after the other;
  // the one that reaches this count closes the connection. A command answered OK or NO
  // starts the count again, so a client that sends the odd bad command keeps its session
  // (as Dovecot does, with the same default).
  uint32_t max_bad_commands = 20;
  // SORT's values kept per selected mailbox ([imap] sort_cache, mail/sort.h).
  uint64_t sort_cache = 16ull * 1024 * 1024;
  // RFC 3501 §5.4: at least 30 minutes once authenticated; shorter before.
  net::Duration idle_timeout_authenticated = std::chrono::minutes(30);
  net::Duration idle_timeout_unauthenticated = std::chrono::minutes(2);
  // From connect to a successful login, whatever the client sends meanwhile (NOOP,
  // CAPABILITY, one byte at a time): "* BYE Login time exceeded" and close.
  net::Duration login_timeout = std::chrono::seconds(60);
  // A command line whose first octet arrived must reach its LF (or a literal's
  // announcement) within this: "* BYE Command line not completed in time" and close.
  // Literal octets are not counted: they get the idle timeout per read.
  net::Duration line_timeout = std::chrono::seconds(60);
  net::Duration write_timeout = std::chrono::minutes(10);
  net::Duration tls_handshake_timeout = std::chrono::seconds(30);
  size_t read_chunk_octets = 16 * 1024;
  // How often an IDLE session looks for news (RFC 2177). With a StoreWatch this reads an
  // atomic; the store is asked only when its version moved.
  net::Duration idle_poll_interval = std::chrono::milliseconds(250);
  // NOTIFY (RFC 5465 §5.8): the most notifications one look may produce; beyond it the
  // session sends "* OK [NOTIFICATIONOVERFLOW]" and behaves as after NOTIFY NONE.
  size_t notify_max_changes = 1000;
};

enum class StartTlsSupport { available, unavailable };

// What every session shares. Everything pointed to must outlive every session; store
// calls go through runtime->run_blocking.
struct Services {
  net::Runtime* runtime = nullptr;
  store::Store* store = nullptr;
  blob::BlobStore* blobs = nullptr;
  auth::FailureTracker* auth_failures = nullptr;  // may be null: no failure delays
  mail::DownloadObserver* downloads = nullptr;    // may be null: downloads are not reported
  // may be null: IDLE then asks the store itself at every poll interval
  const mail::StoreWatch* watch = nullptr;
  PlaintextAuth plaintext = PlaintextAuth::never;
  // Whether Connection::start_tls can work. Ignored on a connection that is already TLS.
  StartTlsSupport starttls = StartTlsSupport::unavailable;
  // may be null: no limit of sessions per account and remote address
  mail::ConnectionsPerUser* user_connections = nullptr;
  // may be null: no bound on the memory all sessions' commands hold together; beyond
  // it, the session that needs more says "* BYE Server busy" and closes
  net::MemoryBudget* command_memory = nullptr;
  // UTF8=ACCEPT (RFC 6855) offered ([imap] utf8_accept). When it is, an APPEND whose
  // header holds 8-bit octets is refused until the client enables it (§4); when it is
  // not, such messages are taken as they are, as before the extension.
  bool utf8_accept = true;
  // Addresses, lower-cased, that may use SETQUOTA and name other accounts' quota roots
  // ([quota] admins); they also see QUOTASET.
  std::vector<std::string> quota_admins;
  SessionLimits limits;
};

// Serves `connection` until LOGOUT, the connection ends, or the server shuts down;
// never throws for client or store errors. `connection` must outlive the returned
// awaitable. Runs on the connection's executor; `context.service` names the log lines.
net::awaitable<void> run_session(net::Connection& connection, net::SessionContext context,
                                 const Services* services);

}  // namespace postamt::imap
