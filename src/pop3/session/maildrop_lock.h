// MaildropLocks: at most one POP3 session per maildrop (RFC 1939 §8 "exclusive-access
// lock"; a second login gets -ERR [IN-USE], RFC 2449 §8.1.2).
//
// The lock is in-process, keyed by AccountId: it is exact for one Postamt node. Several
// nodes over one database (scale-out) do not see each other's locks; IMAP sessions never
// take it (IMAP and POP3 may share a mailbox, the store keeps that consistent).
//
// Threads: MaildropLocks is thread-safe (one mutex). A MaildropLock is a move-only
// guard owned by one session; destroying it releases the maildrop. The MaildropLocks
// object must outlive every guard it handed out.
#pragma once

#include <mutex>
#include <optional>
#include <unordered_set>

#include "model/ids.h"

namespace postamt::pop3 {

class MaildropLocks;

class MaildropLock {
 public:
  MaildropLock(MaildropLock&& other) noexcept;
  MaildropLock& operator=(MaildropLock&& other) noexcept;
  MaildropLock(const MaildropLock&) = delete;
  MaildropLock& operator=(const MaildropLock&) = delete;
  ~MaildropLock();

 private:
  friend class MaildropLocks;
  MaildropLock(MaildropLocks* owner, AccountId account) : owner_(owner), account_(account) {}
  void release();

  MaildropLocks* owner_ = nullptr;
  AccountId account_;
};

class MaildropLocks {
 public:
  // The guard, or nullopt when another session holds `account`'s maildrop.
  std::optional<MaildropLock> try_lock(AccountId account);
  bool is_locked(AccountId account);

 private:
  friend class MaildropLock;
  void unlock(AccountId account);

  std::mutex mutex_;
  std::unordered_set<AccountId> held_;
};

}  // namespace postamt::pop3
