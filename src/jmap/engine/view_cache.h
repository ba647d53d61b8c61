// Account views kept between requests (docs/architecture.md, derived data is disposable):
// loading a 100 000-message account reads every record, so a view is reused while the
// account's modseq has not moved. Every change a JMAP client can see moves it (store.h,
// account_modseq), so a reused view is never older than the store. Views are immutable
// once made and shared; at most `max_messages` messages are kept over all cached
// accounts, least recently used dropped first.
//
// Threads: thread-safe; get() blocks (store calls), so call it on a store thread.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>

#include "jmap/engine/account_view.h"

namespace postamt::jmap {

class ViewCache {
 public:
  explicit ViewCache(size_t max_messages = 500'000) : max_messages_(max_messages) {}

  // The account's view as of now: the cached one when the account's modseq still equals
  // the one it was made at, else a fresh one (which replaces it).
  Result<std::shared_ptr<const AccountView>> get(store::Store& store, AccountId account);

 private:
  struct Entry {
    AccountId account;
    std::shared_ptr<const AccountView> view;
    size_t messages = 0;
  };
  std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  size_t max_messages_;
  size_t cached_messages_ = 0;
};

}  // namespace postamt::jmap
