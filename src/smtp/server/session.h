// The SMTP server session (RFC 5321) for the MX listener and the submission listeners
// (RFC 6409 on STARTTLS, RFC 8314 implicit TLS). One call of run_session() serves one
// connection from greeting to close.
//
// What it does, in short (docs/protocols/smtp.md has the full list):
//   - EHLO/HELO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT, VRFY (252), HELP, STARTTLS,
//     AUTH PLAIN/LOGIN; PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, DSN,
//     CHUNKING.
//   - Every message goes through one delivery::Transaction (Received prepended here;
//     Return-Path and Original-Recipient added there to local copies); 250 is sent only
//     after the commit returned, local copies and queued remote part durable. Remote
//     recipients are accepted only from authenticated sessions (554 5.7.1 otherwise)
//     and refused with 451 4.3.0 while Services::delivery has no outbound queue.
//   - Submission modes require AUTH before MAIL (530 5.7.0); an authenticated sender
//     may only use its own addresses (553 5.7.1 at MAIL, 550 5.7.1 for the originator
//     header fields). Without AUTH, a sender in a local domain is refused (550 5.7.1)
//     unless the client is in Options::trusted_networks.
//   - Refused MAIL and RCPT commands are logged Postfix-style (Session::log_reject).
//
// Threads: run_session runs on the connection's strand; every store, blob, queue and
// password call goes through Services::runtime->run_blocking.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/failure_tracker.h"
#include "auth/policy.h"
#include "base/ip_network.h"
#include "delivery/submission_check.h"
#include "delivery/transaction.h"
#include "mailauth/checker.h"
#include "net/connection.h"
#include "net/runtime.h"
#include "net/server.h"
#include "smtp/proto/data_decoder.h"

namespace postamt::smtp::server {

enum class Mode {
  mx,          // port 25: mail for local domains without AUTH; relaying only when authenticated
  submission,  // port 587 (STARTTLS) or 465 (implicit TLS): AUTH required before MAIL
};

enum class StartTlsOffer { offered, unavailable };  // unavailable: no certificate

// Named limits (docs/architecture.md, Limits); each is hit by a test in session_test.cpp.
struct Limits {
  size_t max_command_line = 512;  // octets incl. CRLF (RFC 5321 §4.5.3.1.4)
  size_t max_auth_line = 12288;   // AUTH command and SASL responses (RFC 4954 §4)
  size_t max_text_line = 1000;    // octets incl. CRLF in the message (RFC 5321 §4.5.3.1.6)
  uint64_t max_message_size = 50u * 1024 * 1024;  // octets as received; SIZE advertises it
  size_t max_recipients = 100;                    // RCPT per message (RFC 5321 §4.5.3.1.8)
  size_t max_errors = 10;                         // bad commands before "421 4.7.0" and close
  size_t max_received_headers = 50;               // more is a mail loop: 554 5.4.6 (RFC 5321 §6.3)
  std::chrono::milliseconds command_timeout{5 * 60 * 1000};  // per command (§4.5.3.2.7)
  // A command line whose first octet arrived must be complete within this, however its
  // bytes trickle in (the wait before it is command_timeout's).
  std::chrono::milliseconds line_timeout{60 * 1000};
  std::chrono::milliseconds data_timeout{10 * 60 * 1000};  // one whole DATA or BDAT chunk
  std::chrono::milliseconds tls_timeout{30 * 1000};        // STARTTLS handshake
  // A bare CR or LF in DATA or BDAT (RFC 5321 §2.3.8): stored as CRLF, or the message
  // refused with 550 5.6.0. The end of DATA is <CRLF>.<CRLF> either way.
  proto::BareLineEnds bare_newline = proto::BareLineEnds::normalize;
};

// Shared services; all outlive every session. `delivery` needs its store and blobs; its
// outbound queue may be null (remote recipients refused). `submission_check` may be
// null (every submitted message is accepted).
struct Services {
  net::Runtime* runtime = nullptr;
  auth::FailureTracker* auth_failures = nullptr;
  delivery::Services delivery;
  delivery::SubmissionCheck* submission_check = nullptr;  // consulted in Mode::submission only
  // DKIM, SPF, ARC and DMARC on mail from outside (Mode::mx, not authenticated, not from
  // a trusted network): the Authentication-Results field is prepended and DMARC's policy
  // applied (mailauth/checker.h). Null: no checks. Forged Authentication-Results fields
  // carrying our host name are removed from every message either way (RFC 8601 §5).
  const mailauth::Checker* mail_auth = nullptr;
};

struct Options {
  Mode mode = Mode::mx;
  std::string hostname;  // greeting, Received "by", EHLO reply
  PlaintextAuth plaintext = PlaintextAuth::never;
  StartTlsOffer starttls = StartTlsOffer::offered;
  Limits limits;
  // Clients that may use a sender address of a local domain without AUTH (MX only; the
  // rest get 550 5.7.1: outside mail does not come from local users).
  std::vector<IpNetwork> trusted_networks;
  // Injected for tests (docs/architecture.md, Tests): wall clock for the Received date, queue ids.
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
  std::function<std::string()> queue_id;  // empty: random Postfix-style ids
};

// Serves one connection until QUIT, a fatal error, the deadline of a command, or server
// shutdown (then "421 4.3.2"). An over-limit admission gets "421 4.7.0" and nothing
// else. Never throws for protocol or I/O errors; logs under service "smtpd".
net::awaitable<void> run_session(std::unique_ptr<net::Connection> connection,
                                 net::SessionContext context, Services services, Options options);

// A random 12-character queue id of [0-9A-Z] (Postfix long ids look alike).
std::string random_queue_id();

}  // namespace postamt::smtp::server
