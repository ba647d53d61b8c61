// Watches one account for a push channel (the event source, event_source.h; WebSocket
// push, websocket.h): a cheap "may have changed" check, and, when something may have,
// which JMAP types changed since the state the client last heard of (state_changes.h).
//
// How a change is noticed: every JMAP state of an account is its modseq (standard.h).
// may_have_changed() looks at the process-wide StoreWatch (an atomic that `serve`
// refreshes a few times a second); without a watch it says yes every kStoreCheck. The
// caller polls it every kWatchCheck and calls changed() (a store read) only when it says
// yes, so an idle channel costs no store reads and a write by any protocol or process
// reaches the client within about a second.
//
// Thread: one channel's coroutine (the connection's strand); `services` outlives it.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jmap/engine/services.h"
#include "store/api/types.h"

namespace postamt::jmap {

inline constexpr net::Duration kWatchCheck = std::chrono::milliseconds(100);
inline constexpr net::Duration kStoreCheck = std::chrono::milliseconds(500);

class ChangeWatch {
 public:
  ChangeWatch(const Services& services, store::Account account)
      : services_(services), account_(std::move(account)) {}

  // Starts from the account's state now and returns it: reads the StoreWatch version,
  // then the modseq (in that order, so that a write committed in between is noticed by
  // a later look, never missed). A store error is returned; the watch is then unusable.
  net::awaitable<Result<ModSeq>> start();
  // Continues from `modseq` (a state the client gave back) instead; after start().
  void continue_from(ModSeq modseq) { modseq_ = modseq; }
  ModSeq modseq() const { return modseq_; }

  // True when a store write may have happened since the last look; cheap.
  bool may_have_changed();

  // The (type, state) pairs `wanted` admits that changed since modseq() (changed_types
  // of state_changes.h); modseq() becomes the account's state now. Empty when nothing
  // wanted changed; also after a store failure, which is logged and looked at again at
  // the next change.
  net::awaitable<std::vector<std::pair<std::string, std::string>>> changed(
      std::function<bool(std::string_view)> wanted);

 private:
  const Services& services_;
  store::Account account_;
  ModSeq modseq_ = 0;
  uint64_t watch_version_ = 0;
  std::chrono::steady_clock::time_point next_store_check_;
};

}  // namespace postamt::jmap
