#include "admin/dns_lookup.h"

#include <gtest/gtest.h>

#include "dns/testing/fake_resolver.h"

namespace postamt::admin {
namespace {

TEST(AdminDnsLookup, EveryTypeOneRecordALineThenTheValidationState) {
  dns::testing::FakeResolver dns;
  dns.add_mx("example.org", 10, "mx.example.org");
  dns.add_mx("null.example", 0, "");
  dns.add_a("mx.example.org", "192.0.2.1");
  dns.add_aaaa("mx.example.org", "2001:db8::1");
  dns.add_txt("example.org", "v=spf1 -all");
  dns.add_txt("odd.example", std::string("a\\b\r\n\xff", 6));
  dns.add_ptr("192.0.2.1", "mx.example.org");
  dns.add_tlsa("_25._tcp.mx.example.org", dns::TlsaRecord{3, 1, 1, "\x01\xab"});
  dns.set_secure("example.org", true);

  auto mx = dns_lookup(dns, "mx", "example.org");
  EXPECT_EQ(mx.exit_code, 0);
  EXPECT_EQ(mx.output, "10 mx.example.org\nsecure\n");
  EXPECT_EQ(mx.error, "");
  EXPECT_EQ(dns_lookup(dns, "MX", "null.example").output, "0 .\ninsecure\n");
  EXPECT_EQ(dns_lookup(dns, "a", "mx.example.org").output, "192.0.2.1\ninsecure\n");
  EXPECT_EQ(dns_lookup(dns, "aaaa", "mx.example.org").output, "2001:db8::1\ninsecure\n");
  EXPECT_EQ(dns_lookup(dns, "txt", "example.org").output, "v=spf1 -all\nsecure\n");
  EXPECT_EQ(dns_lookup(dns, "txt", "odd.example").output, "a\\092b\\013\\010\\255\ninsecure\n");
  EXPECT_EQ(dns_lookup(dns, "ptr", "192.0.2.1").output, "mx.example.org\ninsecure\n");
  EXPECT_EQ(dns_lookup(dns, "tlsa", "_25._tcp.mx.example.org").output, "3 1 1 01ab\ninsecure\n");
  // NODATA: the name exists, no record of the type.
  EXPECT_EQ(dns_lookup(dns, "aaaa", "example.org").output, "secure\n");
}

TEST(AdminDnsLookup, NxdomainAndFailures) {
  dns::testing::FakeResolver dns;
  dns.fail("bogus.example", ErrorKind::temporary,
           "DNS MX lookup of bogus.example: DNSSEC bogus: x");
  auto gone = dns_lookup(dns, "mx", "gone.example");
  EXPECT_EQ(gone.exit_code, 2);
  EXPECT_EQ(gone.output, "NXDOMAIN\n");
  EXPECT_EQ(gone.error, "");
  auto bogus = dns_lookup(dns, "mx", "bogus.example");
  EXPECT_EQ(bogus.exit_code, 1);
  EXPECT_EQ(bogus.output, "");
  EXPECT_EQ(bogus.error, "DNS MX lookup of bogus.example: DNSSEC bogus: x");
  auto type = dns_lookup(dns, "cname", "x.example");
  EXPECT_EQ(type.exit_code, 1);
  EXPECT_EQ(type.error, "unknown record type \"cname\" (mx, a, aaaa, txt, ptr or tlsa)");
  EXPECT_EQ(dns.lookups(), 2);
}

}  // namespace
}  // namespace postamt::admin
