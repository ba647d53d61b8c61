// Where an IP address leads: the global Internet, or somewhere an outbound request made
// on a client's behalf must not go (RFC 8620 §8.6: the server MUST make sure a push URL
// is externally resolvable, against server-side request forgery). Pure functions over
// the numeric form; any thread.
#pragma once

#include <string_view>

namespace postamt::net {

enum class AddressScope {
  global,       // public unicast
  loopback,     // 127/8, ::1
  private_use,  // RFC 1918 10/8, 172.16/12, 192.168/16; fc00::/7, fec0::/10, 64:ff9b:1::/48
  shared,       // 100.64/10 (RFC 6598 carrier-grade NAT)
  link_local,   // 169.254/16, fe80::/10
  multicast,    // 224/4, ff00::/8
  unspecified,  // 0.0.0.0, ::
  reserved,     // everything else not globally reachable: 0/8, 192.0.0/24, the
                // documentation and benchmark ranges, 240/4 and broadcast, 2001::/23
                // (bar the documentation /32, also reserved), 100::/64, IPv4-compatible
                // ::/96, and IPv6 outside 2000::/3
  invalid,      // not an IPv4 or IPv6 literal
};

// The scope of `address` ("192.0.2.1", "2001:db8::1", without brackets or zone). An
// IPv6 address that embeds an IPv4 one (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96,
// 6to4 2002::/16) has the embedded address's scope.
AddressScope address_scope(std::string_view address);

// "global", "loopback", ... for log lines and errors.
std::string_view scope_name(AddressScope scope);

}  // namespace postamt::net
