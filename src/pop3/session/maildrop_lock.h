// MaildropLocks: at most one POP3 session per maildrop (RFC 1939 §8 "exclusive-access
// lock"; a second login gets -ERR [IN-USE], RFC 2449 §8.1.2). IMAP sessions never take
// it (IMAP and POP3 may share a mailbox; the store keeps that consistent).
//
// Two modes:
// - In-process (MaildropLocks()): a table keyed by AccountId, exact for one process.
// - Cluster (MaildropLocks(ClusterLock)): the same table, AND a cluster claim
//   "pop3:<account id>" in the store (store/api/store.h, "cluster claims") held by this
//   process's owner id, so that a login on any process over the same database sees it.
//   The claim is leased: maintain() renews every claim of this process (serve calls it
//   every lease/3), and a dead process's claims expire after the lease, which frees its
//   maildrops for the other nodes. `postamt serve` always uses this mode.
//
// A guard's claim is released by release(), which the session awaits on the blocking
// pool when it ends (QUIT, drop, timeout, shutdown). A guard destroyed unreleased, or
// whose release failed (database down), leaves its account "releasing": maintain()
// frees the claim later, and until then a login for that account on this process takes
// the claim over (it is still this owner's). An account whose release is running right
// now answers try_lock with "in use" for those few milliseconds.
//
// Threads: thread-safe (one mutex; store calls are made without holding it). In cluster
// mode try_lock, MaildropLock::release and maintain BLOCK on the store: call them on the
// blocking pool (Runtime::run_blocking), never on the network executor. A MaildropLock is
// a move-only guard owned by one session; its destructor never blocks. The MaildropLocks
// object (and its store) must outlive every guard it handed out.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/result.h"
#include "model/ids.h"
#include "store/api/store.h"

namespace postamt::pop3 {

class MaildropLocks;

class MaildropLock {
 public:
  MaildropLock(MaildropLock&& other) noexcept;
  MaildropLock& operator=(MaildropLock&& other) noexcept;
  MaildropLock(const MaildropLock&) = delete;
  MaildropLock& operator=(const MaildropLock&) = delete;
  // Without a release() first, leaves the claim to MaildropLocks::maintain().
  ~MaildropLock();

  // Frees the maildrop now (cluster mode: releases the claim; BLOCKS). Idempotent: the
  // guard is empty afterwards, also when the store failed (the error is returned and the
  // release is left to maintain()).
  Result<void> release();

 private:
  friend class MaildropLocks;
  MaildropLock(MaildropLocks* owner, AccountId account) : owner_(owner), account_(account) {}

  MaildropLocks* owner_ = nullptr;
  AccountId account_;
};

// What cluster mode needs. `owner` names this process among all that share the store
// (cluster_owner_id()); `lease` is [storage] lease (at least 1 s).
struct ClusterLock {
  store::Store* store = nullptr;
  std::string owner;
  std::chrono::seconds lease{30};
};

// "<hostname>:<pid>:<16 hex digits of randomness>", unique per process even when two
// nodes share a hostname or a pid (containers). The hostname is only for people.
std::string cluster_owner_id();

class MaildropLocks {
 public:
  MaildropLocks() = default;  // in-process
  explicit MaildropLocks(ClusterLock cluster) : cluster_(std::move(cluster)) {}

  // The guard; nullopt when another session (cluster mode: on any process) holds
  // `account`'s maildrop. Cluster mode BLOCKS; a store error is returned (the client
  // gets [SYS/TEMP]), and the claim, if the store took it after all, is left to
  // maintain(). In-process mode never fails.
  Result<std::optional<MaildropLock>> try_lock(AccountId account);
  // Whether a session of this process holds `account` (or its release is pending).
  bool is_locked(AccountId account);

  // Cluster mode, BLOCKS: releases the claims left "releasing" (see above), then renews
  // every claim of this process to now + lease, when it holds any. Returns how many
  // claims were renewed; the first store error otherwise (the releases that failed stay
  // pending for the next call). In-process mode: returns 0.
  Result<size_t> maintain();

  // The claim name of `account`'s maildrop: "pop3:<account id>".
  static std::string claim_name(AccountId account);
  bool clustered() const { return cluster_.has_value(); }

 private:
  friend class MaildropLock;
  enum class Entry {
    held,       // a session holds it
    pending,    // no session; the claim may still be ours and waits for maintain()
    releasing,  // a release of the claim is running
  };
  // Guard side: cluster mode releases the claim (blocking) when `how` is now, or marks
  // the entry pending; in-process mode forgets the entry.
  enum class Release { now, later };
  Result<void> unlock(AccountId account, Release how);
  // Cluster mode, BLOCKS: releases the claim of an entry this thread marked releasing,
  // then forgets the entry, or marks it pending again when the store failed.
  Result<void> release_claim(AccountId account);

  std::optional<ClusterLock> cluster_;
  std::mutex mutex_;
  std::unordered_map<AccountId, Entry> entries_;
};

}  // namespace postamt::pop3
