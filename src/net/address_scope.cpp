#include "net/address_scope.h"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <string>

namespace postamt::net {

namespace {

using V4 = std::array<uint8_t, 4>;

bool in_v4(const V4& a, uint8_t b0, uint8_t b1, uint8_t b2, int prefix) {
  const uint32_t value =
      (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (uint32_t{a[2]} << 8) | a[3];
  const uint32_t net = (uint32_t{b0} << 24) | (uint32_t{b1} << 16) | (uint32_t{b2} << 8);
  const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (value & mask) == (net & mask);
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and successors).
AddressScope v4_scope(const V4& a) {
  if (a == V4{0, 0, 0, 0}) return AddressScope::unspecified;
  if (in_v4(a, 0, 0, 0, 8)) return AddressScope::reserved;  // "this network"
  if (in_v4(a, 127, 0, 0, 8)) return AddressScope::loopback;
  if (in_v4(a, 10, 0, 0, 8) || in_v4(a, 172, 16, 0, 12) || in_v4(a, 192, 168, 0, 16))
    return AddressScope::private_use;
  if (in_v4(a, 100, 64, 0, 10)) return AddressScope::shared;
  if (in_v4(a, 169, 254, 0, 16)) return AddressScope::link_local;
  if (in_v4(a, 224, 0, 0, 4)) return AddressScope::multicast;
  if (in_v4(a, 192, 0, 0, 24) ||     // IETF protocol assignments
      in_v4(a, 192, 0, 2, 24) ||     // TEST-NET-1
      in_v4(a, 192, 88, 99, 24) ||   // 6to4 relay anycast (deprecated)
      in_v4(a, 198, 18, 0, 15) ||    // benchmarking
      in_v4(a, 198, 51, 100, 24) ||  // TEST-NET-2
      in_v4(a, 203, 0, 113, 24) ||   // TEST-NET-3
      in_v4(a, 240, 0, 0, 4))        // future use, and 255.255.255.255
    return AddressScope::reserved;
  return AddressScope::global;
}

bool starts(const uint8_t* b, std::initializer_list<uint8_t> prefix) {
  size_t i = 0;
  for (uint8_t p : prefix)
    if (b[i++] != p) return false;
  return true;
}

// IANA IPv6 Special-Purpose Address Registry.
AddressScope v6_scope(const uint8_t* b) {
  bool zero96 = starts(b, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  if (zero96) {
    if (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 0) return AddressScope::unspecified;
    if (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1) return AddressScope::loopback;
    return AddressScope::reserved;  // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1)
  }
  if (starts(b, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}))  // IPv4-mapped
    return v4_scope(V4{b[12], b[13], b[14], b[15]});
  if (starts(b, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}))  // NAT64 (RFC 6052)
    return v4_scope(V4{b[12], b[13], b[14], b[15]});
  if (starts(b, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}))
    return AddressScope::private_use;                                        // RFC 8215
  if (starts(b, {0x20, 0x02})) return v4_scope(V4{b[2], b[3], b[4], b[5]});  // 6to4
  if (b[0] == 0xff) return AddressScope::multicast;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressScope::link_local;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressScope::private_use;  // site-local
  if ((b[0] & 0xfe) == 0xfc) return AddressScope::private_use;                  // unique local
  if ((b[0] & 0xe0) != 0x20) return AddressScope::reserved;  // outside global unicast 2000::/3
  // 2001::/23 IETF protocol assignments (Teredo, ORCHID, benchmarking...), 2001:db8::/32
  // documentation.
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02) return AddressScope::reserved;
  if (starts(b, {0x20, 0x01, 0x0d, 0xb8})) return AddressScope::reserved;
  return AddressScope::global;
}

}  // namespace

AddressScope address_scope(std::string_view address) {
  if (address.empty() || address.size() > 64) return AddressScope::invalid;
  std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    const auto* b = reinterpret_cast<const uint8_t*>(&v4.s_addr);
    return v4_scope(V4{b[0], b[1], b[2], b[3]});
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return v6_scope(v6.s6_addr);
  return AddressScope::invalid;
}

std::string_view scope_name(AddressScope scope) {
  switch (scope) {
    case AddressScope::global:
      return "global";
    case AddressScope::loopback:
      return "loopback";
    case AddressScope::private_use:
      return "private";
    case AddressScope::shared:
      return "shared (carrier-grade NAT)";
    case AddressScope::link_local:
      return "link-local";
    case AddressScope::multicast:
      return "multicast";
    case AddressScope::unspecified:
      return "unspecified";
    case AddressScope::reserved:
      return "reserved";
    case AddressScope::invalid:
      return "invalid";
  }
  return "invalid";
}

}  // namespace postamt::net
