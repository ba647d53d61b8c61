// Things an account has in progress at once (API requests, uploads, WebSockets), each
// kind bounded by a limit (docs/architecture.md, Limits). A Slot counts for as long as it
// lives; it may outlive the request that took it (a WebSocket), so the counters are held
// by shared_ptr. Thread-safe: sessions of one account run on different strands.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "store/api/types.h"

namespace postamt::jmap {

class AccountSlots {
 public:
  // One place taken; gives it back when destroyed. Move-only.
  class Slot {
   public:
    Slot(std::shared_ptr<AccountSlots> slots, AccountId account)
        : slots_(std::move(slots)), account_(account) {}
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { release(); }

   private:
    void release();
    std::shared_ptr<AccountSlots> slots_;  // null once moved from
    AccountId account_;
  };

  AccountSlots() = default;
  AccountSlots(const AccountSlots&) = delete;
  AccountSlots& operator=(const AccountSlots&) = delete;

  // A place for `account`, or nullopt when it holds `limit` already.
  static std::optional<Slot> take(std::shared_ptr<AccountSlots> slots, AccountId account,
                                  uint32_t limit);

  // Places `account` holds now.
  uint32_t in_use(AccountId account) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<int64_t, uint32_t> taken_;
};

}  // namespace postamt::jmap
