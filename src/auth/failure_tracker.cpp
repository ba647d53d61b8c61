#include "auth/failure_tracker.h"

#include <algorithm>

#include "base/strings.h"

namespace postamt::auth {

FailureTracker::FailureTracker(FailureLimits limits, SteadyClock clock)
    : limits_(limits), clock_(std::move(clock)) {}

std::chrono::milliseconds FailureTracker::delay_for(const FailureLimits& limits,
                                                    uint32_t failures) {
  if (failures <= limits.free_failures || limits.first_delay.count() <= 0)
    return std::chrono::milliseconds{0};
  std::chrono::milliseconds delay = limits.first_delay;
  for (uint32_t n = limits.free_failures + 1; n < failures && delay < limits.max_delay; ++n)
    delay *= 2;
  return std::min(delay, limits.max_delay);
}

std::string FailureTracker::make_key(FailureKey kind, std::string_view key) {
  // Distinct prefixes: an account named like an address must not share its counter.
  return kind == FailureKey::remote ? "r:" + std::string(key)
                                    : "a:" + ascii_lower(key.substr(0, kMaxAccountKeyOctets));
}

void FailureTracker::expire_locked(std::chrono::steady_clock::time_point now) {
  while (!lru_.empty() && now - lru_.front().last >= limits_.entry_lifetime) {
    index_.erase(lru_.front().key);
    lru_.pop_front();
  }
}

uint32_t FailureTracker::bump_locked(std::string key, std::chrono::steady_clock::time_point now) {
  auto it = index_.find(key);
  if (it != index_.end()) {
    // Moving to the back keeps the list ordered by last failure, so expiry and
    // eviction only ever look at the front.
    lru_.splice(lru_.end(), lru_, it->second);
    Entry& e = *it->second;
    e.last = now;
    if (e.failures < UINT32_MAX) ++e.failures;
    return e.failures;
  }
  if (limits_.max_entries == 0) return 1;
  while (lru_.size() >= limits_.max_entries) {
    index_.erase(lru_.front().key);
    lru_.pop_front();
  }
  lru_.push_back(Entry{key, 1, now});
  index_.emplace(std::move(key), std::prev(lru_.end()));
  return 1;
}

std::chrono::milliseconds FailureTracker::record_failure(std::string_view remote_ip,
                                                         std::string_view account) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  expire_locked(now);
  uint32_t worst = bump_locked(make_key(FailureKey::remote, remote_ip), now);
  if (!account.empty())
    worst = std::max(worst, bump_locked(make_key(FailureKey::account, account), now));
  return delay_for(limits_, worst);
}

void FailureTracker::record_success(std::string_view remote_ip, std::string_view account) {
  std::lock_guard lock(mutex_);
  for (const std::string& key :
       {make_key(FailureKey::remote, remote_ip), make_key(FailureKey::account, account)}) {
    auto it = index_.find(key);
    if (it == index_.end()) continue;
    lru_.erase(it->second);
    index_.erase(it);
  }
}

uint32_t FailureTracker::failures(FailureKey kind, std::string_view key) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  expire_locked(now);
  auto it = index_.find(make_key(kind, key));
  return it == index_.end() ? 0 : it->second->failures;
}

size_t FailureTracker::tracked_keys() {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  expire_locked(now);
  return lru_.size();
}

}  // namespace postamt::auth
