#include "mailauth/spf/address.h"

#include <arpa/inet.h>

namespace postamt::spf {

std::optional<Address> Address::parse_ipv4(std::string_view text) {
  // inet_pton(AF_INET) takes exactly four decimal parts without leading zeros, which is
  // the ip4-network ABNF of RFC 7208 §5.6 (qnum).
  if (text.empty() || text.size() > 15) return std::nullopt;
  const std::string s(text);
  Address out;
  if (inet_pton(AF_INET, s.c_str(), out.bytes.data()) != 1) return std::nullopt;
  return out;
}

std::optional<Address> Address::parse_ipv6(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  Address out;
  out.family = Family::ipv6;
  if (inet_pton(AF_INET6, s.c_str(), out.bytes.data()) != 1) return std::nullopt;
  return out;
}

std::optional<Address> Address::parse(std::string_view text) {
  if (auto v4 = parse_ipv4(text)) return v4;
  auto v6 = parse_ipv6(text);
  if (!v6) return std::nullopt;
  // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d carries an IPv4 address.
  static constexpr std::array<uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  bool mapped = true;
  for (size_t i = 0; i < kMapped.size(); ++i) mapped = mapped && v6->bytes[i] == kMapped[i];
  if (!mapped) return v6;
  Address v4;
  for (size_t i = 0; i < 4; ++i) v4.bytes[i] = v6->bytes[12 + i];
  return v4;
}

bool Address::matches(const Address& other, int prefix) const {
  if (family != other.family) return false;
  const int bits = family == Family::ipv4 ? 32 : 128;
  if (prefix < 0 || prefix > bits) return false;
  size_t i = 0;
  for (; prefix >= 8; prefix -= 8, ++i) {
    if (bytes[i] != other.bytes[i]) return false;
  }
  if (prefix == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - prefix));
  return (bytes[i] & mask) == (other.bytes[i] & mask);
}

std::string Address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::ipv4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::string Address::dotted() const {
  if (family == Family::ipv4) return to_string();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(63);
  for (size_t i = 0; i < 16; ++i) {
    if (i > 0) out += '.';
    out += kHex[bytes[i] >> 4];
    out += '.';
    out += kHex[bytes[i] & 0x0F];
  }
  return out;
}

}  // namespace postamt::spf
