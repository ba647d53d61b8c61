#include "auth/auth_log.h"

#include <fmt/format.h>

#include "auth/sasl.h"
#include "base/log.h"
#include "metrics/catalog.h"

namespace postamt::auth {

namespace {

// Length of the UTF-8 sequence starting at s[i] if it is well-formed, else 0.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  return is_valid_utf8(s.substr(i, len)) ? len : 0;
}

}  // namespace

std::string sanitize_for_log(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::string_view piece;
    size_t consumed = 1;
    if (c < 0x20 || c == 0x7F || c == '<' || c == '>') {
      piece = "?";
    } else if (c < 0x80) {
      piece = text.substr(i, 1);
    } else if (size_t len = utf8_sequence_length(text, i); len > 0) {
      piece = text.substr(i, len);
      consumed = len;
    } else {
      piece = "?";
    }
    // Never split a character: stop before a piece that would not fit whole.
    if (out.size() + piece.size() > max_bytes) {
      out += "...";
      return out;
    }
    out += piece;
    i += consumed;
  }
  return out;
}

std::string auth_failure_line(std::string_view service, std::string_view user,
                              std::string_view remote_ip, std::string_view mechanism) {
  return fmt::format("auth failed: service={} user=<{}> rip={} mechanism={}", service,
                     sanitize_for_log(user, kLogUserMax), remote_ip,
                     sanitize_for_log(mechanism, kLogMechanismMax));
}

void log_auth_failure(std::string_view service, std::string_view user, std::string_view remote_ip,
                      std::string_view mechanism) {
  // JSON lines carry the address as a field too (base/log.h); fail2ban's filter reads the
  // message either way (contrib/fail2ban/filter.d/postamt.conf).
  log::write(log::Level::warning, service, auth_failure_line(service, user, remote_ip, mechanism),
             {{"remote_ip", remote_ip}});
  metrics::catalog().logins.with({service, "failed"}).inc();
}

void count_login_success(std::string_view service) {
  metrics::catalog().logins.with({service, "ok"}).inc();
}

}  // namespace postamt::auth
