#include "dns/rdata.h"

#include <gtest/gtest.h>

namespace postamt::dns {
namespace {

std::string bytes(std::initializer_list<int> octets) {
  std::string s;
  for (int o : octets) s += static_cast<char>(o);
  return s;
}

TEST(DnsRdata, AddressesInTextForm) {
  EXPECT_EQ(*decode_a(bytes({192, 0, 2, 1})), "192.0.2.1");
  auto short_a = decode_a(bytes({192, 0, 2}));
  ASSERT_FALSE(short_a);
  EXPECT_EQ(short_a.error().kind, ErrorKind::invalid);
  EXPECT_EQ(short_a.error().message, "malformed A record: 3 octets, not 4");
  // RFC 5952 §4.2.2: one zero field is not shortened; §4.2.3: the longest run is.
  EXPECT_EQ(*decode_aaaa(bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1})),
            "2001:db8:0:1::1");
  EXPECT_EQ(*decode_aaaa(bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1})),
            "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(*decode_aaaa(bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1})),
            "::ffff:192.0.2.1");
  EXPECT_EQ(decode_aaaa(bytes({0, 0, 0, 0})).error().message,
            "malformed AAAA record: 4 octets, not 16");
}

TEST(DnsRdata, MxHostIsLowerCaseWithoutDot) {
  auto mx = decode_mx(
      bytes({0, 10, 2, 'M', 'x', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0}));
  ASSERT_TRUE(mx) << mx.error().message;
  EXPECT_EQ(*mx, (MxRecord{10, "mx.example.test"}));
  auto under = decode_mx(bytes({1, 0, 5, 'm', 'x', '_', '0', '1', 1, 'y', 0}));
  ASSERT_TRUE(under);
  EXPECT_EQ(*under, (MxRecord{256, "mx_01.y"}));
  // RFC 7505 §3: the null MX is preference 0 and the root name.
  EXPECT_EQ(*decode_mx(bytes({0, 0, 0})), (MxRecord{0, ""}));
}

TEST(DnsRdata, MalformedMx) {
  struct Case {
    std::string rdata;
    std::string message;
  };
  const Case cases[] = {
      {bytes({0, 10}), "malformed MX record: shorter than 3 octets"},
      {bytes({0, 10, 2, 'm', 'x'}), "malformed MX record: name runs past the end"},
      {bytes({0, 10, 5, 'm', 'x'}), "malformed MX record: label runs past the end"},
      {bytes({0, 10, 0xc0, 0x0c}), "malformed MX record: compressed or extended label"},
      {bytes({0, 10, 0x40, 0}), "malformed MX record: compressed or extended label"},
      {bytes({0, 10, 1, 'a', 0, 'x'}), "malformed MX record: bytes after the exchange"},
      // Octets that are no host name: 8 bit, a line end, a dot, a space, NUL.
      {bytes({0, 10, 2, 'm', 0x87, 0}), "malformed MX record: name is not a host name"},
      {bytes({0, 10, 4, 'm', '\r', '\n', 'X', 0}), "malformed MX record: name is not a host name"},
      {bytes({0, 10, 4, 'm', 'x', '.', 'y', 0}), "malformed MX record: name is not a host name"},
      {bytes({0, 10, 4, 'm', 'x', ' ', 'y', 0}), "malformed MX record: name is not a host name"},
      {bytes({0, 10, 2, 'm', 0, 0}), "malformed MX record: name is not a host name"},
  };
  for (const Case& c : cases) {
    auto r = decode_mx(c.rdata);
    ASSERT_FALSE(r) << r->host;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid);
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST(DnsRdata, NameLengthLimitIs255Octets) {
  // Four 62-octet labels: 4 * 63 + 1 = 253 octets; one more 1-octet label: 255.
  std::string name;
  for (int i = 0; i < 4; ++i) name += static_cast<char>(62) + std::string(62, 'a');
  std::string fits = name + bytes({1, 'b', 0});
  ASSERT_EQ(fits.size(), 255u);
  EXPECT_TRUE(decode_ptr(fits));
  std::string too_long = name + bytes({2, 'b', 'b', 0});
  EXPECT_EQ(decode_ptr(too_long).error().message,
            "malformed PTR record: name longer than 255 octets");
}

TEST(DnsRdata, TxtConcatenatesCharacterStrings) {
  // RFC 7208 §3.3: strings joined without anything between them.
  EXPECT_EQ(*decode_txt(bytes({6, 'v', '=', 's', 'p', 'f', '1', 4, ' ', '-', 'a', 'l'})),
            "v=spf1 -al");
  EXPECT_EQ(*decode_txt(bytes({0})), "");
  EXPECT_EQ(*decode_txt(bytes({2, 0, 0xff})), std::string("\0\xff", 2));
  EXPECT_EQ(decode_txt("").error().message, "malformed TXT record: no character-string");
  EXPECT_EQ(decode_txt(bytes({3, 'a', 'b'})).error().message,
            "malformed TXT record: character-string runs past the end");
}

TEST(DnsRdata, PtrIsAHostName) {
  EXPECT_EQ(*decode_ptr(bytes({4, 'M', 'A', 'I', 'L', 1, 'x', 0})), "mail.x");
  EXPECT_EQ(decode_ptr(bytes({0})).error().message, "malformed PTR record: the root name");
  EXPECT_EQ(decode_ptr(bytes({1, 'x', 0, 0})).error().message,
            "malformed PTR record: bytes after the name");
}

TEST(DnsRdata, Tlsa) {
  auto t = decode_tlsa(bytes({3, 1, 1, 0xab, 0xcd}));
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, (TlsaRecord{3, 1, 1, "\xab\xcd"}));
  EXPECT_EQ(decode_tlsa(bytes({3, 1, 1})).error().message,
            "malformed TLSA record: no certificate association data");
}

}  // namespace
}  // namespace postamt::dns
