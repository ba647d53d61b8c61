// Read receipts that ARRIVE for local users: every message delivered locally is looked
// at, and a receipt (RFC 8098 multipart/report) that names its original by
// Original-Message-ID is recorded in each recipient's ledger (`postamt receipts list`).
// A delivery::DeliveryObserver, wired into every delivery::Transaction by src/app, so
// that delivery itself knows nothing of receipts.
//
// Recording never fails the delivery (the message is durable already): a ledger error
// is logged under service "mdn", as is a receipt that does not parse or lacks
// Original-Message-ID (not recorded).
//
// Threads: delivered() blocks (store); called on the committing store thread.
// Thread-safe when the store is.
#pragma once

#include <chrono>
#include <functional>

#include "delivery/observer.h"
#include "store/api/store.h"

namespace postamt::mdn {

class ReceivedReceipts final : public delivery::DeliveryObserver {
 public:
  ReceivedReceipts(store::Store& store, std::function<std::chrono::sys_seconds()> now)
      : store_(store), now_(std::move(now)) {}

  void delivered(const delivery::DeliveredMessage& message) override;

 private:
  store::Store& store_;
  std::function<std::chrono::sys_seconds()> now_;
};

}  // namespace postamt::mdn
