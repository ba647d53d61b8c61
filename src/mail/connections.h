// How many sessions one account holds from one remote address (IMAP today, JMAP next):
// a limit per user and address, like Dovecot's mail_max_userip_connections, so that one
// client cannot take the connections the rest of the organisation needs.
//
// Process-wide and in memory (per node with several nodes). Thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "model/ids.h"

namespace postamt::mail {

class ConnectionsPerUser {
 public:
  explicit ConnectionsPerUser(size_t limit) : limit_(limit) {}

  // Held while the session is logged in; gives its place back when destroyed.
  class Slot {
   public:
    Slot(ConnectionsPerUser* owner, std::pair<AccountId, std::string> key)
        : owner_(owner), key_(std::move(key)) {}
    ~Slot() {
      if (owner_) owner_->release(key_);
    }
    Slot(Slot&& other) noexcept : owner_(other.owner_), key_(std::move(other.key_)) {
      other.owner_ = nullptr;
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;

   private:
    ConnectionsPerUser* owner_;
    std::pair<AccountId, std::string> key_;
  };

  // A place for `account` from `remote_address`, or nullopt when it has `limit` already.
  std::optional<Slot> try_acquire(AccountId account, const std::string& remote_address) {
    std::lock_guard lock(mutex_);
    auto key = std::make_pair(account, remote_address);
    size_t& count = counts_[key];
    if (count >= limit_) return std::nullopt;
    ++count;
    return std::optional<Slot>(std::in_place, this, std::move(key));
  }

  size_t limit() const { return limit_; }

 private:
  void release(const std::pair<AccountId, std::string>& key) {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(key);
    if (it != counts_.end() && --it->second == 0) counts_.erase(it);
  }

  const size_t limit_;
  std::mutex mutex_;
  std::map<std::pair<AccountId, std::string>, size_t> counts_;
};

}  // namespace postamt::mail
