// The wall clock, injected (docs/architecture.md, Tests) so that backoff and max_age are testable
// without waiting. Production passes system_clock_now; tests pass a fake.
#pragma once

#include <chrono>
#include <functional>

namespace postamt::queue {

using TimePoint = std::chrono::system_clock::time_point;
// Returns "now". Must be callable from any thread.
using Clock = std::function<TimePoint()>;

inline TimePoint system_clock_now() {
  return std::chrono::system_clock::now();
}

inline int64_t to_unix(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline TimePoint from_unix(int64_t seconds) {
  return TimePoint(std::chrono::seconds(seconds));
}

}  // namespace postamt::queue
