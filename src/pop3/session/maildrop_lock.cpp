#include "pop3/session/maildrop_lock.h"

namespace postamt::pop3 {

MaildropLock::MaildropLock(MaildropLock&& other) noexcept
    : owner_(other.owner_), account_(other.account_) {
  other.owner_ = nullptr;
}

MaildropLock& MaildropLock::operator=(MaildropLock&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = other.owner_;
    account_ = other.account_;
    other.owner_ = nullptr;
  }
  return *this;
}

MaildropLock::~MaildropLock() {
  release();
}

void MaildropLock::release() {
  if (owner_) owner_->unlock(account_);
  owner_ = nullptr;
}

std::optional<MaildropLock> MaildropLocks::try_lock(AccountId account) {
  std::lock_guard lock(mutex_);
  if (!held_.insert(account).second) return std::nullopt;
  return MaildropLock(this, account);
}

bool MaildropLocks::is_locked(AccountId account) {
  std::lock_guard lock(mutex_);
  return held_.contains(account);
}

void MaildropLocks::unlock(AccountId account) {
  std::lock_guard lock(mutex_);
  held_.erase(account);
}

}  // namespace postamt::pop3
