// The delivery worker: takes due messages from the FileQueue, routes them (relay or MX),
// hands them to the SMTP client, records per-recipient results, retries with backoff,
// and bounces (RFC 3464) what failed or expired.
//
// TLS: per next hop, tls_policy.h's decide_tls says which TLS the delivery needs; a hop
// whose TLS requirement fails (no STARTTLS, a certificate that does not verify or match
// the TLSA records, a failed TLSA lookup) gets nothing of the message, and the next MX
// is tried (RFC 7672 §2.2, RFC 8461 §5); when none is left, the recipients stay deferred
// with that reason ("4.7.5 TLS required by DANE for mx.example.org: certificate does not
// match the TLSA records"). Every attempt's TLS outcome goes to WorkerDeps::tls_reports.
//
// Log lines (service "smtp", Postfix style), one per recipient and attempt:
//   <id>: to=<b@y>, relay=host[ip]:port, delay=1.2, dsn=2.0.0, status=sent (250 ...)
//   <id>: to=<b@y>, relay=none, delay=0, dsn=4.4.1, status=deferred (connect to ...)
//   <id>: to=<b@y>, relay=..., dsn=5.1.1, status=bounced (550 ...)
// and per message "<id>: sender non-delivery notification: <dsn id>" (the DSN's own lines
// follow under <dsn id>, delivery/message_log.h) and "<id>: removed" (service "qmgr").
// With DKIM keys (WorkerDeps::dkim), each attempt first signs the message with every key
// of its From domain (docs/mail-authentication/dkim.md) and logs
//   <id>: dkim-signed d=example.org s=rsa-20261207, d=example.org s=ed25519-20261207
// (one line per message, naming every signature); the queue file keeps the unsigned
// message (DSNs return it as accepted). Relayed mail (OutboundMessage::relayed) is never
// signed.
// <id> is the id the message was accepted under (the SMTP server's, delivery/outbound.h).
//
// Claims (spool.h): the worker takes messages with Spool::claim_due under its own owner
// id (owner(): host name, pid and a random part, one per Worker), renews the claim every
// third of WorkerOptions::claim_lease while an attempt runs, and releases it once the
// results are recorded. With StoreQueue this is what lets several nodes share one queue:
// a message is attempted by one node at a time, and a dead node's messages are taken
// over when its leases end. Each message of a claimed batch has its claim renewed to a
// whole lease just before its attempt, and is skipped when that fails (an earlier slow
// attempt may have outlasted its lease). A renewal that finds the claim lost (the node
// stalled past its lease and another took the message over), or that keeps failing until
// two thirds of the lease are gone (the database unreachable), stops the attempt before
// its next destination or next host; what was already said on the wire cannot be taken
// back.
//
// Recording results, with the queue changing meanwhile (the lock or transaction of
// Spool::update is never held during the network exchange): the message is reloaded and
// this attempt's results merged into it; `held` and an admin's new next attempt time are
// kept, and a message an admin removed meanwhile stays removed, with
//   <id>: removed by the admin during delivery; results of this attempt dropped
// Notifications (DSNs) are built from that merge and queued or delivered before the
// message is saved (a crash in between repeats the attempt and its notification rather
// than losing it); the save itself merges once more inside Spool::update. When the claim
// was lost AND another claimant recorded an attempt meanwhile (the attempt count moved),
// this attempt's results are dropped, so that the message's state is the other node's:
//   <id>: claim lost to another node during delivery; results of this attempt dropped
// When the claim was lost but nobody recorded anything yet, the results are recorded:
// they are the only record of what was sent, and the recipients they mark sent or failed
// are not tried again.
//
// Threads: the coroutines run on the runtime's executor; disk, database and DNS go through
// Runtime::run_blocking. One Worker runs one attempt at a time.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "delivery/transaction.h"
#include "dns/resolver.h"
#include "mailauth/dkim/keyring.h"
#include "net/runtime.h"
#include "net/tls.h"
#include "queue/retry.h"
#include "queue/route.h"
#include "queue/spool.h"
#include "queue/tls_policy.h"
#include "smtp/client/client.h"

namespace postamt::queue {

// Named limits (docs/architecture.md, Limits).
struct WorkerOptions {
  std::string hostname;  // EHLO name, Reporting-MTA, MAILER-DAEMON@hostname
  RouteOptions route;
  RetryPolicy retry;
  net::Duration poll_interval = std::chrono::seconds(1);  // queue scan period
  // How many due messages one pass claims (run_once attempts them one after another).
  size_t claim_batch = 16;
  // How long a claim lasts without renewal ([outbound] claim_lease); renewed every third.
  std::chrono::seconds claim_lease{120};
  net::Duration connect_timeout = std::chrono::seconds(30);
  smtp::client::Timeouts timeouts;
  // Trust store (system or [outbound] ca_file) for verified deliveries; null: never
  // STARTTLS, and deliveries that need TLS are deferred.
  std::shared_ptr<const net::TlsClientContext> tls;
  // TLS for MX deliveries: the mode per destination domain (tls_policy.h).
  TlsPolicyConfig tls_policy;
  // TLS for the relay (route.relay). When required (relay_tls set or credentials given),
  // TLS is mandatory and the certificate PKIX-verified against the relay's host name;
  // otherwise STARTTLS is opportunistic, as for an MX without a policy.
  bool relay_tls_required = false;
  bool relay_implicit_tls = false;  // RFC 8314: TLS on connect (port 465)
  std::optional<smtp::client::Credentials> relay_credentials;
};

// Everything a worker uses. `local` delivers DSNs to local senders (its `outbound` is
// ignored: DSNs for remote senders go into `queue`); with its store and blobs null, DSNs
// for local senders are queued like any other (and come back to us over SMTP).
struct WorkerDeps {
  Spool* queue = nullptr;
  dns::Resolver* resolver = nullptr;
  net::Runtime* runtime = nullptr;
  delivery::Services local;
  // Signs outbound messages (null or empty: sent unsigned). Outlives the worker.
  const dkim::KeyRing* dkim = nullptr;
  StsPolicySource* sts = nullptr;         // MTA-STS policies; null: none are known
  TlsAttemptSink* tls_reports = nullptr;  // TLS-RPT data; null: not recorded
};

class Worker {
 public:
  Worker(WorkerDeps deps, WorkerOptions options);

  // One pass: claims up to claim_batch due messages (next attempt <= now, not held, not
  // claimed by another) and gives each one attempt. Messages that do not read back are
  // quarantined and logged. Returns the number of attempts.
  net::awaitable<size_t> run_once();

  // run_once every poll_interval until stop(). Spawn it on the runtime.
  net::awaitable<void> run();
  void stop() { stopped_ = true; }

  // One attempt for one message, whether due or not: claims it first. Errors: temporary
  // "<id> is being delivered by <owner>" when another holds a live claim; those of
  // loading and saving the message; one that does not parse (invalid) has been
  // quarantined (the message says so).
  net::awaitable<Result<void>> attempt(std::string id);

  // The claim owner id of this worker: "<hostname>:<pid>:<8 hex digits>".
  const std::string& owner() const { return owner_; }

 private:
  enum class Outcome { attempted, not_attempted };
  // The attempt itself, for a message this worker has claimed.
  net::awaitable<Result<Outcome>> attempt_claimed(std::string id);
  void report_tls(const TlsAttempt& attempt) {
    if (deps_.tls_reports) deps_.tls_reports->record(attempt);
  }

  WorkerDeps deps_;
  WorkerOptions options_;
  std::string owner_;
  std::atomic<bool> stopped_{false};
};

// Delivers a DSN through a delivery::Transaction over `local` with `queue` as its
// outbound queue: into the INBOX when its recipient is local (the transaction adds
// "Return-Path: <>"), else into `queue`. Without local.store and local.blobs it is put
// into `queue` as it is. Returns the DSN's own queue id, under which its acceptance,
// local delivery and removal are logged (delivery/message_log.h). Blocking. Errors: the
// transaction's or the queue's; not_found: the local address names no account (the DSN
// is then dropped by the caller).
Result<std::string> deliver_dsn(const delivery::OutboundMessage& dsn, Spool& queue,
                                const delivery::Services& local);

}  // namespace postamt::queue
