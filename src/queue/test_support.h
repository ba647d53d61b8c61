// Test-only helpers for src/queue tests: a settable clock, and the shared file helpers
// (tests/support/files.h) under this namespace.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "queue/clock.h"
#include "support/files.h"

namespace postamt::queue::testing {

using postamt::testing::TempDir;

// A clock that stands still until a test moves it. Thread-safe.
class FakeClock {
 public:
  explicit FakeClock(int64_t unix_seconds = 1'800'000'000) { now_->store(unix_seconds); }
  Clock clock() {
    auto now = now_;
    return [now] { return from_unix(now->load()); };
  }
  void advance(std::chrono::seconds s) { *now_ += s.count(); }
  TimePoint now() const { return from_unix(now_->load()); }

 private:
  std::shared_ptr<std::atomic<int64_t>> now_ = std::make_shared<std::atomic<int64_t>>(0);

 public:
  FakeClock(const FakeClock&) = delete;
};

using postamt::testing::read_file;
using postamt::testing::write_file;

}  // namespace postamt::queue::testing
