// StoreWatch: one process-wide reading of the store's data_version, so that many idle
// sessions (IMAP IDLE, later JMAP push) can notice "something was written" by reading
// an atomic instead of each asking the store several times a second.
//
// Threads: poll() blocks (one store call): run it on a store thread, from one poller at a
// time. version() is a lock-free read, safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>

#include "store/api/store.h"

namespace postamt::mail {

class StoreWatch {
 public:
  explicit StoreWatch(store::Store& store) : store_(store) {}

  // The data_version seen by the last successful poll(); 0 before the first one. A
  // changed value means some write committed in between; equal values say nothing
  // about writes after the last poll.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }

  // Reads the store's data_version. A store error leaves version() as it was (the next
  // poll tries again) and is returned.
  Result<void> poll();

 private:
  store::Store& store_;
  std::atomic<uint64_t> version_{0};
};

}  // namespace postamt::mail
