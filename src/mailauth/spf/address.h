// The SMTP client's address as SPF sees it (RFC 7208 §4.1 <ip>, §5 "ip4"/"ip6"
// comparison, §7.3 "i", "c" and "v" macros). Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postamt::spf {

enum class Family { ipv4, ipv6 };

struct Address {
  Family family = Family::ipv4;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4

  // An IPv4 dotted quad or an IPv6 literal (RFC 4291 §2.2). An IPv4-mapped IPv6
  // address ("::ffff:192.0.2.1") is taken as the IPv4 address it carries: RFC 7208 §5
  // asks IPv6 servers to check such clients against "A" records and "ip4".
  // nullopt for anything else.
  static std::optional<Address> parse(std::string_view text);
  // ip4 networks as RFC 7208 §5.6 writes them: a dotted quad without leading zeros.
  static std::optional<Address> parse_ipv4(std::string_view text);
  static std::optional<Address> parse_ipv6(std::string_view text);

  // Whether the first `prefix` bits equal those of `other` (same family only).
  bool matches(const Address& other, int prefix) const;

  // "192.0.2.3", or the RFC 5952 form "2001:db8::cb01" (the §7.3 "c" macro).
  std::string to_string() const;
  // The §7.3 "i" macro: the dotted quad, or 32 dot-separated nibbles for IPv6.
  std::string dotted() const;
  // The §7.3 "v" macro: "in-addr" or "ip6".
  std::string_view version_name() const { return family == Family::ipv4 ? "in-addr" : "ip6"; }

  bool operator==(const Address&) const = default;
};

}  // namespace postamt::spf
