#include "mailauth/spf/record.h"

#include <gtest/gtest.h>

namespace postamt::spf {
namespace {

Record parse_ok(std::string_view txt) {
  auto r = parse_record(txt);
  EXPECT_TRUE(r) << txt << ": " << (r ? "" : r.error().message);
  return r ? *r : Record{};
}

std::string parse_error(std::string_view txt) {
  auto r = parse_record(txt);
  if (r) return "parsed";
  return std::string(to_string(r.error().kind)) + ": " + r.error().message;
}

TEST(SpfRecord, VersionSection) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("v=spf1 -all"));
  EXPECT_TRUE(is_spf_record("V=SPF1 -all"));  // RFC 5234 strings are case-insensitive
  EXPECT_FALSE(is_spf_record("v=spf10 -all"));
  EXPECT_FALSE(is_spf_record(" v=spf1 -all"));
  EXPECT_FALSE(is_spf_record("v=spf1-all"));
  EXPECT_EQ(parse_error("v=spf2 -all"), "not-found: not an SPF record");
  EXPECT_TRUE(parse_ok("v=spf1").mechanisms.empty());
}

TEST(SpfRecord, SelectsExactlyOne) {
  // §4.5
  EXPECT_EQ(*select_record({"hello", "v=spf1 -all", "v=spf10 +all"}), "v=spf1 -all");
  auto none = select_record({"hello", "v=spf10 +all"});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::not_found);
  auto two = select_record({"v=spf1 -all", "v=spf1 +all"});
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().kind, ErrorKind::invalid);
  EXPECT_FALSE(select_record({}));
}

TEST(SpfRecord, EveryMechanismAndQualifier) {
  Record r = parse_ok(
      "v=spf1 +all -include:_spf.example.net ~a ?a:mail.example.org/24 mx//64 "
      "mx:example.org/30//96 ptr ptr:example.com ip4:192.0.2.0/24 IP6:2001:db8::/32 "
      "exists:%{ir}.bl.example.com  ip4:192.0.2.1");
  ASSERT_EQ(r.mechanisms.size(), 12u);
  const auto& m = r.mechanisms;
  EXPECT_EQ(m[0].kind, MechanismKind::all);
  EXPECT_EQ(m[0].qualifier, Qualifier::pass);
  EXPECT_EQ(m[0].text, "+all");
  EXPECT_EQ(m[1].kind, MechanismKind::include);
  EXPECT_EQ(m[1].qualifier, Qualifier::fail);
  EXPECT_EQ(m[1].domain_spec, "_spf.example.net");
  EXPECT_EQ(m[2].kind, MechanismKind::a);
  EXPECT_EQ(m[2].qualifier, Qualifier::softfail);
  EXPECT_EQ(m[2].domain_spec, "");
  EXPECT_EQ(m[2].prefix4, 32);
  EXPECT_EQ(m[2].prefix6, 128);
  EXPECT_EQ(m[3].qualifier, Qualifier::neutral);
  EXPECT_EQ(m[3].domain_spec, "mail.example.org");
  EXPECT_EQ(m[3].prefix4, 24);
  EXPECT_EQ(m[4].kind, MechanismKind::mx);
  EXPECT_EQ(m[4].qualifier, Qualifier::pass);
  EXPECT_EQ(m[4].prefix4, 32);
  EXPECT_EQ(m[4].prefix6, 64);
  EXPECT_EQ(m[5].domain_spec, "example.org");
  EXPECT_EQ(m[5].prefix4, 30);
  EXPECT_EQ(m[5].prefix6, 96);
  EXPECT_EQ(m[6].kind, MechanismKind::ptr);
  EXPECT_EQ(m[6].domain_spec, "");
  EXPECT_EQ(m[7].domain_spec, "example.com");
  EXPECT_EQ(m[8].kind, MechanismKind::ip4);
  EXPECT_EQ(m[8].network.to_string(), "192.0.2.0");
  EXPECT_EQ(m[8].prefix4, 24);
  EXPECT_EQ(m[9].kind, MechanismKind::ip6);
  EXPECT_EQ(m[9].network.to_string(), "2001:db8::");
  EXPECT_EQ(m[9].prefix6, 32);
  EXPECT_EQ(m[10].kind, MechanismKind::exists);
  EXPECT_EQ(m[10].domain_spec, "%{ir}.bl.example.com");
  EXPECT_EQ(m[11].prefix4, 32);
  EXPECT_TRUE(r.has_all());
}

TEST(SpfRecord, Modifiers) {
  Record r = parse_ok("v=spf1 mx redirect=_spf.example.com exp=why.%{d} moo=%{c}x foo.bar=");
  EXPECT_EQ(r.mechanisms.size(), 1u);
  EXPECT_EQ(*r.redirect, "_spf.example.com");
  EXPECT_EQ(*r.explanation, "why.%{d}");
  EXPECT_FALSE(r.has_all());
  EXPECT_EQ(parse_error("v=spf1 redirect=a.example redirect=b.example"),
            "invalid: bad term \"redirect=b.example\": modifier given twice");
  EXPECT_EQ(parse_error("v=spf1 exp=a.example EXP=b.example"),
            "invalid: bad term \"EXP=b.example\": modifier given twice");
  EXPECT_EQ(parse_error("v=spf1 exp="), "invalid: bad term \"exp=\": empty domain-spec");
  EXPECT_EQ(parse_error("v=spf1 moo=%"),
            "invalid: bad term \"moo=%\": '%' at the end of a macro-string");
  EXPECT_EQ(parse_error("v=spf1 1x=foo"), "invalid: bad term \"1x=foo\": bad modifier name");
}

TEST(SpfRecord, SyntaxErrors) {
  EXPECT_EQ(parse_error("v=spf1 -all:foo"),
            "invalid: bad term \"-all:foo\": \"all\" takes no argument");
  EXPECT_EQ(parse_error("v=spf1 include"),
            "invalid: bad term \"include\": a domain-spec is required");
  EXPECT_EQ(parse_error("v=spf1 exists"),
            "invalid: bad term \"exists\": a domain-spec is required");
  EXPECT_EQ(parse_error("v=spf1 a/33"), "invalid: bad term \"a/33\": bad ip4-cidr-length");
  EXPECT_EQ(parse_error("v=spf1 a//129"), "invalid: bad term \"a//129\": bad ip6-cidr-length");
  EXPECT_EQ(parse_error("v=spf1 a/024"), "invalid: bad term \"a/024\": bad ip4-cidr-length");
  EXPECT_EQ(parse_error("v=spf1 a:example.com:8080"),
            "invalid: bad term \"a:example.com:8080\": bad top-level label in domain-spec: "
            "example.com:8080");
  EXPECT_EQ(parse_error("v=spf1 ip4:192.0.2.1/33"),
            "invalid: bad term \"ip4:192.0.2.1/33\": bad CIDR length");
  EXPECT_EQ(parse_error("v=spf1 ip4:2001:db8::1"),
            "invalid: bad term \"ip4:2001:db8::1\": not an IPv4 network");
  EXPECT_EQ(parse_error("v=spf1 ip6:192.0.2.1"),
            "invalid: bad term \"ip6:192.0.2.1\": not an IPv6 network");
  EXPECT_EQ(parse_error("v=spf1 ip4"), "invalid: bad term \"ip4\": an address is required");
  EXPECT_EQ(parse_error("v=spf1 foo"), "invalid: bad term \"foo\": unknown mechanism");
  EXPECT_EQ(parse_error("v=spf1 -"), "invalid: bad term \"-\": unknown mechanism");
  EXPECT_EQ(parse_error("v=spf1 !all"), "invalid: bad term \"!all\": unknown mechanism");
  EXPECT_EQ(parse_error("v=spf1 a:\xc3\xa9.example"), "invalid: a byte outside printable ASCII");
  EXPECT_EQ(parse_error("v=spf1 a\t-all"), "invalid: a byte outside printable ASCII");
  EXPECT_EQ(parse_error("v=spf1 exists:%(ir).example.com"),
            "invalid: bad term \"exists:%(ir).example.com\": '%' followed by '('");
}

TEST(SpfRecord, SpacesBetweenAndAfterTerms) {
  EXPECT_EQ(parse_ok("v=spf1   a  -all  ").mechanisms.size(), 2u);
}

}  // namespace
}  // namespace postamt::spf
