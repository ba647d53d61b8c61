#include "base/ip_network.h"

#include <gtest/gtest.h>

namespace postamt {
namespace {

TEST(IpNetwork, ParsesAndPrintsCanonically) {
  EXPECT_EQ(IpNetwork::parse("192.0.2.0/24")->to_string(), "192.0.2.0/24");
  EXPECT_EQ(IpNetwork::parse("192.0.2.7")->to_string(), "192.0.2.7/32");
  EXPECT_EQ(IpNetwork::parse("2001:DB8:0::/32")->to_string(), "2001:db8::/32");
  EXPECT_EQ(IpNetwork::parse("::1")->to_string(), "::1/128");
  EXPECT_EQ(IpNetwork::parse("0.0.0.0/0")->to_string(), "0.0.0.0/0");
}

TEST(IpNetwork, RefusesWhatIsNotANetwork) {
  auto error = [](std::string_view text) { return IpNetwork::parse(text).error().message; };
  EXPECT_EQ(error("mail.example.test"),
            "\"mail.example.test\" is not a network: expected an IPv4 or IPv6 address, "
            "optionally with /prefix");
  EXPECT_EQ(error("192.0.2.0/33"),
            "\"192.0.2.0/33\" is not a network: the prefix length must be 0-32");
  EXPECT_EQ(error("2001:db8::/129"),
            "\"2001:db8::/129\" is not a network: the prefix length must be 0-128");
  EXPECT_EQ(error("192.0.2.0/"), "\"192.0.2.0/\" is not a network: the prefix length must be 0-32");
  EXPECT_EQ(error("192.0.2.0/-1"),
            "\"192.0.2.0/-1\" is not a network: the prefix length must be 0-32");
  EXPECT_EQ(error("192.0.2.1/24"),
            "\"192.0.2.1/24\" is not a network: address bits are set beyond the prefix");
  EXPECT_FALSE(IpNetwork::parse(""));
  EXPECT_FALSE(IpNetwork::parse("192.0.2.0/99999999999999999999999"));
  EXPECT_FALSE(IpNetwork::parse(std::string(100, '1')));
}

TEST(IpNetwork, Contains) {
  auto net = *IpNetwork::parse("192.0.2.128/25");
  EXPECT_TRUE(net.contains("192.0.2.128"));
  EXPECT_TRUE(net.contains("192.0.2.255"));
  EXPECT_FALSE(net.contains("192.0.2.127"));
  EXPECT_TRUE(net.contains("::ffff:192.0.2.200"));  // IPv4-mapped
  EXPECT_FALSE(net.contains("2001:db8::1"));
  EXPECT_FALSE(net.contains("not an address"));
  EXPECT_FALSE(net.contains(""));
  auto v6 = *IpNetwork::parse("2001:db8::/32");
  EXPECT_TRUE(v6.contains("2001:db8:ffff::1"));
  EXPECT_FALSE(v6.contains("2001:db9::1"));
  EXPECT_FALSE(v6.contains("192.0.2.1"));
  EXPECT_TRUE(IpNetwork::parse("0.0.0.0/0")->contains("203.0.113.9"));
  EXPECT_TRUE(IpNetwork::parse("127.0.0.1")->contains("127.0.0.1"));
  EXPECT_FALSE(IpNetwork::parse("127.0.0.1")->contains("127.0.0.2"));
}

}  // namespace
}  // namespace postamt
