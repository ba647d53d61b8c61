#include "dns/names.h"

#include <gtest/gtest.h>

#include "dns/testing/fake_resolver.h"

namespace postamt::dns {
namespace {

TEST(DnsNames, ReverseNameOfIpv4) {
  auto name = reverse_name("192.0.2.1");
  ASSERT_TRUE(name);
  EXPECT_EQ(*name, "1.2.0.192.in-addr.arpa");
}

TEST(DnsNames, ReverseNameOfIpv6) {
  auto name = reverse_name("2001:db8::567:89ab");
  ASSERT_TRUE(name);
  EXPECT_EQ(*name, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

TEST(DnsNames, ReverseNameRefusesNonLiterals) {
  for (std::string_view bad : {"", "example.org", "192.0.2", "1.2.3.4.5", "::g"}) {
    auto name = reverse_name(bad);
    ASSERT_FALSE(name) << bad;
    EXPECT_EQ(name.error().kind, ErrorKind::invalid) << bad;
  }
}

TEST(FakeResolver, NxdomainNodataFailureAndSecure) {
  testing::FakeResolver dns;
  dns.add_txt("Example.org.", "v=spf1 -all");
  dns.add_a("mx.example.org", "192.0.2.1");
  dns.fail("broken.example", ErrorKind::temporary);
  dns.set_secure("example.org", true);

  auto txt = dns.txt("example.org");
  ASSERT_TRUE(txt);
  EXPECT_EQ(txt->records, std::vector<std::string>{"v=spf1 -all"});
  EXPECT_TRUE(txt->secure);
  auto nodata = dns.a("example.org");
  ASSERT_TRUE(nodata);
  EXPECT_TRUE(nodata->records.empty());
  auto nx = dns.mx("nowhere.example");
  ASSERT_FALSE(nx);
  EXPECT_EQ(nx.error().kind, ErrorKind::not_found);
  auto broken = dns.tlsa("broken.example");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().kind, ErrorKind::temporary);
  EXPECT_EQ(dns.lookups(), 4);
  EXPECT_EQ(dns.lookups("EXAMPLE.org"), 2);
}

}  // namespace
}  // namespace postamt::dns
