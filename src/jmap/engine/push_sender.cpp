#include "jmap/engine/push_sender.h"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>
#include <utility>

#include "base/log.h"
#include "base/strings.h"
#include "http/url.h"
#include "jmap/engine/call_context.h"
#include "jmap/engine/push_subscription_json.h"
#include "jmap/engine/state_changes.h"
#include "jmap/proto/push.h"

namespace postamt::jmap {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using TypeStates = std::vector<std::pair<std::string, std::string>>;

struct PushSender::Job {
  uint64_t subscription = 0;
  AccountId account;
  std::string url;
  std::string host;  // for log lines (the url may carry secrets of the push service)
  std::string body;
  bool encrypted = false;
  bool verification = false;
  TypeStates changed;  // a StateChange's (type, state) pairs, put back when it fails
};

namespace {

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Adds `newer` to `pending`: a type already there takes the newer state.
void merge(TypeStates& pending, const TypeStates& newer) {
  for (const auto& [type, state] : newer) {
    auto it = std::find_if(pending.begin(), pending.end(),
                           [&](const auto& p) { return p.first == type; });
    if (it == pending.end())
      pending.emplace_back(type, state);
    else
      it->second = state;
  }
}

std::string host_of(std::string_view url) {
  auto parsed = http::parse_https_url(url, url.size());
  return parsed ? parsed->authority : std::string("(bad url)");
}

std::optional<http::WebPushKeys> keys_of(const store::PushSubscription& s) {
  if (!s.keys) return std::nullopt;
  auto keys = http::parse_web_push_keys(s.keys->p256dh, s.keys->auth);
  if (!keys) return std::nullopt;
  return std::move(*keys);
}

// The body to POST: `message`, encrypted when the subscription has keys (RFC 8291).
Result<std::string> seal(const std::optional<http::WebPushKeys>& keys,
                         const json::object& message) {
  std::string text = json::serialize(message);
  if (!keys) return text;
  return http::web_push_encrypt(*keys, text);
}

// What one reload read from the store.
struct Snapshot {
  std::vector<store::PushSubscription> active;
  // (account, since) -> what moved since; since absent -> the account's modseq now.
  std::map<std::pair<int64_t, ModSeq>, Moved> moved;
  std::map<int64_t, ModSeq> now;
};

}  // namespace

PushSender::PushSender(net::Runtime& runtime, store::Store& store, const mail::StoreWatch* watch,
                       PushSenderOptions options)
    : runtime_(runtime), store_(store), watch_(watch), options_(std::move(options)) {}

void PushSender::verify(const store::PushSubscription& subscription) {
  auto job = std::make_shared<Job>();
  job->subscription = subscription.id;
  job->account = subscription.account;
  job->url = subscription.url;
  job->host = host_of(subscription.url);
  job->verification = true;
  // RFC 8620 §7.2.2; encrypted like every POST to a subscription with keys (§7.2).
  json::object message{{"@type", "PushVerification"},
                       {"pushSubscriptionId", push_subscription_id(subscription.id)},
                       {"verificationCode", subscription.verification_code}};
  auto keys = keys_of(subscription);
  if (subscription.keys && !keys) {
    log::warning("jmap", "push verification to {} (subscription P{}) not sent: unusable keys",
                 job->host, subscription.id);
    return;
  }
  auto body = seal(keys, message);
  if (!body) {
    log::warning("jmap", "push verification to {} (subscription P{}) not sent: {}", job->host,
                 subscription.id, body.error().message);
    return;
  }
  job->body = std::move(*body);
  job->encrypted = keys.has_value();
  std::lock_guard lock(mutex_);
  verifications_.push_back(std::move(job));
}

void PushSender::verified(uint64_t subscription, ModSeq modseq) {
  std::lock_guard lock(mutex_);
  verified_at_[subscription] = modseq;
  reload_wanted_ = true;
}

void PushSender::forget(uint64_t subscription) {
  std::lock_guard lock(mutex_);
  targets_.erase(subscription);
  forgotten_.insert(subscription);
  reload_wanted_ = true;
}

net::awaitable<void> PushSender::run() {
  uint64_t watch_version = 0;
  Clock::time_point next_reload = Clock::now();
  Clock::time_point next_sweep = Clock::now();
  for (;;) {
    bool due = false;
    // The watch is read before the store, so that a write during the reload shows as a
    // move at the next tick (event_source.h does the same).
    if (watch_ && watch_->version() != watch_version) {
      watch_version = watch_->version();
      due = true;
    }
    if (!watch_ && Clock::now() >= next_reload) due = true;
    {
      std::lock_guard lock(mutex_);
      if (reload_wanted_) due = true;
      reload_wanted_ = false;
    }
    if (Clock::now() >= next_sweep) {
      next_sweep = Clock::now() + kSweepInterval;
      co_await sweep();
      due = true;
    }
    if (due) {
      next_reload = Clock::now() + kPushReload;
      co_await reload();
    }
    dispatch();
    co_await net::sleep(kPushTick);
  }
}

net::awaitable<void> PushSender::sweep() {
  store::Store* store = &store_;
  auto work = [store] { return store->delete_expired_push_subscriptions(now_seconds()); };
  auto task = runtime_.run_blocking(std::move(work));
  auto deleted = co_await std::move(task);
  if (!deleted)
    log::warning("jmap", "deleting expired push subscriptions failed: {}", deleted.error().message);
  else if (*deleted)
    log::info("jmap", "deleted {} expired push subscriptions", *deleted);
}

net::awaitable<void> PushSender::reload() {
  // Where each known subscription's changes start: its own position, or the modseq at
  // which it was verified.
  std::map<uint64_t, ModSeq> since;
  {
    std::lock_guard lock(mutex_);
    forgotten_.clear();
    for (const auto& [id, target] : targets_) since[id] = target.since;
    for (const auto& [id, modseq] : verified_at_)
      if (!since.count(id)) since[id] = modseq;
  }
  store::Store* store = &store_;
  auto work = [store, since]() -> Result<Snapshot> {
    Snapshot snap;
    auto active = store->list_active_push_subscriptions(now_seconds());
    if (!active) return active.error();
    snap.active = std::move(*active);
    for (const store::PushSubscription& s : snap.active) {
      const int64_t account = s.account.value();
      auto known = since.find(s.id);
      if (known == since.end()) {
        if (snap.now.count(account)) continue;
        auto modseq = store->account_modseq(s.account);
        if (!modseq) return modseq.error();
        snap.now[account] = *modseq;
        continue;
      }
      auto key = std::make_pair(account, known->second);
      if (snap.moved.count(key)) continue;
      auto moved = read_moved(*store, s.account, known->second);
      if (!moved) return moved.error();
      snap.moved[key] = *moved;
    }
    return snap;
  };
  auto task = runtime_.run_blocking(std::move(work));
  Result<Snapshot> snap = co_await std::move(task);
  if (!snap) {
    std::lock_guard lock(mutex_);
    if (!reload_failing_)
      log::warning("jmap", "cannot read the push subscriptions: {}", snap.error().message);
    reload_failing_ = true;
    reload_wanted_ = true;
    co_return;
  }
  std::lock_guard lock(mutex_);
  if (reload_failing_) log::info("jmap", "push subscriptions read again");
  reload_failing_ = false;
  std::map<uint64_t, Target> next;
  for (store::PushSubscription& s : snap->active) {
    // Forgotten, or verified, while this reload read the store: the next reload (already
    // wanted) takes it up, from the modseq of its verification.
    auto known = since.find(s.id);
    if (forgotten_.count(s.id) || (known == since.end() && verified_at_.count(s.id))) continue;
    const int64_t account = s.account.value();
    Target target;
    if (auto it = targets_.find(s.id); it != targets_.end()) target = std::move(it->second);
    auto keys = keys_of(s);
    if (s.keys && !keys) {
      log::warning("jmap", "push subscription P{} has unusable keys; nothing is sent to it", s.id);
      continue;
    }
    target.keys = std::move(keys);
    target.types = stored_types(s.types);
    if (known != since.end()) {
      const Moved& moved = snap->moved.at({account, known->second});
      const auto& wanted = target.types;
      auto states = changed_types(moved, [&wanted](std::string_view type) {
        return !wanted || std::find(wanted->begin(), wanted->end(), type) != wanted->end();
      });
      merge(target.pending, states);
      target.since = std::max(known->second, moved.modseq);
      verified_at_.erase(s.id);
    } else {
      target.since = snap->now.at(account);
    }
    target.subscription = std::move(s);
    next.emplace(target.subscription.id, std::move(target));
  }
  // A verification hint for a subscription that is gone (destroyed, expired) is dropped.
  std::erase_if(verified_at_, [&](const auto& entry) {
    return since.count(entry.first) && !next.count(entry.first) && !forgotten_.count(entry.first);
  });
  targets_ = std::move(next);
}

void PushSender::dispatch() {
  std::vector<std::shared_ptr<Job>> jobs;
  {
    std::lock_guard lock(mutex_);
    const uint32_t limit = options_.max_concurrent_posts;
    while (in_flight_ < limit && !verifications_.empty()) {
      jobs.push_back(std::move(verifications_.front()));
      verifications_.pop_front();
      ++in_flight_;
    }
    const Clock::time_point now = Clock::now();
    const int64_t seconds = now_seconds();
    for (auto& [id, target] : targets_) {
      if (in_flight_ >= limit) break;
      const store::PushSubscription& s = target.subscription;
      // §7.2: never after the expiry (the sweep deletes it soon).
      if (target.pending.empty() || target.in_flight || target.retry_at > now ||
          (s.expires && *s.expires <= seconds))
        continue;
      auto job = std::make_shared<Job>();
      job->subscription = id;
      job->account = s.account;
      job->url = s.url;
      job->host = host_of(s.url);
      job->changed = std::move(target.pending);
      target.pending.clear();
      auto body = seal(target.keys, state_change(account_object_id(s.account), job->changed));
      if (!body) {
        log::warning("jmap", "push to {} (subscription P{}) not sent: {}", job->host, id,
                     body.error().message);
        continue;
      }
      job->body = std::move(*body);
      job->encrypted = target.keys.has_value();
      target.in_flight = true;
      ++in_flight_;
      jobs.push_back(std::move(job));
    }
  }
  for (auto& job : jobs) runtime_.spawn(deliver(this, std::move(job)), "push");
}

net::awaitable<void> PushSender::deliver(PushSender* self, std::shared_ptr<Job> job) {
  http::OutboundRequest request;
  request.url = job->url;
  // RFC 8620 §7.2: application/json and a TTL (RFC 8030 §5.2).
  request.headers.push_back({"Content-Type", "application/json"});
  request.headers.push_back({"TTL", std::to_string(self->options_.ttl.count())});
  if (job->encrypted) request.headers.push_back({"Content-Encoding", "aes128gcm"});
  request.body = job->body;
  auto posting = http::post(self->options_.client, std::move(request));
  Result<http::ClientResponse> response = co_await std::move(posting);
  bool gone = self->finish(*job, response);
  if (!gone) co_return;
  // RFC 8030 §8: 404 or 410, the push subscription is gone; so is ours.
  store::Store* store = &self->store_;
  uint64_t id = job->subscription;
  auto work = [store, id] { return store->remove_push_subscription(id); };
  auto task = self->runtime_.run_blocking(std::move(work));
  auto removed = co_await std::move(task);
  if (!removed)
    log::warning("jmap", "cannot destroy push subscription P{}: {}", id, removed.error().message);
}

bool PushSender::finish(const Job& job, const Result<http::ClientResponse>& response) {
  std::lock_guard lock(mutex_);
  --in_flight_;
  const int status = response ? response->status : 0;
  const char* what = job.verification ? "push verification" : "push";
  auto target = targets_.find(job.subscription);
  if (target != targets_.end()) target->second.in_flight = false;
  if (status >= 200 && status < 300) {
    if (target != targets_.end()) target->second.failures = 0;
    return false;
  }
  const std::string reason =
      response ? fmt::format("HTTP status {}", status) : response.error().message;
  if (status == 404 || status == 410) {
    log::warning("jmap", "{} to {} (subscription P{}): {}; the subscription is destroyed", what,
                 job.host, job.subscription, reason);
    targets_.erase(job.subscription);
    forgotten_.insert(job.subscription);
    return true;
  }
  const bool retry = !response || status == 429 || status >= 500;
  if (job.verification || target == targets_.end() || !retry) {
    log::warning("jmap", "{} to {} (subscription P{}) failed: {}; not sent again", what, job.host,
                 job.subscription, reason);
    return false;
  }
  // RFC 8620 §7.2: a 429 MUST reduce the frequency; so do failures. The message waits,
  // merged with what changes meanwhile.
  Target& t = target->second;
  ++t.failures;
  net::Duration backoff = kFirstBackoff;
  for (unsigned i = 1; i < t.failures && backoff < options_.max_backoff; ++i) backoff *= 2;
  if (response && status == 429)
    if (auto after = response->header("Retry-After"))
      if (auto seconds = parse_u64(*after); seconds && *seconds < 86400)
        backoff = std::max<net::Duration>(backoff, std::chrono::seconds(*seconds));
  backoff = std::min(backoff, options_.max_backoff);
  t.retry_at = Clock::now() + backoff;
  TypeStates newer = std::move(t.pending);
  t.pending = job.changed;
  merge(t.pending, newer);
  log::warning("jmap", "push to {} (subscription P{}) failed: {}; next try in {}s", job.host,
               job.subscription, reason,
               std::chrono::duration_cast<std::chrono::seconds>(backoff).count());
  return false;
}

}  // namespace postamt::jmap
