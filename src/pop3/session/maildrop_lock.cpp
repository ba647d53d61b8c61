#include "pop3/session/maildrop_lock.h"

#include <fmt/format.h>
#include <limits.h>
#include <unistd.h>

#include <random>
#include <vector>

namespace postamt::pop3 {

MaildropLock::MaildropLock(MaildropLock&& other) noexcept
    : owner_(other.owner_), account_(other.account_) {
  other.owner_ = nullptr;
}

MaildropLock& MaildropLock::operator=(MaildropLock&& other) noexcept {
  if (this != &other) {
    if (owner_) (void)owner_->unlock(account_, MaildropLocks::Release::later);
    owner_ = other.owner_;
    account_ = other.account_;
    other.owner_ = nullptr;
  }
  return *this;
}

MaildropLock::~MaildropLock() {
  if (owner_) (void)owner_->unlock(account_, MaildropLocks::Release::later);
}

Result<void> MaildropLock::release() {
  MaildropLocks* owner = owner_;
  owner_ = nullptr;
  if (!owner) return {};
  return owner->unlock(account_, MaildropLocks::Release::now);
}

std::string cluster_owner_id() {
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') host[0] = '-', host[1] = '\0';
  std::random_device random;
  const uint64_t nonce = (uint64_t{random()} << 32) ^ random();
  return fmt::format("{}:{}:{:016x}", host, ::getpid(), nonce);
}

std::string MaildropLocks::claim_name(AccountId account) {
  return fmt::format("pop3:{}", account.value());
}

Result<std::optional<MaildropLock>> MaildropLocks::try_lock(AccountId account) {
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = entries_.try_emplace(account, Entry::held);
    // A pending entry has no session: its claim may still be ours, so take it over.
    if (!inserted && it->second != Entry::pending) return std::optional<MaildropLock>();
    it->second = Entry::held;
  }
  if (!cluster_) return std::optional<MaildropLock>(MaildropLock(this, account));
  auto claimed = cluster_->store->try_claim(claim_name(account), cluster_->owner, cluster_->lease);
  if (!claimed) {
    // The store may have taken the claim before failing; maintain() releases it.
    std::lock_guard lock(mutex_);
    entries_[account] = Entry::pending;
    return claimed.error();
  }
  if (!*claimed) {
    std::lock_guard lock(mutex_);
    entries_.erase(account);
    return std::optional<MaildropLock>();
  }
  return std::optional<MaildropLock>(MaildropLock(this, account));
}

bool MaildropLocks::is_locked(AccountId account) {
  std::lock_guard lock(mutex_);
  return entries_.contains(account);
}

Result<void> MaildropLocks::unlock(AccountId account, Release how) {
  std::unique_lock lock(mutex_);
  if (!cluster_) {
    entries_.erase(account);
    return {};
  }
  entries_[account] = how == Release::now ? Entry::releasing : Entry::pending;
  lock.unlock();
  if (how == Release::later) return {};
  return release_claim(account);
}

Result<void> MaildropLocks::release_claim(AccountId account) {
  auto released = cluster_->store->release_claim(claim_name(account), cluster_->owner);
  std::lock_guard lock(mutex_);
  if (released)
    entries_.erase(account);
  else
    entries_[account] = Entry::pending;
  return released;
}

Result<size_t> MaildropLocks::maintain() {
  if (!cluster_) return size_t{0};
  std::vector<AccountId> pending;
  bool held = false;
  {
    std::lock_guard lock(mutex_);
    for (auto& [account, entry] : entries_) {
      if (entry == Entry::held) held = true;
      if (entry != Entry::pending) continue;
      entry = Entry::releasing;
      pending.push_back(account);
    }
  }
  Result<void> releases;
  for (AccountId account : pending) {
    auto released = release_claim(account);
    if (!released && releases) releases = released;
  }
  size_t renewed = 0;
  // Without a session there is nothing to keep alive: no store write at all.
  if (held) {
    auto r = cluster_->store->renew_claims(cluster_->owner, cluster_->lease);
    if (!r) return r.error();
    renewed = *r;
  }
  if (!releases) return releases.error();
  return renewed;
}

}  // namespace postamt::pop3
