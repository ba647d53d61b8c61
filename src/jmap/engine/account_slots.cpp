#include "jmap/engine/account_slots.h"

namespace postamt::jmap {

AccountSlots::Slot& AccountSlots::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    slots_ = std::move(other.slots_);
    account_ = other.account_;
  }
  return *this;
}

void AccountSlots::Slot::release() {
  if (!slots_) return;
  std::lock_guard lock(slots_->mutex_);
  auto it = slots_->taken_.find(account_.value());
  if (it != slots_->taken_.end() && --it->second == 0) slots_->taken_.erase(it);
  slots_.reset();
}

std::optional<AccountSlots::Slot> AccountSlots::take(std::shared_ptr<AccountSlots> slots,
                                                     AccountId account, uint32_t limit) {
  {
    std::lock_guard lock(slots->mutex_);
    auto [it, inserted] = slots->taken_.try_emplace(account.value(), 0);
    if (it->second >= limit) {
      if (it->second == 0) slots->taken_.erase(it);
      return std::nullopt;
    }
    ++it->second;
  }
  return Slot(std::move(slots), account);
}

uint32_t AccountSlots::in_use(AccountId account) const {
  std::lock_guard lock(mutex_);
  auto it = taken_.find(account.value());
  return it == taken_.end() ? 0 : it->second;
}

}  // namespace postamt::jmap
