// The delivery worker: takes due messages from the FileQueue, routes them (relay or MX),
// hands them to the SMTP client, records per-recipient results, retries with backoff,
// and bounces (RFC 3464) what failed or expired.
//
// Log lines (service "smtp", Postfix style), one per recipient and attempt:
//   <id>: to=<b@y>, relay=host[ip]:port, delay=1.2, dsn=2.0.0, status=sent (250 ...)
//   <id>: to=<b@y>, relay=none, delay=0, dsn=4.4.1, status=deferred (connect to ...)
//   <id>: to=<b@y>, relay=..., dsn=5.1.1, status=bounced (550 ...)
// and per message "<id>: sender non-delivery notification: <dsn id>" (the DSN's own lines
// follow under <dsn id>, delivery/message_log.h) and "<id>: removed" (service "qmgr").
// <id> is the id the message was accepted under (the SMTP server's, delivery/outbound.h).
// The results are recorded under the queue lock (FileQueue::lock), which is not held
// during the network exchange: the file is reloaded, `held` and an admin's new next
// attempt time are kept, and a file an admin removed meanwhile stays removed, with
// "<id>: removed by the admin during delivery; results of this attempt dropped".
//
// Threads: the coroutines run on the runtime's executor; disk and DNS go through
// Runtime::run_blocking. One Worker runs one attempt at a time.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "delivery/transaction.h"
#include "dns/resolver.h"
#include "net/runtime.h"
#include "net/tls.h"
#include "queue/retry.h"
#include "queue/route.h"
#include "queue/spool.h"
#include "smtp/client/client.h"

namespace postamt::queue {

// Named limits (docs/architecture.md, Limits).
struct WorkerOptions {
  std::string hostname;  // EHLO name, Reporting-MTA, MAILER-DAEMON@hostname
  RouteOptions route;
  RetryPolicy retry;
  net::Duration poll_interval = std::chrono::seconds(1);  // queue directory scan period
  net::Duration connect_timeout = std::chrono::seconds(30);
  smtp::client::Timeouts timeouts;
  std::shared_ptr<const net::TlsClientContext> tls;  // null: never STARTTLS
};

// Everything a worker uses. `local` delivers DSNs to local senders (its `outbound` is
// ignored: DSNs for remote senders go into `queue`); with its store and blobs null, DSNs
// for local senders are queued like any other (and come back to us over SMTP).
struct WorkerDeps {
  FileQueue* queue = nullptr;
  dns::Resolver* resolver = nullptr;
  net::Runtime* runtime = nullptr;
  delivery::Services local;
};

class Worker {
 public:
  Worker(WorkerDeps deps, WorkerOptions options) : deps_(deps), options_(std::move(options)) {}

  // One pass: every message that is due (next attempt <= now, not held) gets one
  // attempt. Corrupt files are quarantined and logged. Returns the number of attempts.
  net::awaitable<size_t> run_once();

  // run_once every poll_interval until stop(). Spawn it on the runtime.
  net::awaitable<void> run();
  void stop() { stopped_ = true; }

  // One attempt for one message, whether due or not (`postamt queue retry` path).
  // Errors: those of loading and saving the queue file; a file that does not parse
  // (invalid) has been moved to corrupt/ (the message says so).
  net::awaitable<Result<void>> attempt(std::string id);

 private:
  WorkerDeps deps_;
  WorkerOptions options_;
  std::atomic<bool> stopped_{false};
};

// Delivers a DSN through a delivery::Transaction over `local` with `queue` as its
// outbound queue: into the INBOX when its recipient is local (the transaction adds
// "Return-Path: <>"), else into `queue`. Without local.store and local.blobs it is put
// into `queue` as it is. Returns the DSN's own queue id, under which its acceptance,
// local delivery and removal are logged (delivery/message_log.h). Blocking. Errors: the
// transaction's or the queue's; not_found: the local address names no account (the DSN
// is then dropped by the caller).
Result<std::string> deliver_dsn(const delivery::OutboundMessage& dsn, FileQueue& queue,
                                const delivery::Services& local);

}  // namespace postamt::queue
