// MemoryStore: JMAP PushSubscription records (as store/sql/sql_push_subscriptions.cpp).
#include <algorithm>

#include "store/api/rules.h"
#include "store/memory/memory_store.h"

namespace postamt::store {

using Lock = std::lock_guard<std::mutex>;

namespace {

Result<void> check_record(const NewPushSubscription& record) {
  if (record.device_client_id.empty() || record.url.empty() || record.verification_code.empty())
    return Error{ErrorKind::invalid,
                 "a push subscription needs a device client id, a url and a verification code"};
  return {};
}

bool active(const PushSubscription& s, int64_t now) {
  return s.verified && (!s.expires || *s.expires > now);
}

}  // namespace

Result<PushSubscription> MemoryStore::create_push_subscription(const NewPushSubscription& record,
                                                               uint32_t max_per_account) {
  POSTAMT_TRY(check_record(record));
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(record.account);
  if (!owner) return errors::account_id_missing(record.account);
  if (owner->push_subscriptions.size() >= max_per_account)
    return errors::push_subscriptions_full(max_per_account);
  PushSubscription stored;
  static_cast<NewPushSubscription&>(stored) = record;
  stored.id = next_push_subscription_id_++;
  owner->push_subscriptions.push_back(stored);
  ++data_version_;
  return stored;
}

Result<std::vector<PushSubscription>> MemoryStore::list_push_subscriptions(AccountId account,
                                                                           Credential credential) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  std::vector<PushSubscription> out;
  for (const PushSubscription& s : owner->push_subscriptions)
    if (s.credential == credential) out.push_back(s);
  return out;
}

Result<PushSubscription> MemoryStore::update_push_subscription(
    AccountId account, Credential credential, uint64_t id, const PushSubscriptionUpdate& update) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  auto it = std::find_if(
      owner->push_subscriptions.begin(), owner->push_subscriptions.end(),
      [&](const PushSubscription& s) { return s.id == id && s.credential == credential; });
  if (it == owner->push_subscriptions.end()) return errors::push_subscription_missing(id);
  if (update.verified) it->verified = *update.verified;
  if (update.expires) it->expires = *update.expires;
  if (update.types) it->types = *update.types;
  ++data_version_;
  return *it;
}

Result<void> MemoryStore::destroy_push_subscription(AccountId account, Credential credential,
                                                    uint64_t id) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  size_t removed = std::erase_if(owner->push_subscriptions, [&](const PushSubscription& s) {
    return s.id == id && s.credential == credential;
  });
  if (removed == 0) return errors::push_subscription_missing(id);
  ++data_version_;
  return {};
}

Result<bool> MemoryStore::remove_push_subscription(uint64_t id) {
  Lock lock(mutex_);
  for (auto& [key, entry] : accounts_) {
    if (std::erase_if(entry.push_subscriptions,
                      [&](const PushSubscription& s) { return s.id == id; })) {
      ++data_version_;
      return true;
    }
  }
  return false;
}

Result<std::vector<PushSubscription>> MemoryStore::list_active_push_subscriptions(int64_t now) {
  Lock lock(mutex_);
  std::vector<PushSubscription> out;
  for (const auto& [key, entry] : accounts_)
    for (const PushSubscription& s : entry.push_subscriptions)
      if (active(s, now)) out.push_back(s);
  std::sort(out.begin(), out.end(),
            [](const PushSubscription& a, const PushSubscription& b) { return a.id < b.id; });
  return out;
}

Result<size_t> MemoryStore::delete_expired_push_subscriptions(int64_t now) {
  Lock lock(mutex_);
  size_t deleted = 0;
  for (auto& [key, entry] : accounts_)
    deleted += std::erase_if(entry.push_subscriptions, [&](const PushSubscription& s) {
      return s.expires && *s.expires <= now;
    });
  if (deleted) ++data_version_;
  return deleted;
}

}  // namespace postamt::store
