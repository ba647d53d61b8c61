// Who hears of a message that a delivery::Transaction put into local mailboxes: an
// interface declared here and implemented above (the read-receipt layer records the
// receipts that arrive, mdn/received.h), wired by src/app, so that delivery depends on
// no receipt code (docs/architecture.md, "Interfaces declared below, implemented above").
//
// Threads: delivered() is called on the committing thread (a store thread) after the
// commit is durable; it may block. It must not fail the delivery: the message is
// already stored, and a failure would make the sender retry and deliver it twice.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/ids.h"
#include "store/api/types.h"

namespace postamt::delivery {

struct Delivered {
  AccountId account;
  std::string address;  // the account's address
  store::Appended where;
};

struct DeliveredMessage {
  std::string_view envelope_sender;         // "" = null sender
  std::string_view message;                 // the local copy's bytes, trace fields included
  const std::vector<Delivered>* delivered;  // one per local account, never empty
  // Filed in Junk because the sender failed the MX's checks (Transaction::set_quarantine):
  // automatic replies should not answer it.
  bool quarantined = false;
};

class DeliveryObserver {
 public:
  virtual ~DeliveryObserver() = default;
  virtual void delivered(const DeliveredMessage& message) = 0;
};

}  // namespace postamt::delivery
