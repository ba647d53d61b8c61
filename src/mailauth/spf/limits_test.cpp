// Every limit of spf::Limits hit at exactly N+1, with FakeResolver's counters showing
// the evaluation stops querying there.
#include <gtest/gtest.h>

#include "dns/testing/fake_resolver.h"
#include "mailauth/spf/spf.h"

namespace postamt::spf {
namespace {

using dns::testing::FakeResolver;

Verdict run(FakeResolver& dns, std::string_view ip, const Limits& limits = {}) {
  Request request{std::string(ip), "user@example.com", "client.example.net", "", 1};
  return check(request, dns, limits);
}

// "v=spf1 a:h1.example.net ... a:hN.example.net <tail>", every name with an A record
// that does not match.
std::string a_terms(FakeResolver& dns, int n, std::string_view tail) {
  std::string record = "v=spf1";
  for (int i = 1; i <= n; ++i) {
    const std::string name = "h" + std::to_string(i) + ".example.net";
    record += " a:" + name;
    dns.add_a(name, "198.51.100.1");
  }
  return record + " " + std::string(tail);
}

TEST(SpfLimits, TenDnsTermsAreFine) {
  FakeResolver dns;
  dns.add_txt("example.com", a_terms(dns, 10, "ip4:192.0.2.1 -all"));
  Verdict v = run(dns, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::pass);
  EXPECT_EQ(dns.lookups(), 11);  // the TXT and ten A
}

TEST(SpfLimits, EleventhDnsTermIsPermerrorAndNotQueried) {
  FakeResolver dns;
  dns.add_txt("example.com", a_terms(dns, 11, "ip4:192.0.2.1 -all"));
  Verdict v = run(dns, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.problem, "more than 10 DNS-querying terms (RFC 7208 4.6.4)");
  EXPECT_EQ(dns.lookups("h10.example.net"), 1);
  EXPECT_EQ(dns.lookups("h11.example.net"), 0);
}

TEST(SpfLimits, IpTermsAndAllDoNotCount) {
  FakeResolver dns;
  std::string record = a_terms(dns, 10, "");
  for (int i = 0; i < 20; ++i) record += "ip4:203.0.113." + std::to_string(i) + " ";
  dns.add_txt("example.com", record + "ip6:2001:db8::/32 -all");
  EXPECT_EQ(run(dns, "192.0.2.1").result, Outcome::fail);
}

TEST(SpfLimits, IncludeRedirectAndNestedTermsCountTogether) {
  // example.com: include + 4 a = 5; inc.example.net: 4 a = 9; redirect = 10 -> fine.
  FakeResolver dns;
  dns.add_txt("example.com",
              "v=spf1 include:inc.example.net a:h1.example.net a:h2.example.net "
              "a:h3.example.net a:h4.example.net redirect=r.example.net");
  dns.add_txt("inc.example.net",
              "v=spf1 a:h5.example.net a:h6.example.net a:h7.example.net a:h8.example.net");
  dns.add_txt("r.example.net", "v=spf1 ip4:192.0.2.1 -all");
  for (int i = 1; i <= 9; ++i) dns.add_a("h" + std::to_string(i) + ".example.net", "198.51.100.1");
  EXPECT_EQ(run(dns, "192.0.2.1").result, Outcome::pass);
  // One more term in the redirect target: the 11th.
  FakeResolver over;
  over.add_txt("example.com",
               "v=spf1 include:inc.example.net a:h1.example.net a:h2.example.net "
               "a:h3.example.net a:h4.example.net redirect=r.example.net");
  over.add_txt("inc.example.net",
               "v=spf1 a:h5.example.net a:h6.example.net a:h7.example.net a:h8.example.net");
  over.add_txt("r.example.net", "v=spf1 a:h9.example.net ip4:192.0.2.1 -all");
  for (int i = 1; i <= 9; ++i) over.add_a("h" + std::to_string(i) + ".example.net", "198.51.100.1");
  Verdict v = run(over, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(over.lookups("h9.example.net"), 0);
}

TEST(SpfLimits, IncludeLoopEndsAtTheLimit) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 include:example.com -all");
  Verdict v = run(dns, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(dns.lookups("example.com"), 11);  // the first TXT and ten includes
}

TEST(SpfLimits, ConfiguredDnsTermLimit) {
  FakeResolver dns;
  dns.add_txt("example.com", a_terms(dns, 3, "ip4:192.0.2.1 -all"));
  Limits limits;
  limits.max_dns_terms = 3;
  EXPECT_EQ(run(dns, "192.0.2.1", limits).result, Outcome::pass);
  limits.max_dns_terms = 2;
  Verdict v = run(dns, "192.0.2.1", limits);
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.problem, "more than 2 DNS-querying terms (RFC 7208 4.6.4)");
}

TEST(SpfLimits, VoidLookups) {
  // Two void lookups (NXDOMAIN, then NODATA) are fine; the third is a permerror and
  // nothing after it is queried.
  FakeResolver dns;
  dns.add_empty("empty.example.net");
  dns.add_txt("example.com", "v=spf1 a:nx1.example.net a:empty.example.net ip4:192.0.2.1 -all");
  EXPECT_EQ(run(dns, "192.0.2.1").result, Outcome::pass);
  FakeResolver over;
  over.add_empty("empty.example.net");
  over.add_a("later.example.net", "192.0.2.1");
  over.add_txt("example.com",
               "v=spf1 a:nx1.example.net mx:empty.example.net "
               "exists:nx2.example.net a:later.example.net -all");
  Verdict v = run(over, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.problem, "more than 2 void lookups (RFC 7208 4.6.4), last nx2.example.net");
  EXPECT_EQ(over.lookups("nx2.example.net"), 1);
  EXPECT_EQ(over.lookups("later.example.net"), 0);
  Limits limits;
  limits.max_void_lookups = 3;
  EXPECT_EQ(run(over, "192.0.2.1", limits).result, Outcome::pass);
}

void add_mx_names(FakeResolver& dns, int n) {
  for (int i = 1; i <= n; ++i) {
    const std::string host = "mx" + std::to_string(i) + ".example.com";
    dns.add_mx("example.com", static_cast<uint16_t>(i), host);
    dns.add_a(host, i == n ? "192.0.2.1" : "198.51.100." + std::to_string(i));
  }
}

TEST(SpfLimits, TenMxNamesAreFine) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 mx -all");
  add_mx_names(dns, 10);
  EXPECT_EQ(run(dns, "192.0.2.1").result, Outcome::pass);  // the 10th matches
}

TEST(SpfLimits, EleventhMxNameIsPermerrorBeforeAnyAddressLookup) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 mx -all");
  add_mx_names(dns, 11);
  Verdict v = run(dns, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.problem, "example.com has more than 10 MX names (RFC 7208 4.6.4)");
  EXPECT_EQ(dns.lookups("mx1.example.com"), 0);
  Limits limits;
  limits.max_mx_names = 11;
  EXPECT_EQ(run(dns, "192.0.2.1", limits).result, Outcome::pass);
}

void add_ptr_names(FakeResolver& dns, int n) {
  // Only the last name validates.
  for (int i = 1; i <= n; ++i) {
    const std::string host = "p" + std::to_string(i) + ".example.com";
    dns.add_ptr("192.0.2.1", host);
    dns.add_a(host, i == n ? "192.0.2.1" : "198.51.100." + std::to_string(i));
  }
}

TEST(SpfLimits, TenPtrNamesAreLookedAt) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 ptr -all");
  add_ptr_names(dns, 10);
  EXPECT_EQ(run(dns, "192.0.2.1").result, Outcome::pass);
}

TEST(SpfLimits, PtrNamesAfterTheTenthAreIgnoredWithoutError) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 ptr -all");
  add_ptr_names(dns, 11);
  Verdict v = run(dns, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::fail);  // §4.6.4: ignored, not permerror
  EXPECT_EQ(dns.lookups("p10.example.com"), 1);
  EXPECT_EQ(dns.lookups("p11.example.com"), 0);
  Limits limits;
  limits.max_ptr_names = 11;
  EXPECT_EQ(run(dns, "192.0.2.1", limits).result, Outcome::pass);
}

TEST(SpfLimits, RecordBytes) {
  Limits limits;
  limits.max_record_bytes = 20;
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 ip4:192.0.2.1");  // 20 bytes
  dns.add_txt("example.org", "v=spf1 ip4:192.0.2.1 ");
  EXPECT_EQ(run(dns, "192.0.2.1", limits).result, Outcome::pass);
  Request request{"192.0.2.1", "user@example.org", "", "", 1};
  Verdict v = check(request, dns, limits);
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.problem, "SPF record at example.org longer than 20 bytes");
  // The default takes records well past the 450 octets §3.4 recommends.
  FakeResolver big;
  std::string record = "v=spf1";
  for (int i = 0; i < 60; ++i) record += " ip4:203.0.113." + std::to_string(i);
  ASSERT_GT(record.size(), 1000u);
  big.add_txt("example.com", record + " -all");
  EXPECT_EQ(run(big, "192.0.2.1").result, Outcome::fail);
}

TEST(SpfLimits, ExplanationBytes) {
  Limits limits;
  limits.max_explanation_bytes = 12;
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 -all exp=e.example.com");
  dns.add_txt("e.example.com", "%{d} no");  // "example.com no": 14 bytes
  EXPECT_EQ(run(dns, "192.0.2.1", limits).explanation, "");
  limits.max_explanation_bytes = 14;
  EXPECT_EQ(run(dns, "192.0.2.1", limits).explanation, "example.com no");
}

TEST(SpfLimits, ElapsedTime) {
  // A clock that moves one second each time it is read: at the start, then before
  // each lookup. With 3 s allowed, the TXT and two A lookups go out (1 s, 2 s, 3 s);
  // the third A lookup would start at 4 s.
  FakeResolver dns;
  dns.add_txt("example.com", a_terms(dns, 3, "ip4:192.0.2.1 -all"));
  Limits limits;
  limits.max_elapsed = std::chrono::seconds(3);
  auto ticks = std::make_shared<int>(0);
  Request request{"192.0.2.1", "user@example.com", "client.example.net", "", 1};
  request.clock = [ticks] {
    return std::chrono::steady_clock::time_point(std::chrono::seconds((*ticks)++));
  };
  Verdict v = check(request, dns, limits);
  EXPECT_EQ(v.result, Outcome::temperror);
  EXPECT_EQ(v.problem,
            "DNS error for h3.example.net: the check took longer than 3000 ms (RFC 7208 4.6.4)");
  EXPECT_EQ(dns.lookups(), 3);
  EXPECT_EQ(dns.lookups("h3.example.net"), 0);
  // One second more and it passes.
  *ticks = 0;
  limits.max_elapsed = std::chrono::seconds(4);
  EXPECT_EQ(check(request, dns, limits).result, Outcome::pass);
  // The default is the RFC's 20 seconds.
  EXPECT_EQ(Limits{}.max_elapsed, std::chrono::seconds(20));
}

}  // namespace
}  // namespace postamt::spf
