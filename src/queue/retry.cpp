#include "queue/retry.h"

#include <algorithm>

namespace postamt::queue {

TimePoint next_attempt_after(uint32_t attempts, TimePoint now, const RetryPolicy& policy) {
  std::chrono::seconds delay = policy.first_delay;
  // Doubling stops as soon as the cap is reached, so no overflow for large counts.
  for (uint32_t i = 1; i < attempts && delay < policy.max_delay; ++i) delay *= 2;
  return now + std::min(delay, policy.max_delay);
}

bool expired(TimePoint arrival, TimePoint now, const RetryPolicy& policy) {
  return now - arrival >= policy.max_age;
}

}  // namespace postamt::queue
