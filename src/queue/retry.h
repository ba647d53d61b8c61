// When to try a deferred message again, and when to give up (RFC 5321 §4.5.4.1: retry
// at least 30 minutes apart, give up after 4-5 days). Pure functions.
#pragma once

#include <chrono>
#include <cstdint>

#include "queue/clock.h"

namespace postamt::queue {

// Named limits (docs/architecture.md, Limits).
struct RetryPolicy {
  // Delay after the first failed attempt; doubled after each further one.
  std::chrono::seconds first_delay = std::chrono::minutes(5);
  // The delay never grows beyond this.
  std::chrono::seconds max_delay = std::chrono::hours(1);
  // A message still undelivered this long after arrival bounces (config outbound.max_age).
  std::chrono::seconds max_age = std::chrono::hours(24 * 5);
  // A message still undelivered this long after arrival gets one "delayed" DSN for the
  // recipients that asked for NOTIFY=DELAY (RFC 3461 §4.1). 0 = never.
  std::chrono::seconds delay_warning = std::chrono::hours(4);
};

// The time of the next attempt after `attempts` failed ones (attempts >= 1), counted
// from `now`: first_delay * 2^(attempts-1), capped at max_delay.
TimePoint next_attempt_after(uint32_t attempts, TimePoint now, const RetryPolicy& policy);

// True when a message that arrived at `arrival` must not be retried any more.
bool expired(TimePoint arrival, TimePoint now, const RetryPolicy& policy);

}  // namespace postamt::queue
