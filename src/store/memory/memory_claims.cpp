// MemoryStore: cluster-wide claims (as store/sql/sql_claims.cpp). The clock is this
// process's system clock in whole seconds, like the database's {NOW}; one process is the
// whole "cluster" here.
#include <chrono>

#include "store/api/rules.h"
#include "store/memory/memory_store.h"

namespace postamt::store {

using Lock = std::lock_guard<std::mutex>;

namespace {
int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Result<bool> MemoryStore::try_claim(std::string_view name, std::string_view owner,
                                    std::chrono::seconds lease) {
  POSTAMT_TRY(check_claim(name, owner, lease));
  Lock lock(mutex_);
  const int64_t now = now_seconds();
  auto it = claims_.find(name);
  // Held while now <= until (store.h).
  if (it != claims_.end() && it->second.owner != owner && now <= it->second.until) return false;
  claims_[std::string(name)] = Claim{std::string(owner), now + lease.count()};
  ++data_version_;
  return true;
}

Result<size_t> MemoryStore::renew_claims(std::string_view owner, std::chrono::seconds lease) {
  POSTAMT_TRY(check_claim("-", owner, lease));
  Lock lock(mutex_);
  const int64_t until = now_seconds() + lease.count();
  size_t renewed = 0;
  for (auto& [name, claim] : claims_) {
    if (claim.owner != owner) continue;
    claim.until = until;
    ++renewed;
  }
  if (renewed) ++data_version_;
  return renewed;
}

Result<void> MemoryStore::release_claim(std::string_view name, std::string_view owner) {
  POSTAMT_TRY(check_claim(name, owner, std::chrono::seconds(1)));
  Lock lock(mutex_);
  auto it = claims_.find(name);
  if (it == claims_.end() || it->second.owner != owner) return {};
  claims_.erase(it);
  ++data_version_;
  return {};
}

}  // namespace postamt::store
