#include "auth/policy.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <string>

namespace postamt::auth {

bool plaintext_allowed(AuthPlaintext policy, ConnectionSecurity security, RemoteLocality remote) {
  if (security == ConnectionSecurity::tls) return true;
  switch (policy) {
    case AuthPlaintext::never:
      return false;
    case AuthPlaintext::loopback:
      return remote == RemoteLocality::loopback;
    case AuthPlaintext::always:
      return true;
  }
  return false;
}

std::optional<AuthPlaintext> parse_auth_plaintext(std::string_view text) {
  if (text == "never") return AuthPlaintext::never;
  if (text == "loopback") return AuthPlaintext::loopback;
  if (text == "always") return AuthPlaintext::always;
  return std::nullopt;
}

std::string_view to_string(AuthPlaintext policy) {
  switch (policy) {
    case AuthPlaintext::never:
      return "never";
    case AuthPlaintext::loopback:
      return "loopback";
    case AuthPlaintext::always:
      return "always";
  }
  return "never";
}

RemoteLocality locality_of(std::string_view ip) {
  const std::string text(ip);
  unsigned char v4[4];
  if (inet_pton(AF_INET, text.c_str(), v4) == 1)
    return v4[0] == 127 ? RemoteLocality::loopback : RemoteLocality::remote;
  unsigned char v6[16];
  if (inet_pton(AF_INET6, text.c_str(), v6) != 1) return RemoteLocality::remote;
  static constexpr std::array<unsigned char, 16> kLoopback6 = {0, 0, 0, 0, 0, 0, 0, 0,
                                                               0, 0, 0, 0, 0, 0, 0, 1};
  if (std::memcmp(v6, kLoopback6.data(), 16) == 0) return RemoteLocality::loopback;
  // RFC 4291 §2.5.5.2: IPv4-mapped ::ffff:a.b.c.d
  static constexpr std::array<unsigned char, 12> kMapped = {0, 0, 0, 0, 0,    0,
                                                            0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6, kMapped.data(), 12) == 0 && v6[12] == 127) return RemoteLocality::loopback;
  return RemoteLocality::remote;
}

}  // namespace postamt::auth
