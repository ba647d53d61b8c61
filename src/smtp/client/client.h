// The outbound SMTP client (RFC 5321 §3, §4) used by the queue's delivery worker: one
// mail transaction over an open Connection, with opportunistic STARTTLS (RFC 3207,
// RFC 7435) and the SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531) and DSN
// (RFC 3461) parameters when the server offers them.
//
// Sequence: (TLS handshake first with implicit TLS, RFC 8314 §3.3), greeting, EHLO (HELO
// if EHLO is refused with 5xx), STARTTLS if offered and a TLS context is given, EHLO
// again, AUTH when credentials are given (RFC 4954), MAIL FROM, one RCPT TO per recipient,
// DATA with dot-stuffing (RFC 5321 §4.5.2), QUIT. Commands are sent one at a time (no
// PIPELINING).
//
// TLS requirement (Options::tls_requirement): with `none`, STARTTLS is opportunistic
// (RFC 7435: a server that does not offer it gets the mail in plaintext). With any other
// requirement TLS is mandatory: a server that does not offer STARTTLS, refuses it, or
// whose certificate fails the check gets no MAIL FROM; every recipient is deferred with
// 4.7.4 (no STARTTLS: RFC 3463 §3.8 "security features not supported") or 4.7.5 (the
// certificate or the handshake failed: "cryptographic failure"), a diagnostic such as
// "TLS required by DANE for mx.example.org: certificate does not match the TLSA records",
// and Delivery::tls_failure set. Plaintext is never the fallback.
//
// Threads: runs on the connection's executor; one call per connection.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/connection.h"
#include "net/tls.h"

namespace postamt::smtp::client {

enum class Outcome { sent, deferred, failed };

struct Recipient {
  std::string address;  // forward path without angle brackets
  std::string orcpt;    // "rfc822;addr" (decoded) or empty: sent as ORCPT when DSN is offered
  std::string notify;   // "NEVER", "SUCCESS,FAILURE", ... or empty: sent when DSN is offered
};

enum class DsnReturn { unspecified, full, headers };

struct Envelope {
  std::string sender;  // reverse path without angle brackets; "" = null sender
  std::vector<Recipient> recipients;
  std::string envid;  // decoded; sent as ENVID when DSN is offered
  DsnReturn ret = DsnReturn::unspecified;
  std::string body;  // the complete message, CRLF line ends, not dot-stuffed
};

// RFC 5321 §4.5.3.2 timeouts (named limits, docs/architecture.md, Limits).
struct Timeouts {
  net::Duration greeting = std::chrono::minutes(5);
  net::Duration command = std::chrono::minutes(5);  // EHLO, STARTTLS, MAIL, RCPT, QUIT
  net::Duration data_start = std::chrono::minutes(2);
  net::Duration data_block = std::chrono::minutes(3);  // writing the body
  net::Duration data_end = std::chrono::minutes(10);   // the reply after "."
  net::Duration tls_handshake = std::chrono::minutes(1);
};

// What TLS a delivery needs (see the file comment).
enum class TlsRequirement {
  none,     // opportunistic STARTTLS, no certificate checks
  encrypt,  // TLS mandatory, any certificate (RFC 7672 §2.2: secure but unusable TLSA)
  verify,   // TLS mandatory, PKIX chain and a name in tls_names (RFC 6125, RFC 8461 §4.2)
  dane,     // TLS mandatory, the certificate matches `tlsa` (RFC 7672 §3)
};

// Smart-host credentials (RFC 4954). Sent only over TLS.
struct Credentials {
  std::string username;
  std::string password;
};

struct Options {
  std::string helo_name;  // our host name, sent in EHLO/HELO
  // STARTTLS is used when offered and this is set; a failed handshake defers (the
  // connection is unusable afterwards). Null: never STARTTLS.
  std::shared_ptr<const net::TlsClientContext> tls;
  std::string server_name;  // SNI and certificate name (the MX host name)
  Timeouts timeouts;
  TlsRequirement tls_requirement = TlsRequirement::none;
  // Reference names for verify and dane, most specific first; empty: {server_name}.
  // For dane the first is the TLSA base domain (RFC 7672 §3.2.2).
  std::vector<std::string> tls_names;
  std::vector<net::TlsaAssociation> tlsa;  // for dane
  // Who asks for TLS, for the diagnostic: "DANE", "MTA-STS", "policy", "the relay".
  std::string tls_required_by = "policy";
  // With TlsRequirement::none: check the certificate against tls_names anyway and report
  // the result in Delivery::tls (check_failure), never failing on it (RFC 8461 §5,
  // MTA-STS "testing").
  bool tls_report_only = false;
  // True: TLS handshake right after connecting, before the greeting (RFC 8314 §3.3,
  // port 465); the requirement then applies to that handshake. Needs `tls`.
  bool implicit_tls = false;
  // When set: AUTH PLAIN (RFC 4616), or LOGIN when the server offers only LOGIN, after
  // TLS. Without TLS the credentials are never sent: the delivery is deferred (4.7.0),
  // like a server that offers neither mechanism (4.7.0) or refuses them (535 and other
  // replies: 4.7.8, deferred, so that fixed credentials deliver on the next attempt).
  std::optional<Credentials> credentials;
};

struct RecipientResult {
  Outcome outcome = Outcome::deferred;
  std::string status;      // RFC 3463 code: from the reply, or derived from its class
  std::string diagnostic;  // the reply as one line ("550 5.1.1 no such user") or a local
                           // reason ("lost connection while sending RCPT TO")
  // True when the server accepted the recipient with our NOTIFY (DSN offered): it, not
  // we, reports success or relay (RFC 3461 §5.2.2).
  bool dsn_passed_on = false;
};

struct Delivery {
  std::vector<RecipientResult> recipients;  // one per Envelope::recipients, same order
  std::optional<net::TlsInfo> tls;          // set when STARTTLS succeeded
  // Set when a TLS requirement was not met: the RFC 8460 §4.3 result type
  // ("starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
  // "certificate-not-trusted", "tlsa-invalid", "validation-failure"). Nothing of the
  // message was sent then.
  std::string tls_failure;
};

// Runs one transaction. Never fails as a whole: every failure becomes per-recipient
// results (4xx and network errors: deferred; 5xx: failed; a 5xx to MAIL or DATA fails
// every recipient it concerns). Sends QUIT before returning whenever the connection is
// still usable.
net::awaitable<Delivery> deliver(net::Connection& connection, Envelope envelope, Options options);

// The AUTH PLAIN command with its initial response (RFC 4954 §4, RFC 4616 §2: empty
// authorization identity, NUL, user, NUL, password, base64). Pure.
std::string auth_plain_command(const Credentials& credentials);

// Dot-stuffs `body` for DATA and appends the terminating ".\r\n" (adding a CRLF first
// if the body does not end with one). Pure.
std::string dot_stuff(std::string_view body);

}  // namespace postamt::smtp::client
