// The one log line for a failed login, in a fixed shape that fail2ban can match:
//
//   auth failed: service=<service> user=<<user>> rip=<remote ip> mechanism=<mechanism>
//   e.g. "auth failed: service=smtp user=<alice@example.org> rip=127.0.0.1 mechanism=PLAIN"
//
// The fail2ban filter that matches it (text and JSON log formats) is
// contrib/fail2ban/filter.d/postamt.conf, checked by tests/integration/test_fail2ban.py;
// change the line and the filter together.
//
// `user` and `mechanism` come from the client, so they are sanitised: every byte below
// 0x20, 0x7F, '<' and '>' becomes '?', invalid UTF-8 bytes become '?', and the result is
// cut to kLogUserMax bytes (user) / kLogMechanismMax bytes (mechanism) at a character
// boundary, with "..." appended when cut. An empty user is written as "<>". `service` and
// `remote_ip` come from the server and are written as given.
//
// Threads: pure; log_auth_failure writes one line through base/log.h (thread-safe).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postamt::auth {

inline constexpr size_t kLogUserMax = 64;
inline constexpr size_t kLogMechanismMax = 20;

// Makes client text safe for one log line (rules above), cut to at most `max_bytes`.
std::string sanitize_for_log(std::string_view text, size_t max_bytes);

std::string auth_failure_line(std::string_view service, std::string_view user,
                              std::string_view remote_ip, std::string_view mechanism);

// Writes auth_failure_line() at warning level under `service` (JSON: with a remote_ip field),
// and counts the failure in postamt_logins_total{service,result="failed"} (metrics/catalog.h).
void log_auth_failure(std::string_view service, std::string_view user, std::string_view remote_ip,
                      std::string_view mechanism);

// Counts a successful login in postamt_logins_total{service,result="ok"}. Every login path
// calls it where it records the success (FailureTracker::record_success). Thread-safe.
void count_login_success(std::string_view service);

}  // namespace postamt::auth
