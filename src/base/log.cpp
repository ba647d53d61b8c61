#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <string>

namespace postamt::log {
namespace {
std::mutex g_mutex;
std::string g_hostname = "localhost";
std::atomic<Level> g_min{Level::info};
}  // namespace

void configure(std::string_view hostname, Level min) {
  std::lock_guard lock(g_mutex);
  g_hostname = std::string(hostname);
  g_min = min;
}

Level min_level() {
  return g_min.load();
}

void write(Level level, std::string_view service, std::string_view text) {
  if (level < g_min.load()) return;
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string host;
  {
    std::lock_guard lock(g_mutex);
    host = g_hostname;
  }
  std::string_view prefix = level == Level::warning ? "warning: "
                            : level == Level::error ? "error: "
                                                    : "";
  // Control characters from peers never reach the log raw (log injection).
  std::string clean;
  clean.reserve(text.size());
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f)
      clean += fmt::format("\\x{:02x}", c);
    else
      clean += static_cast<char>(c);
  }
  std::string line = fmt::format("{}.{:03d}Z {} postamt/{}[{}]: {}{}\n", stamp, millis, host,
                                 service, getpid(), prefix, clean);
  ssize_t off = 0;
  while (off < static_cast<ssize_t>(line.size())) {
    ssize_t n = ::write(2, line.data() + off, line.size() - off);
    if (n <= 0) break;
    off += n;
  }
}

}  // namespace postamt::log
