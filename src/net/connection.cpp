#include "net/connection.h"

#include <arpa/inet.h>
#include <fmt/format.h>

namespace postamt::net {

std::string Endpoint::to_string() const {
  if (address.find(':') != std::string::npos) return fmt::format("[{}]:{}", address, port);
  return fmt::format("{}:{}", address, port);
}

std::chrono::steady_clock::time_point deadline_after(Duration timeout) {
  auto now = std::chrono::steady_clock::now();
  if (timeout > std::chrono::steady_clock::time_point::max() - now)
    return std::chrono::steady_clock::time_point::max();
  return now + timeout;
}

bool is_loopback_address(std::string_view address) {
  std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (reinterpret_cast<const unsigned char*>(&v4.s_addr)[0]) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return false;
  static constexpr unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  const unsigned char* b = v6.s6_addr;
  if (std::equal(b, b + 16, kLoopback)) return true;
  // An IPv4-mapped address of 127/8 reaches the same host (RFC 4291 §2.5.5.2).
  return std::equal(b, b + 12, kMappedPrefix) && b[12] == 127;
}

}  // namespace postamt::net
