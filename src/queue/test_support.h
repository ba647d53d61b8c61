// Test-only helpers for src/queue tests: a temporary directory and a settable clock.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "queue/clock.h"

namespace postamt::queue::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "postamt-queue-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

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

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void spit(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace postamt::queue::testing
