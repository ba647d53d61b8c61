// Remembering passwords that were checked (HTTP Basic sends the password with every
// request, and an Argon2id check costs tens of milliseconds): a login whose password
// matched is remembered by a keyed digest of (address, password, stored hash), never the
// password itself. A later login with the same password is accepted after one cheap
// store read, as long as the stored hash is still the one it was checked against: a
// password change, a removed account or an expired entry makes the next login a full
// check again. A wrong password is never remembered, so guessing always costs the full
// check (and the engine's failure delay).
//
// Threads: thread-safe; verify() blocks (store, Argon2): call it on a store thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::mail {

class LoginCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LoginCache(std::chrono::seconds lifetime = std::chrono::minutes(10),
                      size_t max_entries = 10'000);

  // verify_login (login.h) with the cache in front. Same results and errors.
  Result<store::Account> verify(store::Store& store, std::string_view user,
                                std::string_view password);

  size_t size() const;

 private:
  struct Entry {
    std::string digest;
    Clock::time_point expires;
    std::list<std::string>::iterator order;
  };
  std::string digest(std::string_view user, std::string_view password,
                     std::string_view stored_hash) const;

  std::chrono::seconds lifetime_;
  size_t max_entries_;
  std::string key_;  // random per process: digests are useless outside it
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // by lowercased user
  std::list<std::string> order_;                    // most recently used first
};

}  // namespace postamt::mail
