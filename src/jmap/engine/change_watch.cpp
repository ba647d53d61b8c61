#include "jmap/engine/change_watch.h"

#include "base/log.h"
#include "jmap/engine/state_changes.h"

namespace postamt::jmap {

net::awaitable<Result<ModSeq>> ChangeWatch::start() {
  watch_version_ = services_.watch ? services_.watch->version() : 0;
  next_store_check_ = std::chrono::steady_clock::now() + kStoreCheck;
  store::Store* store = services_.store;
  AccountId id = account_.id;
  auto work = [store, id] { return store->account_modseq(id); };
  auto task = services_.runtime->run_blocking(std::move(work));
  Result<ModSeq> modseq = co_await std::move(task);
  if (modseq) modseq_ = *modseq;
  co_return modseq;
}

bool ChangeWatch::may_have_changed() {
  if (services_.watch) {
    uint64_t version = services_.watch->version();
    if (version == watch_version_) return false;
    watch_version_ = version;
    return true;
  }
  auto now = std::chrono::steady_clock::now();
  if (now < next_store_check_) return false;
  next_store_check_ = now + kStoreCheck;
  return true;
}

net::awaitable<std::vector<std::pair<std::string, std::string>>> ChangeWatch::changed(
    std::function<bool(std::string_view)> wanted) {
  store::Store* store = services_.store;
  AccountId id = account_.id;
  ModSeq since = modseq_;
  auto work = [store, id, since] { return read_moved(*store, id, since); };
  auto task = services_.runtime->run_blocking(std::move(work));
  Result<Moved> moved = co_await std::move(task);
  if (!moved) {
    log::warning("jmap", "cannot read the state of <{}>: {}", account_.address,
                 moved.error().message);
    co_return std::vector<std::pair<std::string, std::string>>{};
  }
  if (moved->modseq == modseq_) co_return std::vector<std::pair<std::string, std::string>>{};
  modseq_ = moved->modseq;
  co_return changed_types(*moved, wanted);
}

}  // namespace postamt::jmap
