// An OutboundQueue for tests of the layers above delivery: it keeps what it is given
// (queue_id included) and answers with ids "Q1", "Q2", ... whatever queue_id asks for,
// or fails with the error it was told to.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "delivery/outbound.h"

namespace postamt::delivery::testing {

class RecordingQueue final : public OutboundQueue {
 public:
  Result<std::string> enqueue(const OutboundMessage& message) override {
    if (failure) return *failure;
    messages.push_back(message);
    return "Q" + std::to_string(messages.size());
  }

  std::vector<OutboundMessage> messages;
  std::optional<Error> failure;  // set: every enqueue fails with it, nothing is kept
};

}  // namespace postamt::delivery::testing
