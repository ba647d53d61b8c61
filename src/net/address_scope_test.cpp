#include "net/address_scope.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace postamt::net {
namespace {

TEST(AddressScope, Table) {
  const std::vector<std::pair<const char*, AddressScope>> cases = {
      // IPv4
      {"8.8.8.8", AddressScope::global},
      {"1.1.1.1", AddressScope::global},
      {"0.0.0.0", AddressScope::unspecified},
      {"0.1.2.3", AddressScope::reserved},
      {"127.0.0.1", AddressScope::loopback},
      {"127.255.255.254", AddressScope::loopback},
      {"10.0.0.1", AddressScope::private_use},
      {"172.15.255.255", AddressScope::global},
      {"172.16.0.1", AddressScope::private_use},
      {"172.31.255.255", AddressScope::private_use},
      {"172.32.0.0", AddressScope::global},
      {"192.168.1.1", AddressScope::private_use},
      {"100.63.255.255", AddressScope::global},
      {"100.64.0.1", AddressScope::shared},
      {"100.127.255.255", AddressScope::shared},
      {"100.128.0.0", AddressScope::global},
      {"169.254.169.254", AddressScope::link_local},
      {"224.0.0.1", AddressScope::multicast},
      {"239.255.255.255", AddressScope::multicast},
      {"240.0.0.1", AddressScope::reserved},
      {"255.255.255.255", AddressScope::reserved},
      {"192.0.0.8", AddressScope::reserved},
      {"192.0.2.1", AddressScope::reserved},
      {"198.18.0.1", AddressScope::reserved},
      {"198.19.255.255", AddressScope::reserved},
      {"198.20.0.0", AddressScope::global},
      {"198.51.100.7", AddressScope::reserved},
      {"203.0.113.9", AddressScope::reserved},
      // IPv6
      {"2606:4700::1111", AddressScope::global},
      {"2a00:1450:4001::200e", AddressScope::global},
      {"::", AddressScope::unspecified},
      {"::1", AddressScope::loopback},
      {"::2", AddressScope::reserved},
      {"::ffff:127.0.0.1", AddressScope::loopback},
      {"::ffff:10.1.2.3", AddressScope::private_use},
      {"::ffff:8.8.8.8", AddressScope::global},
      {"64:ff9b::8.8.8.8", AddressScope::global},
      {"64:ff9b::192.168.0.1", AddressScope::private_use},
      {"64:ff9b:1::1", AddressScope::private_use},
      {"2002:7f00:0001::1", AddressScope::loopback},
      {"2002:0808:0808::1", AddressScope::global},
      {"fc00::1", AddressScope::private_use},
      {"fdff:ffff::1", AddressScope::private_use},
      {"fe80::1", AddressScope::link_local},
      {"febf::1", AddressScope::link_local},
      {"fec0::1", AddressScope::private_use},
      {"ff02::1", AddressScope::multicast},
      {"2001:db8::1", AddressScope::reserved},
      {"2001::1", AddressScope::reserved},
      {"2001:1ff::1", AddressScope::reserved},
      {"2001:200::1", AddressScope::global},
      {"100::1", AddressScope::reserved},
      {"4000::1", AddressScope::reserved},
      // not literals
      {"", AddressScope::invalid},
      {"localhost", AddressScope::invalid},
      {"[::1]", AddressScope::invalid},
      {"127.0.0.1 ", AddressScope::invalid},
      {"fe80::1%eth0", AddressScope::invalid},
      {"1.2.3", AddressScope::invalid},
  };
  for (const auto& [address, scope] : cases)
    EXPECT_EQ(scope_name(address_scope(address)), scope_name(scope)) << address;
}

}  // namespace
}  // namespace postamt::net
