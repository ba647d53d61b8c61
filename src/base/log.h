// Logging: one line per event on stderr, in one of two formats (configure()).
//
// text (the default), the shape Postfix and Dovecot use so that pflogsumm- and
// fail2ban-style tools can read it:
//
//   2026-11-27T21:30:00.123Z mail.example.test postamt/smtpd[1234]: 4Fz1Xk2ab: from=<a@x>,
//   size=1234
//
// Warnings and errors start their text with "warning: " / "error: ". Control characters
// (below 0x20, and 0x7F) in the text become "\xNN"; other bytes are written as they are.
//
// json: one JSON object per line (RFC 8259), its members always in this order:
//
//   {"time":"2026-11-27T21:30:00.123Z","host":"mail.example.test","service":"smtpd",
//    "pid":1234,"level":"info","message":"4Fz1Xk2ab: from=<a@x>, size=1234",
//    "queue_id":"4Fz1Xk2ab"}
//
// time is RFC 3339 UTC with milliseconds; level is debug | info | warning | error (the
// message has no "warning: " prefix); message is the text line's text exactly; then the
// line's Fields (queue_id, remote_ip, ...), string-valued, in the order given. Strings are
// escaped exactly (json_escape): '"' and '\' with a backslash, every control character
// (U+0000..U+001F) and DEL as \u00XX (lowercase hex), each byte that is not part of
// well-formed UTF-8 as \ufffd; everything else as it is, so the line is valid UTF-8.
//
// Thread-safe; each call writes one whole line with a single write(2) where the kernel
// allows (it retries short writes).
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace postamt::log {

enum class Level { debug, info, warning, error };
enum class Format { text, json };

// A structured field of a line (JSON only; the text line carries it in its text).
struct Field {
  std::string_view name;
  std::string_view value;
};
using Fields = std::initializer_list<Field>;

// Sets the host name shown in each line, the lowest level that is written and the format.
void configure(std::string_view hostname, Level min_level, Format format = Format::text);
Level min_level();

// `service` is the Postfix-style program name after "postamt/" (smtpd, imap, pop3, ...).
void write(Level level, std::string_view service, std::string_view text, Fields fields = {});

// One line as write() renders it; pure, for tests and tools.
struct Record {
  std::chrono::system_clock::time_point time;
  std::string_view host;
  std::string_view service;
  long pid = 0;
  Level level = Level::info;
  std::string_view text;
  std::vector<Field> fields;
};
std::string render(const Record& record, Format format);  // with the final "\n"
// `text` as the inside of a JSON string (rules above).
std::string json_escape(std::string_view text);

template <class... Args>
void info(std::string_view service, fmt::format_string<Args...> f, Args&&... args) {
  write(Level::info, service, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warning(std::string_view service, fmt::format_string<Args...> f, Args&&... args) {
  write(Level::warning, service, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void error(std::string_view service, fmt::format_string<Args...> f, Args&&... args) {
  write(Level::error, service, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void debug(std::string_view service, fmt::format_string<Args...> f, Args&&... args) {
  if (min_level() <= Level::debug)
    write(Level::debug, service, fmt::format(f, std::forward<Args>(args)...));
}

// A line about one queued message, Postfix-style: the text is "<queue_id>: <text>", and
// the JSON line has a "queue_id" field too.
template <class... Args>
void message(Level level, std::string_view service, std::string_view queue_id,
             fmt::format_string<Args...> f, Args&&... args) {
  if (level < min_level()) return;
  write(level, service,
        fmt::format("{}: {}", queue_id, fmt::format(f, std::forward<Args>(args)...)),
        {{"queue_id", queue_id}});
}

}  // namespace postamt::log
