#include "jmap/engine/event_source.h"

#include <boost/json/serialize.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/log.h"
#include "jmap/engine/call_context.h"
#include "jmap/engine/standard.h"
#include "jmap/engine/state_changes.h"
#include "jmap/proto/push.h"

namespace postamt::jmap {

namespace json = boost::json;

uint32_t EventStreams::open(AccountId account) const {
  std::lock_guard lock(mutex_);
  auto it = open_.find(account.value());
  return it == open_.end() ? 0 : it->second;
}

// One open stream of an account, counted in EventStreams for as long as it lives.
class StreamSlot {
 public:
  StreamSlot(std::shared_ptr<EventStreams> streams, AccountId account)
      : streams_(std::move(streams)), account_(account) {}
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;
  ~StreamSlot() {
    std::lock_guard lock(streams_->mutex_);
    if (--streams_->open_[account_.value()] == 0) streams_->open_.erase(account_.value());
  }

  // nullptr when the account has `limit` streams open already.
  static std::unique_ptr<StreamSlot> take(std::shared_ptr<EventStreams> streams, AccountId account,
                                          uint32_t limit) {
    {
      std::lock_guard lock(streams->mutex_);
      uint32_t& n = streams->open_[account.value()];
      if (n >= limit) {
        if (n == 0) streams->open_.erase(account.value());
        return nullptr;
      }
      ++n;
    }
    return std::make_unique<StreamSlot>(std::move(streams), account);
  }

 private:
  std::shared_ptr<EventStreams> streams_;
  AccountId account_;
};

namespace {

using Clock = std::chrono::steady_clock;

// Without pings, a peer that went away shows only when a write fails: a comment line
// (ignored by EventSource clients) now and then frees its slot in EventStreams.
constexpr std::chrono::seconds kKeepAlive{60};

http::Response problem(int status, std::string_view type, std::string_view detail,
                       std::string_view limit = {}) {
  json::object o{{"type", type}, {"status", status}, {"detail", detail}};
  if (!limit.empty()) o["limit"] = limit;
  http::Response r;
  r.status = status;
  r.with("Content-Type", "application/problem+json");
  r.body = json::serialize(o);
  return r;
}

class EventStream : public http::BodyStream {
 public:
  EventStream(const Services& services, store::Account account, EventSourceParams params,
              std::chrono::seconds ping, ModSeq modseq, uint64_t watch_version,
              std::unique_ptr<StreamSlot> slot)
      : services_(services),
        account_(std::move(account)),
        params_(std::move(params)),
        ping_(ping),
        modseq_(modseq),
        watch_version_(watch_version),
        next_ping_(Clock::now() + ping),
        next_store_check_(Clock::now() + kStoreCheck),
        next_keep_alive_(Clock::now() + kKeepAlive),
        slot_(std::move(slot)) {}

  net::awaitable<std::optional<std::string>> next(net::Duration max_wait) override {
    if (finished_) co_return std::nullopt;
    const Clock::time_point deadline = Clock::now() + max_wait;
    for (;;) {
      if (may_have_changed()) {
        auto event = co_await read_state_event();
        if (!event.empty()) {
          // §7.3: a ping is due `ping` after the previous event of any kind.
          next_ping_ = Clock::now() + ping_;
          if (params_.close_after == CloseAfter::state) {
            finished_ = true;
            slot_.reset();  // the stream ends now: the account may open the next one
          }
          co_return event;
        }
      }
      Clock::time_point now = Clock::now();
      if (ping_.count() > 0 && now >= next_ping_) {
        next_ping_ = now + ping_;
        co_return encode_event("ping", ping_data(ping_));
      }
      if (ping_.count() == 0 && now >= next_keep_alive_) {
        next_keep_alive_ = now + kKeepAlive;
        co_return std::string(": keep-alive\n");
      }
      // Nothing to send yet: hand control back so that the session can notice shutdown.
      if (now >= deadline) co_return std::string();
      Clock::time_point wake = std::min(deadline, now + kWatchCheck);
      if (ping_.count() > 0) wake = std::min(wake, next_ping_);
      co_await net::sleep(wake - now);
    }
  }

 private:
  // True when a store write may have happened since the last look; cheap.
  bool may_have_changed() {
    if (services_.watch) {
      uint64_t version = services_.watch->version();
      if (version == watch_version_) return false;
      watch_version_ = version;
      return true;
    }
    Clock::time_point now = Clock::now();
    if (now < next_store_check_) return false;
    next_store_check_ = now + kStoreCheck;
    return true;
  }

  // The state event for what changed since modseq_, "" when nothing the client asked
  // for changed. A store failure is logged and retried at the next change.
  net::awaitable<std::string> read_state_event() {
    store::Store* store = services_.store;
    AccountId account = account_.id;
    ModSeq since = modseq_;
    auto work = [store, account, since] { return read_moved(*store, account, since); };
    auto task = services_.runtime->run_blocking(std::move(work));
    Result<Moved> moved = co_await std::move(task);
    if (!moved) {
      log::warning("jmap", "cannot read the state of <{}>: {}", account_.address,
                   moved.error().message);
      co_return std::string();
    }
    if (moved->modseq == modseq_) co_return std::string();
    modseq_ = moved->modseq;
    auto states =
        changed_types(*moved, [this](std::string_view type) { return wants_type(params_, type); });
    if (states.empty()) co_return std::string();
    co_return encode_event("state", state_change(account_object_id(account_.id), states));
  }

  const Services& services_;
  store::Account account_;
  EventSourceParams params_;
  std::chrono::seconds ping_;
  ModSeq modseq_;
  uint64_t watch_version_;
  Clock::time_point next_ping_;
  Clock::time_point next_store_check_;
  Clock::time_point next_keep_alive_;
  std::unique_ptr<StreamSlot> slot_;
  bool finished_ = false;
};

}  // namespace

net::awaitable<http::Response> open_event_source(const Services& services,
                                                 std::shared_ptr<EventStreams> streams,
                                                 store::Account account, http::Request request) {
  if (request.method != "GET") {
    http::Response r = problem(405, "about:blank", "use GET");
    r.with("Allow", "GET");
    co_return r;
  }
  auto params = parse_event_source_query(request.query);
  if (!params) co_return problem(400, "about:blank", params.error().message);
  auto slot = StreamSlot::take(std::move(streams), account.id, services.limits.max_event_streams);
  if (!slot)
    co_return problem(429, "urn:ietf:params:jmap:error:limit",
                      "too many event streams of this account at once", "maxEventStreams");

  // The watch is read before the modseq: a write committed after this read moves the
  // watch later, so it cannot be missed (it may only be looked at once for nothing).
  uint64_t watch_version = services.watch ? services.watch->version() : 0;
  store::Store* store = services.store;
  AccountId id = account.id;
  auto work = [store, id] { return store->account_modseq(id); };
  auto task = services.runtime->run_blocking(std::move(work));
  Result<ModSeq> modseq = co_await std::move(task);
  if (!modseq) {
    log::warning("jmap", "cannot read the state of <{}>: {}", account.address,
                 modseq.error().message);
    co_return problem(503, "about:blank", "temporary failure, try again later");
  }

  std::chrono::seconds ping = ping_interval(params->ping, services.limits.min_ping_interval);
  http::Response r;
  r.status = 200;
  r.with("Content-Type", "text/event-stream");
  r.with("Cache-Control", "no-cache");
  r.stream = std::make_unique<EventStream>(services, std::move(account), std::move(*params), ping,
                                           *modseq, watch_version, std::move(slot));
  co_return r;
}

}  // namespace postamt::jmap
