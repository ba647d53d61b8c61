#include "mailauth/spf/address.h"

#include <gtest/gtest.h>

namespace postamt::spf {
namespace {

TEST(SpfAddress, ParsesBothFamiliesAndMappedIpv4) {
  auto v4 = Address::parse("192.0.2.3");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->family, Family::ipv4);
  EXPECT_EQ(v4->to_string(), "192.0.2.3");
  auto v6 = Address::parse("2001:DB8::CB01");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->family, Family::ipv6);
  EXPECT_EQ(v6->to_string(), "2001:db8::cb01");
  // RFC 7208 §5: a client on an IPv4-mapped IPv6 address is checked as IPv4.
  auto mapped = Address::parse("::ffff:192.0.2.3");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, *v4);
  EXPECT_FALSE(Address::parse("192.0.2"));
  EXPECT_FALSE(Address::parse("[192.0.2.3]"));
  EXPECT_FALSE(Address::parse(""));
  EXPECT_FALSE(Address::parse_ipv4("192.0.2.03"));  // qnum has no leading zeros
  EXPECT_FALSE(Address::parse_ipv4("::1"));
  EXPECT_FALSE(Address::parse_ipv6("192.0.2.3"));
}

TEST(SpfAddress, MatchesPrefixes) {
  auto net = *Address::parse("192.0.2.128");
  EXPECT_TRUE(net.matches(*Address::parse("192.0.2.131"), 30));
  EXPECT_FALSE(net.matches(*Address::parse("192.0.2.132"), 30));
  EXPECT_TRUE(net.matches(*Address::parse("10.1.2.3"), 0));
  EXPECT_FALSE(net.matches(*Address::parse("192.0.2.129"), 32));
  EXPECT_FALSE(net.matches(*Address::parse("::ffff:c000:281"), 32));  // mapped: IPv4 .129
  EXPECT_TRUE(net.matches(*Address::parse("::ffff:c000:280"), 32));
  auto v6 = *Address::parse("2001:db8:1234::");
  EXPECT_TRUE(v6.matches(*Address::parse("2001:db8:1234::dead:beef"), 48));
  EXPECT_FALSE(v6.matches(*Address::parse("2001:db8:1235::1"), 48));
  EXPECT_TRUE(v6.matches(*Address::parse("2001:db8:1235::1"), 47));
  EXPECT_FALSE(v6.matches(net, 0));  // never across families
  EXPECT_FALSE(net.matches(net, 33));
}

TEST(SpfAddress, DottedForms) {
  EXPECT_EQ(Address::parse("192.0.2.3")->dotted(), "192.0.2.3");
  EXPECT_EQ(Address::parse("2001:db8::cb01")->dotted(),
            "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
  EXPECT_EQ(Address::parse("192.0.2.3")->version_name(), "in-addr");
  EXPECT_EQ(Address::parse("::1")->version_name(), "ip6");
}

}  // namespace
}  // namespace postamt::spf
