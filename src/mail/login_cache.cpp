#include "mail/login_cache.h"

#include "auth/sasl.h"
#include "auth/scram.h"
#include "base/strings.h"
#include "mail/login.h"

namespace postamt::mail {

LoginCache::LoginCache(std::chrono::seconds lifetime, size_t max_entries)
    : lifetime_(lifetime), max_entries_(max_entries), key_(auth::random_nonce()) {}

std::string LoginCache::digest(std::string_view user, std::string_view password,
                               std::string_view stored_hash) const {
  std::string message;
  message.reserve(user.size() + password.size() + stored_hash.size() + 2);
  message.append(ascii_lower(user)).push_back('\0');
  message.append(stored_hash).push_back('\0');
  message.append(password);
  auto mac = auth::hmac_sha256(key_, message);
  return std::string(auth::as_bytes(mac));
}

size_t LoginCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

Result<store::Account> LoginCache::verify(store::Store& store, std::string_view user,
                                          std::string_view password) {
  std::string key = ascii_lower(user);
  if (login_name_is_well_formed(user)) {
    auto stored = store.password_hash(user);
    if (stored) {
      std::string want = digest(user, password, *stored);
      bool hit = false;
      {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(key);
        if (it != entries_.end() && it->second.expires > Clock::now() &&
            auth::constant_time_equal(it->second.digest, want))
          hit = true;
      }
      if (hit) return store.find_account(user);
    }
  }
  auto account = verify_login(store, user, password);
  if (!account) return account;
  auto stored = store.password_hash(user);
  if (!stored) return account;  // remembered next time
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    order_.erase(it->second.order);
    entries_.erase(it);
  }
  order_.push_front(key);
  entries_[key] = Entry{digest(user, password, *stored), Clock::now() + lifetime_, order_.begin()};
  while (entries_.size() > max_entries_) {
    entries_.erase(order_.back());
    order_.pop_back();
  }
  return account;
}

}  // namespace postamt::mail
