#include "mail/store_watch.h"

namespace postamt::mail {

Result<void> StoreWatch::poll() {
  auto version = store_.data_version();
  if (!version) return version.error();
  version_.store(*version, std::memory_order_release);
  return {};
}

}  // namespace postamt::mail
