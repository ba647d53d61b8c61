// The push sender (RFC 8620 §7.2): POSTs to the URLs of push subscriptions.
//
// - When a subscription is created, PushSubscription/set hands its PushVerification
//   (§7.2.2) to verify(); it is POSTed at once, from the network threads (the client may
//   see it before the /set response).
// - Verified, unexpired subscriptions (Store::list_active_push_subscriptions) get one
//   StateChange (§7.1, jmap/proto/push.h) whenever their account's state moves, naming
//   the changed types they asked for (state_changes.h). Changes are noticed like the
//   event source notices them (mail::StoreWatch, then one store read per account).
// - Coalescing: while a POST to a subscription is in flight or backing off, later
//   changes are merged into the next StateChange (the newest state of each type).
// - 429, 5xx and connection failures back off exponentially (from kFirstBackoff up to
//   `max_backoff`); 404 and 410 (RFC 8030 §8: the push subscription is gone) destroy
//   the subscription; any other status drops that one message. One log line per
//   failure, none per success.
// - At most `max_concurrent_posts` POSTs at once over all subscriptions; expired
//   subscriptions are never POSTed to and are deleted by a sweep every kSweepInterval.
// - Bodies are JSON (Content-Type application/json) with a TTL field (RFC 8030 §5.2);
//   with `keys` they are encrypted (RFC 8291, Content-Encoding: aes128gcm).
//
// Threads: verify(), verified() and forget() may be called from any thread (the /set
// method runs on a store thread); run() is spawned once on the runtime and runs until
// it stops. The sender must outlive the runtime's work (serve declares it first).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "http/client.h"
#include "http/web_push.h"
#include "mail/store_watch.h"
#include "net/runtime.h"
#include "store/api/store.h"

namespace postamt::jmap {

inline constexpr net::Duration kPushTick = std::chrono::milliseconds(100);
inline constexpr net::Duration kFirstBackoff = std::chrono::seconds(1);
inline constexpr net::Duration kSweepInterval = std::chrono::minutes(1);
// Without a StoreWatch the subscriptions and states are read this often.
inline constexpr net::Duration kPushReload = std::chrono::seconds(1);

// Named limits (docs/architecture.md, Limits), from [http] (base/config.h).
struct PushSenderOptions {
  http::ClientOptions client;  // timeouts, response limits, address policy, TLS
  std::chrono::seconds ttl{86400};
  uint32_t max_concurrent_posts = 4;
  net::Duration max_backoff = std::chrono::minutes(10);
};

class PushSender {
 public:
  PushSender(net::Runtime& runtime, store::Store& store, const mail::StoreWatch* watch,
             PushSenderOptions options);
  PushSender(const PushSender&) = delete;
  PushSender& operator=(const PushSender&) = delete;

  // Queues the PushVerification of a subscription just created. Never blocks on I/O.
  void verify(const store::PushSubscription& subscription);
  // The subscription was verified when its account's state was `modseq`: changes after
  // it are pushed, even those before the sender next reads the subscriptions.
  void verified(uint64_t subscription, ModSeq modseq);
  // The subscription was destroyed or changed: nothing more is POSTed for what the
  // sender knew of it; it is read again from the store at the next tick.
  void forget(uint64_t subscription);

  // The sender's loop; spawn once.
  net::awaitable<void> run();

  struct Job;  // one POST (push_sender.cpp)

 private:
  // A verified subscription as the sender follows it.
  struct Target {
    store::PushSubscription subscription;
    std::optional<http::WebPushKeys> keys;          // parsed; nullopt: plain JSON
    std::optional<std::vector<std::string>> types;  // nullopt: every type
    ModSeq since = 0;                               // changes up to here are in `pending`
    // (type, newest state) not yet sent, in state_changes.h's order.
    std::vector<std::pair<std::string, std::string>> pending;
    bool in_flight = false;
    unsigned failures = 0;  // in a row; 0 after a success
    std::chrono::steady_clock::time_point retry_at{};
  };
  net::awaitable<void> reload();
  net::awaitable<void> sweep();
  void dispatch();
  static net::awaitable<void> deliver(PushSender* self, std::shared_ptr<Job> job);
  // Records how a POST went; true when the subscription is gone (404/410).
  bool finish(const Job& job, const Result<http::ClientResponse>& response);

  net::Runtime& runtime_;
  store::Store& store_;
  const mail::StoreWatch* watch_;
  PushSenderOptions options_;

  std::mutex mutex_;  // guards everything below
  std::deque<std::shared_ptr<Job>> verifications_;
  std::map<uint64_t, Target> targets_;
  std::map<uint64_t, ModSeq> verified_at_;
  std::set<uint64_t> forgotten_;  // since the running reload began
  bool reload_wanted_ = true;
  // The last reload failed (the store was unavailable): the next failures are not logged
  // again, so that an outage of the database is one warning, not one every poll.
  bool reload_failing_ = false;
  uint32_t in_flight_ = 0;
};

}  // namespace postamt::jmap
