// An IP network written in CIDR notation — "192.0.2.0/24", "2001:db8::/32", or one
// address ("192.0.2.7" = /32, "::1" = /128) — for lists like [smtp] trusted_networks.
// Parsing and matching only; no I/O, no name lookups; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt {

class IpNetwork {
 public:
  // Errors (invalid): not a numeric address, a prefix length out of range (0-32 for
  // IPv4, 0-128 for IPv6), or address bits set beyond the prefix ("192.0.2.1/24": a
  // typo more often than not).
  static Result<IpNetwork> parse(std::string_view text);

  // Whether the numeric `address` (as a connection reports it) lies in the network. An
  // IPv4-mapped IPv6 address ("::ffff:192.0.2.7") is matched as the IPv4 address. An
  // unparsable address matches nothing.
  bool contains(std::string_view address) const;

  // The canonical form, "192.0.2.0/24" or "2001:db8::/32".
  std::string to_string() const;

  bool operator==(const IpNetwork&) const = default;

 private:
  bool v6_ = false;
  std::array<uint8_t, 16> bytes_{};  // IPv4 in the first 4
  int prefix_ = 0;
};

}  // namespace postamt
