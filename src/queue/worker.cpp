#include "queue/worker.h"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>

#include "base/log.h"
#include "base/strings.h"
#include "delivery/message_log.h"
#include "delivery/transaction.h"
#include "metrics/catalog.h"
#include "net/server.h"
#include "queue/dsn.h"

// See smtp/client/client.cpp: g++ 12 false positive on Asio's coroutine frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace postamt::queue {
namespace {

constexpr std::string_view kService = "smtp";
constexpr log::Level kInfo = log::Level::info;

std::string domain_of(const std::string& address) {
  size_t at = address.rfind('@');
  return at == std::string::npos ? std::string() : ascii_lower(address.substr(at + 1));
}

std::string notify_param(const delivery::Notify& n) {
  if (n.never) return "NEVER";
  std::vector<std::string> parts;
  if (n.success) parts.push_back("SUCCESS");
  if (n.failure) parts.push_back("FAILURE");
  if (n.delay) parts.push_back("DELAY");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

std::string format_delay(TimePoint arrival, TimePoint now) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - arrival).count();
  if (ms < 0) ms = 0;
  return fmt::format("{}.{}", ms / 1000, (ms % 1000) / 100);
}

// A file that does not parse is moved to corrupt/ so that it is not tried again and an
// admin can look at it (spool.h). Returns the error to log, saying where the file went.
net::awaitable<Error> quarantine(net::Runtime* runtime, Spool* q, std::string id, Error why) {
  auto move_task = runtime->run_blocking([q, id] { return q->quarantine(id); });
  auto moved = co_await std::move(move_task);
  if (!moved)
    co_return Error{
        why.kind, fmt::format("{}; not moved to corrupt/: {}", why.message, moved.error().message)};
  co_return Error{why.kind, why.message + "; moved to corrupt/"};
}

struct GroupOutcome {
  bool attempted = false;       // false: skipped because the claim was lost
  std::vector<size_t> indices;  // recipients of this domain
  std::vector<smtp::client::RecipientResult> results;
  std::string relay = "none";  // "host[ip]:port" of the server that answered
  std::string remote_host;
};

// The relay's TLS (WorkerOptions): verified against its name when required.
TlsDecision relay_decision(const WorkerOptions& options, const Hop& hop) {
  TlsDecision d;
  d.policy_type = "no-policy-found";
  if (options.relay_tls_required) {
    d.requirement = smtp::client::TlsRequirement::verify;
    d.names = {hop.host};
    d.required_by = "the relay settings";
  }
  return d;
}

void apply_decision(const TlsDecision& d, smtp::client::Options& o) {
  o.tls_requirement = d.requirement;
  o.tls_names = d.names;
  o.tlsa = d.tlsa;
  if (!d.required_by.empty()) o.tls_required_by = d.required_by;
  o.tls_report_only = d.report_only;
}

// What one connection's TLS came to, for TLS-RPT (RFC 8460 §4.4).
TlsAttempt tls_outcome(const std::string& domain, const Hop& hop, const TlsDecision& decision,
                       const smtp::client::Delivery& result) {
  TlsAttempt a{domain, decision.policy_type, hop.host, hop.address, false, "", ""};
  if (!result.tls_failure.empty()) {
    a.failure = result.tls_failure;
    if (!result.recipients.empty()) a.detail = result.recipients[0].diagnostic;
  } else if (!result.tls) {
    a.failure = "starttls-not-supported";
  } else if (!result.tls->check_failure.empty()) {
    a.failure = result.tls->check_failure;  // MTA-STS testing: reported only
    a.detail = "certificate check failed (policy in testing mode)";
  } else {
    a.success = true;
  }
  return a;
}

}  // namespace

Result<std::string> deliver_dsn(const delivery::OutboundMessage& dsn, Spool& queue,
                                const delivery::Services& local) {
  if (!local.store || !local.blobs) {
    delivery::OutboundMessage queued = dsn;
    queued.queue_id = delivery::new_queue_id();
    auto id = queue.enqueue(queued);
    POSTAMT_TRY(id);
    log::message(kInfo, "qmgr", *id, "from=<{}>, size={}, nrcpt={} (queue active)",
                 dsn.envelope_sender, dsn.body.size(), dsn.recipients.size());
    return *id;
  }
  delivery::Services services = local;
  services.outbound = &queue;
  delivery::Transaction tx(services, "");
  const delivery::OutboundRecipient& to = dsn.recipients.at(0);
  delivery::RecipientOptions options;
  options.notify = to.notify;
  auto added = tx.add_recipient(to.address, options);
  POSTAMT_TRY(added);
  tx.set_dsn(dsn.ret, dsn.envid);
  tx.set_body(dsn.body);
  auto committed = tx.commit();
  POSTAMT_TRY(committed);
  delivery::log_committed(tx, *committed);
  return committed->id;
}

namespace {

struct AttemptRecord {
  const QueuedMessage& loaded;  // as read before the attempt
  const std::map<std::string, GroupOutcome>& groups;
  TimePoint now;
  std::string delay;
  std::string owner;  // this worker's claim owner id
};

// This attempt's results merged into `m` (the message as it is now), and what follows
// from them. Pure, so that Spool::update may run it again.
struct Merged {
  std::vector<DsnRecipient> dsn_recipients;
  std::vector<size_t> expired;  // recipients that failed because the message expired
  bool any_pending = false;
};

// Whether the results must be dropped: the claim was lost and another claimant recorded
// an attempt since this one loaded the message (worker.h).
bool superseded(const QueuedMessage& current, const AttemptRecord& record) {
  return current.claim_owner != record.owner && current.attempts != record.loaded.attempts;
}

Result<Merged> merge_results(QueuedMessage& m, const AttemptRecord& record,
                             const WorkerOptions& options) {
  if (m.message.recipients.size() != record.loaded.message.recipients.size())
    return Error{ErrorKind::invalid, "queue file changed its recipients during delivery"};
  Merged out;
  const TimePoint now = record.now;
  for (const auto& [domain, group] : record.groups) {
    if (!group.attempted) continue;
    for (size_t k = 0; k < group.indices.size(); ++k) {
      size_t i = group.indices[k];
      const auto& r = group.results[k];
      RecipientStatus& s = m.status[i];
      const delivery::OutboundRecipient& rcpt = m.message.recipients[i];
      if (s.state != RecipientState::pending) continue;  // recorded by someone else meanwhile
      s.status = r.status;
      s.diagnostic = r.diagnostic;
      s.remote_mta = group.remote_host;
      if (r.outcome == smtp::client::Outcome::sent) {
        s.state = RecipientState::sent;
        // RFC 3461 §5.2.2: the next hop did not take NOTIFY along, so we report "relayed".
        if (rcpt.notify.success && !rcpt.notify.never && !r.dsn_passed_on)
          out.dsn_recipients.push_back({i, DsnAction::relayed});
      } else if (r.outcome == smtp::client::Outcome::failed) {
        s.state = RecipientState::failed;
        if (rcpt.notify.failure && !rcpt.notify.never)
          out.dsn_recipients.push_back({i, DsnAction::failed});
      }
    }
  }
  for (const RecipientStatus& s : m.status)
    out.any_pending = out.any_pending || s.state == RecipientState::pending;
  ++m.attempts;
  // Held messages never expire into a bounce (admin_queue.h), also when held meanwhile.
  if (out.any_pending && !m.held && expired(m.arrival, now, options.retry)) {
    for (size_t i = 0; i < m.status.size(); ++i) {
      RecipientStatus& s = m.status[i];
      if (s.state != RecipientState::pending) continue;
      s.state = RecipientState::failed;
      s.status = "4.4.7";  // RFC 3463 §3.5: delivery time expired
      out.expired.push_back(i);
      const delivery::OutboundRecipient& rcpt = m.message.recipients[i];
      if (rcpt.notify.failure && !rcpt.notify.never)
        out.dsn_recipients.push_back({i, DsnAction::failed});
    }
    out.any_pending = false;
  }
  if (out.any_pending && !m.delay_warned && options.retry.delay_warning.count() > 0 &&
      now - m.arrival >= options.retry.delay_warning) {
    // RFC 3461 §4.1 NOTIFY=DELAY, and the default when NOTIFY is absent: one notice.
    m.delay_warned = true;
    for (size_t i = 0; i < m.status.size(); ++i) {
      const delivery::OutboundRecipient& rcpt = m.message.recipients[i];
      if (m.status[i].state == RecipientState::pending && rcpt.notify.delay && !rcpt.notify.never)
        out.dsn_recipients.push_back({i, DsnAction::delayed});
    }
  }
  // An admin's "retry" during the attempt set its own time: keep it.
  if (out.any_pending && m.next_attempt == record.loaded.next_attempt)
    m.next_attempt = next_attempt_after(m.attempts, now, options.retry);
  return out;
}

void send_notifications(Spool& q, const QueuedMessage& m, const Merged& merged,
                        const AttemptRecord& record, const WorkerOptions& options,
                        const delivery::Services& local) {
  for (size_t i : merged.expired) {
    log::message(kInfo, kService, m.id,
                 "to=<{}>, relay=none, delay={}, dsn=4.4.7, status=bounced (message expired; "
                 "last error: {})",
                 m.message.recipients[i].address, record.delay, m.status[i].diagnostic);
    metrics::catalog().queue_recipients.with({"bounced"}).inc();
  }
  // A message with a null sender never bounces (RFC 5321 §4.5.5, RFC 3464 §4).
  if (merged.dsn_recipients.empty() || m.message.envelope_sender.empty()) return;
  DsnOptions dsn_options;
  dsn_options.reporting_mta = options.hostname;
  dsn_options.now = record.now;
  dsn_options.will_retry_until = m.arrival + options.retry.max_age;
  static thread_local std::mt19937 rng{std::random_device{}()};
  auto dsn =
      build_dsn(m, merged.dsn_recipients, dsn_options, [] { return static_cast<uint32_t>(rng()); });
  if (!dsn) {
    log::message(log::Level::error, kService, m.id,
                 "cannot build the delivery status notification: {}", dsn.error().message);
    return;
  }
  auto sent = deliver_dsn(*dsn, q, local);
  bool any_failed = false, any_delayed = false;
  for (const auto& r : merged.dsn_recipients) {
    any_failed = any_failed || r.action == DsnAction::failed;
    any_delayed = any_delayed || r.action == DsnAction::delayed;
  }
  std::string_view kind = "delivery status";
  if (any_failed)
    kind = "non-delivery";
  else if (any_delayed)
    kind = "delay";
  // Postfix's link from a message to its bounce: the DSN's own id, whose lines follow.
  if (sent)
    log::message(kInfo, kService, m.id, "sender {} notification: {}", kind, *sent);
  else
    log::message(log::Level::error, kService, m.id, "delivery status notification to <{}> lost: {}",
                 m.message.envelope_sender, sent.error().message);
}

void log_dropped(const std::string& id, std::string_view why) {
  log::message(kInfo, kService, id, "{} during delivery; results of this attempt dropped", why);
}

// Everything after the network exchange, on the blocking pool (worker.h, "Recording
// results"): reload the message (an admin or another node may have changed it), merge
// this attempt's results, send notifications, then merge again and save or remove in
// one Spool::update.
Result<void> record_attempt(Spool& q, const AttemptRecord& record, const WorkerOptions& options,
                            const delivery::Services& local) {
  const std::string& id = record.loaded.id;
  auto current = q.load(id);
  if (!current && current.error().kind == ErrorKind::not_found) {
    log_dropped(id, "removed by the admin");
    return {};
  }
  POSTAMT_TRY(current);
  if (superseded(*current, record)) {
    log_dropped(id, "claim lost to another node");
    return {};
  }
  QueuedMessage& m = *current;
  auto merged = merge_results(m, record, options);
  POSTAMT_TRY(merged);
  send_notifications(q, m, *merged, record, options, local);

  enum class Done { saved, removed, dropped } done = Done::saved;
  auto updated = q.update(id, [&](QueuedMessage& now) -> Result<Change> {
    if (superseded(now, record)) {
      done = Done::dropped;
      return Change::keep;
    }
    auto again = merge_results(now, record, options);
    POSTAMT_TRY(again);
    done = again->any_pending ? Done::saved : Done::removed;
    return again->any_pending ? Change::save : Change::remove;
  });
  if (!updated && updated.error().kind == ErrorKind::not_found) {
    log_dropped(id, "removed by the admin");
    return {};
  }
  POSTAMT_TRY(updated);
  if (done == Done::dropped) log_dropped(id, "claim lost to another node");
  if (done == Done::removed) log::message(kInfo, "qmgr", id, "removed");
  return {};
}

// The claim renewal that runs next to an attempt (worker.h, Claims).
struct Renewal {
  std::atomic<bool> done{false};    // set by the attempt when it is over
  std::atomic<bool> lost{false};    // set by the renewal: another took the message over
  std::atomic<bool> exited{false};  // set by the renewal when it returns
};

// How often the renewal looks whether its attempt is over.
constexpr auto kRenewalTick = std::chrono::milliseconds(20);

net::awaitable<void> keep_claim(net::Runtime* runtime, Spool* q, std::string id, std::string owner,
                                std::chrono::seconds lease, std::shared_ptr<Renewal> state) {
  using Steady = std::chrono::steady_clock;
  const auto period = std::max<Steady::duration>(lease / 3, std::chrono::seconds(1));
  auto due = Steady::now() + period;
  // The claim was renewed (or taken) at most this long ago. When renewals keep failing (the
  // database is unreachable), the lease is treated as lost a third of it before it would
  // end by this node's clock, which leaves the margin for the database's clock to differ:
  // after that another node may take the message, and this attempt must stop.
  auto last_renewed = Steady::now();
  while (!state->done) {
    co_await net::sleep(kRenewalTick);
    if (state->done || Steady::now() < due) continue;
    auto renew_task =
        runtime->run_blocking([q, id, owner, lease] { return q->renew_claim(id, owner, lease); });
    auto renewed = co_await std::move(renew_task);
    due = Steady::now() + period;
    if (!renewed) {
      if (Steady::now() >= last_renewed + lease - period) {
        log::message(log::Level::warning, kService, id,
                     "cannot renew the delivery claim before its lease ends ({}); stopping this "
                     "attempt",
                     renewed.error().message);
        state->lost = true;
        break;
      }
      // The lease still runs; try again at the next period.
      log::message(log::Level::warning, kService, id, "cannot renew the delivery claim: {}",
                   renewed.error().message);
    } else if (*renewed) {
      last_renewed = Steady::now();
    } else {
      log::message(log::Level::warning, kService, id,
                   "delivery claim lost to another node; stopping this attempt");
      state->lost = true;
      break;
    }
  }
  state->exited = true;
}

std::string make_owner(const std::string& hostname) {
  std::random_device random;
  return fmt::format("{}:{}:{:08x}", hostname.empty() ? "localhost" : hostname, ::getpid(),
                     static_cast<uint32_t>(random()));
}

}  // namespace

Worker::Worker(WorkerDeps deps, WorkerOptions options)
    : deps_(deps), options_(std::move(options)), owner_(make_owner(options_.hostname)) {}

net::awaitable<size_t> Worker::run_once() {
  Spool* q = deps_.queue;
  // g++ 12: build each awaitable in its own statement (temporaries inside a co_await
  // expression are destroyed twice).
  auto stats_task = deps_.runtime->run_blocking([q] { return q->stats(); });
  auto stats = co_await std::move(stats_task);
  if (stats) metrics::set_queue_state(stats->messages, stats->oldest_arrival);
  const std::string owner = owner_;
  const size_t batch = options_.claim_batch;
  const std::chrono::seconds lease = options_.claim_lease;
  auto claim_task = deps_.runtime->run_blocking(
      [q, owner, batch, lease] { return q->claim_due(owner, batch, lease); });
  auto ids = co_await std::move(claim_task);
  if (!ids) {
    log::error(kService, "cannot claim queued messages: {}", ids.error().message);
    co_return 0;
  }
  size_t attempts = 0;
  for (const std::string& id : *ids) {
    // The batch was claimed together, but its messages are attempted one after another: a
    // slow attempt before this one may have outlasted this message's lease, and another
    // node may have taken it. The claim is renewed to a whole lease first; a message whose
    // claim is gone (or cannot be confirmed) is left to whoever holds it.
    auto renew_task = deps_.runtime->run_blocking(
        [q, id, owner, lease] { return q->renew_claim(id, owner, lease); });
    auto renewed = co_await std::move(renew_task);
    if (!renewed || !*renewed) {
      if (!renewed)
        log::message(log::Level::warning, kService, id, "cannot renew the delivery claim: {}",
                     renewed.error().message);
      continue;
    }
    if (!stopped_) {
      auto attempt_task = attempt_claimed(id);
      auto r = co_await std::move(attempt_task);
      if (!r)
        log::message(log::Level::error, kService, id, "{}", r.error().message);
      else if (*r == Outcome::attempted)
        ++attempts;
    }
    auto release_task =
        deps_.runtime->run_blocking([q, id, owner] { return q->release_claim(id, owner); });
    auto released = co_await std::move(release_task);
    if (!released)
      log::message(log::Level::warning, kService, id, "cannot release the delivery claim: {}",
                   released.error().message);
  }
  co_return attempts;
}

net::awaitable<void> Worker::run() {
  while (!stopped_) {
    co_await run_once();
    co_await net::sleep(options_.poll_interval);
  }
}

net::awaitable<Result<void>> Worker::attempt(std::string id) {
  Spool* q = deps_.queue;
  const std::string owner = owner_;
  const std::chrono::seconds lease = options_.claim_lease;
  auto claim_task =
      deps_.runtime->run_blocking([q, id, owner, lease] { return q->claim(id, owner, lease); });
  auto claimed = co_await std::move(claim_task);
  if (!claimed) co_return claimed.error();
  if (!*claimed) {
    auto holder_task = deps_.runtime->run_blocking([q, id] { return q->load(id, BodyMode::skip); });
    auto holder = co_await std::move(holder_task);
    std::string owner_now =
        holder && !holder->claim_owner.empty() ? holder->claim_owner : "another node";
    co_return Error{ErrorKind::temporary,
                    fmt::format("{} is being delivered by {}", id, owner_now)};
  }
  auto attempt_task = attempt_claimed(id);
  auto attempted = co_await std::move(attempt_task);
  auto release_task =
      deps_.runtime->run_blocking([q, id, owner] { return q->release_claim(id, owner); });
  auto released = co_await std::move(release_task);
  if (!attempted) co_return attempted.error();
  if (!released) co_return released.error();
  co_return Result<void>{};
}

net::awaitable<Result<Worker::Outcome>> Worker::attempt_claimed(std::string id) {
  Spool* q = deps_.queue;
  net::Runtime& rt = *deps_.runtime;
  auto load_task = rt.run_blocking([q, id] { return q->load(id); });
  auto loaded = co_await std::move(load_task);
  // A header that parses may still come with a damaged body (short, long).
  if (!loaded && loaded.error().kind == ErrorKind::invalid) {
    auto move_task = quarantine(&rt, q, id, loaded.error());
    Error moved = co_await std::move(move_task);
    log::message(log::Level::error, kService, id, "{}", moved.message);
    co_return Outcome::not_attempted;
  }
  if (!loaded && loaded.error().kind == ErrorKind::not_found)
    co_return Outcome::not_attempted;  // removed meanwhile
  if (!loaded) co_return loaded.error();
  QueuedMessage m = std::move(*loaded);

  auto renewal = std::make_shared<Renewal>();
  rt.spawn(keep_claim(&rt, q, id, owner_, options_.claim_lease, renewal), "queue claim renewal");
  // Whatever way this coroutine ends (an exception included), the renewal stops with it.
  struct StopRenewal {
    std::shared_ptr<Renewal> renewal;
    ~StopRenewal() { renewal->done = true; }
  } stop_renewal{renewal};

  // DKIM: sign once per attempt, just before sending (RFC 6376 §5), so that every path
  // into the queue (submission, JMAP, DSNs, receipts) is signed alike. Mail from outside
  // that an alias forwards (relayed) is never signed: its From is not ours to vouch for.
  std::string signed_body;
  if (deps_.dkim != nullptr && !deps_.dkim->empty() && !m.message.relayed) {
    const dkim::KeyRing* keys = deps_.dkim;
    const std::string* body = &m.message.body;
    TimePoint sign_time = q->now();
    auto sign_task = rt.run_blocking([keys, body, sign_time] {
      std::vector<std::string> signed_by;
      auto fields = keys->sign(*body, sign_time, &signed_by);
      return std::pair{std::move(fields), std::move(signed_by)};
    });
    auto [fields, signed_by] = co_await std::move(sign_task);
    if (!fields) {
      log::message(log::Level::warning, kService, id, "dkim signing failed, sending unsigned: {}",
                   fields.error().message);
    } else if (!fields->empty()) {
      signed_body = *fields + m.message.body;
      std::string which;
      for (const std::string& s : signed_by) which += (which.empty() ? "" : ", ") + s;
      log::message(kInfo, kService, id, "dkim-signed {}", which);
    }
  }

  // Recipients still to do, grouped by domain (one connection per domain).
  std::map<std::string, GroupOutcome> groups;
  for (size_t i = 0; i < m.message.recipients.size(); ++i)
    if (m.status[i].state == RecipientState::pending)
      groups[domain_of(m.message.recipients[i].address)].indices.push_back(i);

  for (auto& [domain, group] : groups) {
    // Another node took the message over (worker.h, Claims): leave the rest to it.
    if (renewal->lost) break;
    group.attempted = true;
    dns::Resolver* resolver = deps_.resolver;
    RouteOptions route_options = options_.route;
    std::string d = domain;
    auto route_task = rt.run_blocking(
        [resolver, route_options, d] { return route(d, route_options, *resolver); });
    auto hops = co_await std::move(route_task);
    if (!hops) {
      bool permanent = hops.error().kind != ErrorKind::temporary;
      smtp::client::RecipientResult r;
      r.outcome = permanent ? smtp::client::Outcome::failed : smtp::client::Outcome::deferred;
      // RFC 3463 §3.5: X.1.2 bad destination system address, X.4.3 routing failure.
      r.status = permanent ? "5.1.2" : "4.4.3";
      r.diagnostic = hops.error().message;
      group.results.assign(group.indices.size(), r);
      continue;
    }
    smtp::client::Envelope envelope;
    envelope.sender = m.message.envelope_sender;
    envelope.envid = m.message.envid;
    envelope.ret = m.message.ret == delivery::Ret::full      ? smtp::client::DsnReturn::full
                   : m.message.ret == delivery::Ret::headers ? smtp::client::DsnReturn::headers
                                                             : smtp::client::DsnReturn::unspecified;
    envelope.body = signed_body.empty() ? m.message.body : signed_body;
    for (size_t i : group.indices) {
      const delivery::OutboundRecipient& r = m.message.recipients[i];
      envelope.recipients.push_back({r.address, r.orcpt, notify_param(r.notify)});
    }
    std::string last_failure = "no mail server";
    std::string last_status = "4.4.1";  // RFC 3463: no answer from host
    const bool via_relay = options_.route.relay.has_value();
    const TlsMode mode = options_.tls_policy.mode_for(domain);
    std::optional<StsPolicySource::Policy> sts_policy;
    if (!via_relay && deps_.sts) {
      auto sts_task = deps_.sts->lookup(domain);
      auto sts = co_await std::move(sts_task);
      if (sts)
        sts_policy = std::move(*sts);
      else  // RFC 8461 §5: deliver as without a policy; RFC 8460 reports the fetch error.
        report_tls({domain, "sts", "", "", false, "sts-policy-fetch-error", sts.error().message});
    }
    for (const Hop& hop : *hops) {
      if (renewal->lost) break;
      std::string relay = fmt::format("{}[{}]:{}", hop.host, hop.address, hop.port);
      TlsDecision decision;
      if (via_relay) {
        decision = relay_decision(options_, hop);
      } else {
        TlsaAnswer tlsa;
        // RFC 7672 §2.2: TLSA records are looked up only for a secure MX and address.
        if (mode == TlsMode::dane && hop.secure) {
          std::string name = tlsa_name(hop);
          auto tlsa_task = rt.run_blocking([resolver, name] { return resolver->tlsa(name); });
          auto looked_up = co_await std::move(tlsa_task);
          tlsa = tlsa_answer(looked_up);
        }
        std::optional<StsFacts> facts;
        if (sts_policy)
          facts = StsFacts{sts_policy->mode,
                           sts_policy->mx_matches && sts_policy->mx_matches(hop.host)};
        decision = decide_tls(mode, domain, hop, tlsa, facts);
      }
      if (decision.action != TlsDecision::Action::connect) {
        report_tls({domain, decision.policy_type, hop.host, hop.address, false,
                    decision.failure_type, decision.reason});
        last_failure = decision.reason;
        last_status = decision.status;
        continue;
      }
      auto connect_task = net::connect(hop.address, hop.port, options_.connect_timeout);
      auto conn = co_await std::move(connect_task);
      if (!conn) {
        last_failure = fmt::format("connect to {}: {}", relay, conn.error().message);
        continue;
      }
      smtp::client::Options client_options;
      client_options.helo_name = options_.hostname;
      client_options.tls = options_.tls;
      client_options.server_name = hop.host;
      client_options.timeouts = options_.timeouts;
      apply_decision(decision, client_options);
      if (via_relay) {
        client_options.implicit_tls = options_.relay_implicit_tls;
        client_options.credentials = options_.relay_credentials;
      }
      auto deliver_task = smtp::client::deliver(**conn, envelope, std::move(client_options));
      smtp::client::Delivery result = co_await std::move(deliver_task);
      // TLS-RPT reports on the recipient domain's own MX hosts; a smart host is not one.
      if (!via_relay) report_tls(tls_outcome(domain, hop, decision, result));
      group.relay = relay;
      group.remote_host = hop.host;
      group.results = std::move(result.recipients);
      // RFC 7672 §2.2, RFC 8461 §5: a host that fails the TLS requirement got nothing;
      // the next MX may pass it.
      if (!result.tls_failure.empty()) continue;
      // RFC 5321 §5.1: a server that could not be talked to at all counts like one that
      // could not be reached: try the next.
      bool all_lost = true;
      for (const auto& r : group.results)
        all_lost = all_lost && r.outcome == smtp::client::Outcome::deferred && r.status == "4.4.2";
      if (!all_lost) break;
      last_failure = group.results.empty() ? last_failure : group.results[0].diagnostic;
    }
    if (group.results.empty()) {
      smtp::client::RecipientResult r;
      r.outcome = smtp::client::Outcome::deferred;
      r.status = last_status;
      r.diagnostic = last_failure;
      group.results.assign(group.indices.size(), r);
    }
  }

  // The attempt is over: stop renewing (the claim is released after recording).
  renewal->done = true;
  while (!renewal->exited) co_await net::sleep(kRenewalTick);
  bool any_attempted = false;
  for (const auto& [domain, group] : groups) any_attempted = any_attempted || group.attempted;
  if (!any_attempted && !groups.empty()) co_return Outcome::not_attempted;  // claim lost at once

  // The per-recipient lines say what happened on the wire, whatever became of the file.
  TimePoint now = q->now();
  std::string delay = format_delay(m.arrival, now);
  for (auto& [domain, group] : groups) {
    if (!group.attempted) continue;
    for (size_t k = 0; k < group.indices.size(); ++k) {
      const auto& r = group.results[k];
      std::string_view word = r.outcome == smtp::client::Outcome::sent     ? "sent"
                              : r.outcome == smtp::client::Outcome::failed ? "bounced"
                                                                           : "deferred";
      log::message(kInfo, kService, m.id, "to=<{}>, relay={}, delay={}, dsn={}, status={} ({})",
                   m.message.recipients[group.indices[k]].address, group.relay, delay, r.status,
                   word, r.diagnostic);
      metrics::catalog().queue_recipients.with({word}).inc();
    }
  }
  AttemptRecord record{m, groups, now, delay, owner_};
  const WorkerOptions* options = &options_;
  const delivery::Services* local = &deps_.local;
  auto record_task = rt.run_blocking(
      [q, &record, options, local] { return record_attempt(*q, record, *options, *local); });
  auto recorded = co_await std::move(record_task);
  if (!recorded) co_return recorded.error();
  co_return Outcome::attempted;
}

}  // namespace postamt::queue
