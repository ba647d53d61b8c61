// Logging: one line per event on stderr, in the shape Postfix and Dovecot use so that
// pflogsumm- and fail2ban-style tools can read it:
//
//   2026-11-27T21:30:00.123Z mail.example.test postamt/smtpd[1234]: 4Fz1Xk2ab: from=<a@x>,
//   size=1234
//
// Thread-safe; each call writes one whole line with a single write(2).
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace postamt::log {

enum class Level { debug, info, warning, error };

// Sets the host name shown in each line and the lowest level that is written.
void configure(std::string_view hostname, Level min_level);
Level min_level();

// `service` is the Postfix-style program name after "postamt/" (smtpd, imap, pop3, ...).
void write(Level level, std::string_view service, std::string_view text);

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

}  // namespace postamt::log
