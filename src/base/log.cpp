#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <ctime>
#include <mutex>
#include <string>

namespace postamt::log {
namespace {
std::mutex g_mutex;
std::mutex g_write_mutex;  // held for the write(2) calls of one line
std::string g_hostname = "localhost";
std::atomic<Level> g_min{Level::info};
std::atomic<Format> g_format{Format::text};

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warning:
      return "warning";
    case Level::error:
      return "error";
  }
  return "info";
}

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629 §4: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0.
size_t utf8_length(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  const auto b1 = static_cast<unsigned char>(s[i + 1]);
  if (b1 < lo || b1 > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return len;
}

std::string timestamp(std::chrono::system_clock::time_point time) {
  auto secs = std::chrono::system_clock::to_time_t(time);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  if (millis < 0) millis += 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", stamp, millis);
}

std::string render_text(const Record& r) {
  std::string_view prefix = r.level == Level::warning ? "warning: "
                            : r.level == Level::error ? "error: "
                                                      : "";
  // Control characters from peers never reach the log raw (log injection).
  std::string clean;
  clean.reserve(r.text.size());
  for (unsigned char c : r.text) {
    if (c < 0x20 || c == 0x7f)
      clean += fmt::format("\\x{:02x}", c);
    else
      clean += static_cast<char>(c);
  }
  return fmt::format("{} {} postamt/{}[{}]: {}{}\n", timestamp(r.time), r.host, r.service, r.pid,
                     prefix, clean);
}

std::string render_json(const Record& r) {
  std::string out = fmt::format(
      R"({{"time":"{}","host":"{}","service":"{}","pid":{},"level":"{}","message":"{}")",
      timestamp(r.time), json_escape(r.host), json_escape(r.service), r.pid, level_name(r.level),
      json_escape(r.text));
  for (const Field& f : r.fields)
    out += fmt::format(R"(,"{}":"{}")", json_escape(f.name), json_escape(f.value));
  out += "}\n";
  return out;
}

}  // namespace

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      // RFC 8259 §7: controls must be escaped; DEL too, as the text format does.
      out += fmt::format("\\u{:04x}", c);
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (size_t len = utf8_length(text, i); len > 0) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      // A byte outside well-formed UTF-8 (RFC 8259 §8.1: JSON text is UTF-8): one
      // replacement character per byte, so the line stays valid and lengths stay visible.
      out += "\\ufffd";
      ++i;
    }
  }
  return out;
}

std::string render(const Record& record, Format format) {
  return format == Format::json ? render_json(record) : render_text(record);
}

void configure(std::string_view hostname, Level min, Format format) {
  std::lock_guard lock(g_mutex);
  g_hostname = std::string(hostname);
  g_min = min;
  g_format = format;
}

Level min_level() {
  return g_min.load();
}

void write(Level level, std::string_view service, std::string_view text, Fields fields) {
  if (level < g_min.load()) return;
  std::string host;
  {
    std::lock_guard lock(g_mutex);
    host = g_hostname;
  }
  Record record{std::chrono::system_clock::now(), host,  service,
                static_cast<long>(getpid()),      level, text,
                std::vector<Field>(fields)};
  const std::string line = render(record, g_format.load());
  // One writer at a time: a line longer than PIPE_BUF, or a short write, would otherwise
  // let another thread's line land inside this one (a "line" made of client bytes).
  std::lock_guard lock(g_write_mutex);
  ssize_t off = 0;
  while (off < static_cast<ssize_t>(line.size())) {
    ssize_t n = ::write(2, line.data() + off, line.size() - off);
    if (n <= 0) break;
    off += n;
  }
}

}  // namespace postamt::log
