// check_host() over FakeResolver: every mechanism and qualifier, include and redirect,
// exp, DNS errors, and the RFC 7208 Appendix A examples.
#include <gtest/gtest.h>

#include "dns/testing/fake_resolver.h"
#include "mailauth/spf/spf.h"

namespace postamt::spf {
namespace {

using dns::testing::FakeResolver;

Verdict run(FakeResolver& dns, std::string_view ip, std::string_view sender = "user@example.com",
            std::string_view helo = "client.example.net") {
  Request request{std::string(ip), std::string(sender), std::string(helo), "mx.postamt.example",
                  1700000000};
  return check(request, dns);
}

std::string result(FakeResolver& dns, std::string_view ip,
                   std::string_view sender = "user@example.com") {
  return std::string(to_string(run(dns, ip, sender).result));
}

TEST(SpfCheck, OutcomeNames) {
  EXPECT_EQ(to_string(Outcome::none), "none");
  EXPECT_EQ(to_string(Outcome::neutral), "neutral");
  EXPECT_EQ(to_string(Outcome::pass), "pass");
  EXPECT_EQ(to_string(Outcome::fail), "fail");
  EXPECT_EQ(to_string(Outcome::softfail), "softfail");
  EXPECT_EQ(to_string(Outcome::temperror), "temperror");
  EXPECT_EQ(to_string(Outcome::permerror), "permerror");
}

TEST(SpfCheck, Qualifiers) {
  for (auto [record, want] : std::vector<std::pair<std::string, std::string>>{
           {"v=spf1 all", "pass"},
           {"v=spf1 +all", "pass"},
           {"v=spf1 -all", "fail"},
           {"v=spf1 ~all", "softfail"},
           {"v=spf1 ?all", "neutral"},
           {"v=spf1", "neutral"},                      // §4.7 default
           {"v=spf1 ip4:198.51.100.1", "neutral"}}) {  // no match, no redirect
    FakeResolver dns;
    dns.add_txt("example.com", record);
    EXPECT_EQ(result(dns, "192.0.2.1"), want) << record;
  }
}

TEST(SpfCheck, VerdictFields) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 ip4:192.0.2.0/24 -all");
  Verdict v = run(dns, "192.0.2.77");
  EXPECT_EQ(v.result, Outcome::pass);
  EXPECT_EQ(v.domain, "example.com");
  EXPECT_EQ(v.identity, "mailfrom");
  EXPECT_EQ(v.mechanism, "ip4:192.0.2.0/24");
  EXPECT_EQ(v.explanation, "");
  EXPECT_EQ(v.problem, "");
  v = run(dns, "198.51.100.1");
  EXPECT_EQ(v.result, Outcome::fail);
  EXPECT_EQ(v.mechanism, "-all");
}

TEST(SpfCheck, NoRecordIsNone) {
  FakeResolver dns;
  dns.add_txt("example.com", "google-site-verification=abc");
  dns.add_txt("example.com", "v=spf10 -all");
  EXPECT_EQ(result(dns, "192.0.2.1"), "none");
  EXPECT_EQ(result(dns, "192.0.2.1", "user@nxdomain.example"), "none");
  // §4.3: malformed or single-label domains are "none" without a lookup.
  EXPECT_EQ(result(dns, "192.0.2.1", "user@localhost"), "none");
  EXPECT_EQ(result(dns, "192.0.2.1", "user@a..example.com"), "none");
  EXPECT_EQ(result(dns, "192.0.2.1", "user@[192.0.2.1]"), "none");
  EXPECT_EQ(dns.lookups(), 2);
}

TEST(SpfCheck, TwoRecordsAndSyntaxErrorsArePermerror) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 +all");
  dns.add_txt("example.com", "v=spf1 -all");
  dns.add_txt("bad.example.com", "v=spf1 ip4:192.0.2.1 foo -all");
  Verdict v = run(dns, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.problem, "more than one SPF record at example.com");
  // §4.6: a syntax error anywhere, even after the term that would match.
  v = run(dns, "192.0.2.1", "user@bad.example.com");
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.problem, "SPF record at bad.example.com: bad term \"foo\": unknown mechanism");
}

TEST(SpfCheck, TxtLookupFailureIsTemperror) {
  FakeResolver dns;
  dns.fail("example.com", ErrorKind::temporary, "SERVFAIL");
  Verdict v = run(dns, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::temperror);
  EXPECT_EQ(v.problem, "DNS error for example.com: SERVFAIL");
}

TEST(SpfCheck, Ip4AndIp6) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 ip4:192.0.2.128/25 ip6:2001:db8:1::/48 -all");
  EXPECT_EQ(result(dns, "192.0.2.200"), "pass");
  EXPECT_EQ(result(dns, "192.0.2.100"), "fail");
  EXPECT_EQ(result(dns, "2001:db8:1:ffff::1"), "pass");
  EXPECT_EQ(result(dns, "2001:db8:2::1"), "fail");
  // An IPv4-mapped client is IPv4: ip4 matches it, ip6 ::ffff:0:0/96 would not.
  EXPECT_EQ(result(dns, "::ffff:192.0.2.200"), "pass");
  Verdict v = run(dns, "not-an-ip");
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.problem, "client address is not an IP literal: not-an-ip");
}

TEST(SpfCheck, AMechanism) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 a a:mail.example.org/24 a:v6.example.org//64 -all");
  dns.add_a("example.com", "192.0.2.10");
  dns.add_aaaa("example.com", "2001:db8::10");
  dns.add_a("mail.example.org", "198.51.100.7");
  dns.add_aaaa("v6.example.org", "2001:db8:6:6::1");
  EXPECT_EQ(result(dns, "192.0.2.10"), "pass");
  EXPECT_EQ(result(dns, "192.0.2.11"), "fail");
  EXPECT_EQ(result(dns, "198.51.100.200"), "pass");  // /24 of mail.example.org
  EXPECT_EQ(result(dns, "2001:db8::10"), "pass");    // AAAA for an IPv6 client
  EXPECT_EQ(result(dns, "2001:db8:6:6:ffff::9"), "pass");
  EXPECT_EQ(result(dns, "2001:db8:6:7::1"), "fail");
  EXPECT_EQ(result(dns, "::ffff:192.0.2.10"), "pass");  // mapped: A records
}

TEST(SpfCheck, AMechanismDnsErrorIsTemperror) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 a:broken.example.org -all");
  dns.fail("broken.example.org", ErrorKind::temporary, "timeout");
  Verdict v = run(dns, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::temperror);
  EXPECT_EQ(v.problem, "DNS error for broken.example.org: timeout");
}

TEST(SpfCheck, MxMechanism) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 mx mx:example.org/30 -all");
  dns.add_mx("example.com", 10, "mail-a.example.com");
  dns.add_mx("example.com", 20, "gone.example.com");  // NXDOMAIN host: skipped
  dns.add_mx("example.com", 30, "mail-b.example.com");
  dns.add_a("mail-a.example.com", "192.0.2.129");
  dns.add_a("mail-b.example.com", "192.0.2.130");
  dns.add_mx("example.org", 10, "mail-c.example.org");
  dns.add_a("mail-c.example.org", "192.0.2.140");
  EXPECT_EQ(result(dns, "192.0.2.129"), "pass");
  EXPECT_EQ(result(dns, "192.0.2.130"), "pass");
  EXPECT_EQ(result(dns, "192.0.2.143"), "pass");
  EXPECT_EQ(result(dns, "192.0.2.144"), "fail");
}

TEST(SpfCheck, MxNullAndErrors) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 mx ?all");
  dns.add_mx("example.com", 0, "");  // RFC 7505 null MX
  EXPECT_EQ(result(dns, "192.0.2.1"), "neutral");
  FakeResolver broken;
  broken.add_txt("example.com", "v=spf1 mx -all");
  broken.add_mx("example.com", 10, "mx.broken.example");
  broken.fail("mx.broken.example", ErrorKind::temporary);
  EXPECT_EQ(result(broken, "192.0.2.1"), "temperror");
}

TEST(SpfCheck, PtrMechanism) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 ptr -all");
  dns.add_ptr("192.0.2.65", "amy.example.com");
  dns.add_a("amy.example.com", "192.0.2.65");
  dns.add_ptr("192.0.2.140", "mail-c.example.org");
  dns.add_a("mail-c.example.org", "192.0.2.140");
  dns.add_ptr("10.0.0.4", "bob.example.com");  // forward lookup does not confirm
  dns.add_a("bob.example.com", "192.0.2.66");
  dns.add_ptr("192.0.2.70", "mail.bad-example.com");
  dns.add_a("mail.bad-example.com", "192.0.2.70");
  dns.add_ptr("192.0.2.71", "example.com");  // the domain itself
  dns.add_a("example.com", "192.0.2.71");
  EXPECT_EQ(result(dns, "192.0.2.65"), "pass");
  EXPECT_EQ(result(dns, "192.0.2.140"), "fail");
  EXPECT_EQ(result(dns, "10.0.0.4"), "fail");
  EXPECT_EQ(result(dns, "192.0.2.70"), "fail");  // not within example.com
  EXPECT_EQ(result(dns, "192.0.2.71"), "pass");
}

TEST(SpfCheck, PtrDnsErrorsDoNotMatchButGoOn) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 ptr ip4:192.0.2.0/24 -all");
  dns.fail("192.0.2.9", ErrorKind::temporary);  // the PTR lookup itself
  dns.add_ptr("192.0.2.10", "down.example.com");
  dns.add_ptr("192.0.2.10", "ok.example.com");
  dns.fail("down.example.com", ErrorKind::temporary);  // one name's A lookup
  dns.add_a("ok.example.com", "192.0.2.10");
  // §5.5: a PTR lookup error is "no match", not temperror.
  Verdict v = run(dns, "192.0.2.9");
  EXPECT_EQ(v.result, Outcome::pass);
  EXPECT_EQ(v.mechanism, "ip4:192.0.2.0/24");
  // An A lookup error skips that name; the next one validates.
  v = run(dns, "192.0.2.10");
  EXPECT_EQ(v.mechanism, "ptr");
}

TEST(SpfCheck, ExistsMechanism) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 exists:%{ir}.allow.example.com -all");
  dns.add_a("1.2.0.192.allow.example.com", "127.0.0.2");
  dns.add_a("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.allow.example.com",
            "127.0.0.2");
  EXPECT_EQ(result(dns, "192.0.2.1"), "pass");
  EXPECT_EQ(result(dns, "192.0.2.2"), "fail");
  // §5.7: an A query even for an IPv6 client.
  EXPECT_EQ(result(dns, "2001:db8::1"), "pass");
  FakeResolver v6only;
  v6only.add_txt("example.com", "v=spf1 exists:x.example.com -all");
  v6only.add_aaaa("x.example.com", "2001:db8::1");
  EXPECT_EQ(result(v6only, "2001:db8::1"), "fail");
  FakeResolver broken;
  broken.add_txt("example.com", "v=spf1 exists:x.example.com -all");
  broken.fail("x.example.com", ErrorKind::temporary);
  EXPECT_EQ(result(broken, "192.0.2.1"), "temperror");
}

// §5.2: the include result table.
TEST(SpfCheck, IncludeResultTable) {
  for (auto [inner, want] : std::vector<std::pair<std::string, std::string>>{
           {"v=spf1 +all", "pass"},      // match: the qualifier of "include" counts
           {"v=spf1 -all", "softfail"},  // not match: on to ~all
           {"v=spf1 ~all", "softfail"},
           {"v=spf1 ?all", "softfail"},
           {"v=spf1", "softfail"},       // neutral
           {"v=spf1 foo", "permerror"},  // permerror propagates
           {"", "permerror"},            // no record: none -> permerror
           {"TEMP", "temperror"},        // temperror propagates
           {"NX", "permerror"}}) {       // NXDOMAIN: none -> permerror
    FakeResolver dns;
    dns.add_txt("example.com", "v=spf1 include:_spf.example.net ~all");
    if (inner == "TEMP") {
      dns.fail("_spf.example.net", ErrorKind::temporary);
    } else if (inner == "NX") {
      // no entry at all
    } else if (inner.empty()) {
      dns.add_txt("_spf.example.net", "not spf");
    } else {
      dns.add_txt("_spf.example.net", inner);
    }
    EXPECT_EQ(result(dns, "192.0.2.1"), want) << inner;
  }
}

TEST(SpfCheck, IncludeUsesTheTargetsDomainForMacrosAndDefaults) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 -include:_spf.example.net +all");
  dns.add_txt("_spf.example.net", "v=spf1 a exists:%{d}.check.example");
  dns.add_a("_spf.example.net", "192.0.2.5");
  dns.add_a("_spf.example.net.check.example", "127.0.0.2");
  Verdict v = run(dns, "192.0.2.5");
  EXPECT_EQ(v.result, Outcome::fail);
  EXPECT_EQ(v.mechanism, "-include:_spf.example.net");
}

TEST(SpfCheck, Redirect) {
  FakeResolver dns;
  dns.add_txt("la.example.org", "v=spf1 redirect=_spf.example.org");
  dns.add_txt("_spf.example.org", "v=spf1 ip4:192.0.2.0/24 ~all");
  dns.add_txt("all.example.org", "v=spf1 ?all redirect=_spf.example.org");
  dns.add_txt("lost.example.org", "v=spf1 redirect=nowhere.example.org");
  dns.add_txt("bad.example.org", "v=spf1 redirect=%{l}..example.org");
  Verdict v = run(dns, "192.0.2.1", "a@la.example.org");
  EXPECT_EQ(v.result, Outcome::pass);
  EXPECT_EQ(v.domain, "la.example.org");
  EXPECT_EQ(v.mechanism, "ip4:192.0.2.0/24");
  EXPECT_EQ(result(dns, "198.51.100.1", "a@la.example.org"), "softfail");
  // §6.1: ignored when the record has "all".
  EXPECT_EQ(result(dns, "192.0.2.1", "a@all.example.org"), "neutral");
  // §6.1: no record at the target is permerror, not none; so is a malformed target.
  v = run(dns, "192.0.2.1", "a@lost.example.org");
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.problem, "no SPF record at nowhere.example.org (NXDOMAIN)");
  EXPECT_EQ(result(dns, "192.0.2.1", "a@bad.example.org"), "permerror");
}

TEST(SpfCheck, Explanation) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 mx -all exp=explain._spf.%{d}");
  dns.add_txt("explain._spf.example.com", "%{i} is not one of %{d}'s designated mail servers.");
  Verdict v = run(dns, "192.0.2.1");
  EXPECT_EQ(v.result, Outcome::fail);
  EXPECT_EQ(v.explanation, "192.0.2.1 is not one of example.com's designated mail servers.");
  // Only for fail.
  FakeResolver soft;
  soft.add_txt("example.com", "v=spf1 ~all exp=e.example.com");
  soft.add_txt("e.example.com", "no");
  EXPECT_EQ(run(soft, "192.0.2.1").explanation, "");
  EXPECT_EQ(soft.lookups("e.example.com"), 0);
}

TEST(SpfCheck, ExplanationMacrosOfExpText) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 -all exp=e.example.com");
  dns.add_txt("e.example.com", "%{c} via %{r} at %{t}: see http://%{d}/why?s=%{S}");
  Verdict v = run(dns, "2001:db8::1", "a+b@example.com");
  EXPECT_EQ(v.explanation,
            "2001:db8::1 via mx.postamt.example at 1700000000: see "
            "http://example.com/why?s=a%2Bb%40example.com");
}

TEST(SpfCheck, BrokenExplanationsAreDropped) {
  // §6.2: DNS error, no record, several records, a syntax error: as if no exp=.
  for (std::string setup : {"temp", "none", "two", "syntax", "nonascii"}) {
    FakeResolver dns;
    dns.add_txt("example.com", "v=spf1 -all exp=e.example.com");
    if (setup == "temp") dns.fail("e.example.com", ErrorKind::temporary);
    if (setup == "two") {
      dns.add_txt("e.example.com", "one");
      dns.add_txt("e.example.com", "two");
    }
    if (setup == "syntax") dns.add_txt("e.example.com", "100% wrong");
    if (setup == "nonascii") dns.add_txt("e.example.com", "caf\xc3\xa9");
    if (setup == "none") dns.add_a("e.example.com", "192.0.2.1");
    Verdict v = run(dns, "192.0.2.1");
    EXPECT_EQ(v.result, Outcome::fail) << setup;
    EXPECT_EQ(v.explanation, "") << setup;
  }
}

TEST(SpfCheck, ExplanationOfRedirectTargetNotOfIncludeTarget) {
  FakeResolver dns;
  // §6.2 note: after a redirect the target's exp counts, the original's not.
  dns.add_txt("a.example.com", "v=spf1 exp=a-exp.example.com redirect=b.example.com");
  dns.add_txt("b.example.com", "v=spf1 -all exp=b-exp.example.com");
  dns.add_txt("a-exp.example.com", "from a");
  dns.add_txt("b-exp.example.com", "from b");
  EXPECT_EQ(run(dns, "192.0.2.1", "x@a.example.com").explanation, "from b");
  // Inside include the target's exp is never looked up.
  dns.add_txt("c.example.com", "v=spf1 include:b.example.com -all exp=c-exp.example.com");
  dns.add_txt("c-exp.example.com", "from c");
  EXPECT_EQ(run(dns, "192.0.2.1", "x@c.example.com").explanation, "from c");
  EXPECT_EQ(dns.lookups("b-exp.example.com"), 1);
}

TEST(SpfCheck, NullSenderUsesPostmasterAtHelo) {
  FakeResolver dns;
  dns.add_txt("client.example.net", "v=spf1 exists:%{l}.%{o}.ok.example -all");
  dns.add_a("postmaster.client.example.net.ok.example", "127.0.0.2");
  Verdict v = run(dns, "192.0.2.1", "");
  EXPECT_EQ(v.result, Outcome::pass);
  EXPECT_EQ(v.domain, "client.example.net");
  EXPECT_EQ(v.identity, "mailfrom");
  EXPECT_EQ(v.sender, "postmaster@client.example.net");
  // §4.3: a sender without a local-part is postmaster.
  dns.add_txt("example.org", "v=spf1 exists:%{l}.ok.example -all");
  dns.add_a("postmaster.ok.example", "127.0.0.2");
  v = run(dns, "192.0.2.1", "@example.org");
  EXPECT_EQ(v.result, Outcome::pass);
  EXPECT_EQ(v.sender, "postmaster@example.org");
  EXPECT_EQ(run(dns, "192.0.2.1", "Some.One@example.org").sender, "Some.One@example.org");
}

TEST(SpfCheck, HeloCheck) {
  FakeResolver dns;
  dns.add_txt("client.example.net", "v=spf1 a -all");
  dns.add_a("client.example.net", "192.0.2.1");
  Request request{"192.0.2.1", "someone@example.com", "client.example.net", "", 1};
  Verdict v = check_helo(request, dns);
  EXPECT_EQ(v.result, Outcome::pass);
  EXPECT_EQ(v.identity, "helo");
  EXPECT_EQ(v.domain, "client.example.net");
  request.helo = "[192.0.2.1]";
  EXPECT_EQ(check_helo(request, dns).result, Outcome::none);
  // check_host() names the identity from the context.
  request.helo = "client.example.net";
  v = check_host("192.0.2.1", "client.example.net", "postmaster@client.example.net", request, dns);
  EXPECT_EQ(v.identity, "helo");
  v = check_host("192.0.2.1", "example.com", "someone@example.com", request, dns);
  EXPECT_EQ(v.identity, "mailfrom");
}

TEST(SpfCheck, PMacroUsesValidatedName) {
  FakeResolver dns;
  dns.add_txt("example.com", "v=spf1 -all exp=e.example.com");
  dns.add_txt("e.example.com", "%{p} is not allowed");
  dns.add_ptr("192.0.2.1", "other.example.org");
  dns.add_ptr("192.0.2.1", "host.example.com");
  dns.add_a("other.example.org", "192.0.2.1");
  dns.add_a("host.example.com", "192.0.2.1");
  // §7.3: a name within <domain> is preferred.
  EXPECT_EQ(run(dns, "192.0.2.1").explanation, "host.example.com is not allowed");
  EXPECT_EQ(run(dns, "192.0.2.2").explanation, "unknown is not allowed");
}

// RFC 7208 Appendix A: the zone, then each example as a case.
void appendix_a_zone(FakeResolver& dns) {
  dns.add_mx("example.com", 10, "mail-a.example.com");
  dns.add_mx("example.com", 20, "mail-b.example.com");
  dns.add_a("example.com", "192.0.2.10");
  dns.add_a("example.com", "192.0.2.11");
  dns.add_a("amy.example.com", "192.0.2.65");
  dns.add_a("bob.example.com", "192.0.2.66");
  dns.add_a("mail-a.example.com", "192.0.2.129");
  dns.add_a("mail-b.example.com", "192.0.2.130");
  dns.add_a("www.example.com", "192.0.2.10");  // CNAME example.com.
  dns.add_a("www.example.com", "192.0.2.11");
  dns.add_mx("example.org", 10, "mail-c.example.org");
  dns.add_a("mail-c.example.org", "192.0.2.140");
  dns.add_ptr("192.0.2.10", "example.com");
  dns.add_ptr("192.0.2.11", "example.com");
  dns.add_ptr("192.0.2.65", "amy.example.com");
  dns.add_ptr("192.0.2.66", "bob.example.com");
  dns.add_ptr("192.0.2.129", "mail-a.example.com");
  dns.add_ptr("192.0.2.130", "mail-b.example.com");
  dns.add_ptr("192.0.2.140", "mail-c.example.org");
  dns.add_ptr("10.0.0.4", "bob.example.com");
}

std::string appendix_a(const std::string& record, std::string_view ip) {
  FakeResolver dns;
  appendix_a_zone(dns);
  dns.add_txt("example.com", record);
  return result(dns, ip);
}

TEST(SpfAppendixA, A1SimpleExamples) {
  const std::vector<std::string> hosts = {"192.0.2.10",  "192.0.2.11",  "192.0.2.65",
                                          "192.0.2.129", "192.0.2.130", "192.0.2.131",
                                          "192.0.2.140", "192.0.2.143", "10.0.0.4"};
  // For each record: the hosts of `hosts` that pass; every other one fails.
  const std::vector<std::pair<std::string, std::set<std::string>>> examples = {
      {"v=spf1 +all", {hosts.begin(), hosts.end()}},
      {"v=spf1 a -all", {"192.0.2.10", "192.0.2.11"}},
      {"v=spf1 a:example.org -all", {}},
      {"v=spf1 mx -all", {"192.0.2.129", "192.0.2.130"}},
      {"v=spf1 mx:example.org -all", {"192.0.2.140"}},
      {"v=spf1 mx mx:example.org -all", {"192.0.2.129", "192.0.2.130", "192.0.2.140"}},
      {"v=spf1 mx/30 mx:example.org/30 -all",
       {"192.0.2.129", "192.0.2.130", "192.0.2.131", "192.0.2.140", "192.0.2.143"}},
      {"v=spf1 ptr -all", {"192.0.2.10", "192.0.2.11", "192.0.2.65", "192.0.2.129", "192.0.2.130"}},
      {"v=spf1 ip4:192.0.2.128/28 -all",
       {"192.0.2.129", "192.0.2.130", "192.0.2.131", "192.0.2.140", "192.0.2.143"}},
  };
  for (const auto& [record, passing] : examples) {
    for (const auto& ip : hosts) {
      EXPECT_EQ(appendix_a(record, ip), passing.contains(ip) ? "pass" : "fail")
          << record << " from " << ip;
    }
  }
}

TEST(SpfAppendixA, A2MultipleDomains) {
  FakeResolver dns;
  appendix_a_zone(dns);
  dns.add_txt("example.com", "v=spf1 mx -all");
  dns.add_txt("example.net", "v=spf1 ip4:198.51.100.0/24 -all");
  dns.add_txt("example.org", "v=spf1 include:example.com include:example.net -all");
  for (const char* d : {"la.example.org", "ny.example.org", "sf.example.org"}) {
    dns.add_txt(d, "v=spf1 redirect=example.org");
  }
  EXPECT_EQ(result(dns, "192.0.2.129", "x@example.org"), "pass");
  EXPECT_EQ(result(dns, "198.51.100.9", "x@example.org"), "pass");
  EXPECT_EQ(result(dns, "192.0.2.65", "x@example.org"), "fail");
  EXPECT_EQ(result(dns, "192.0.2.130", "x@la.example.org"), "pass");
  EXPECT_EQ(result(dns, "198.51.100.9", "x@ny.example.org"), "pass");
  EXPECT_EQ(result(dns, "192.0.2.10", "x@sf.example.org"), "fail");
}

TEST(SpfAppendixA, A3DnsblStyle) {
  FakeResolver dns;
  appendix_a_zone(dns);
  dns.add_txt("example.com",
              "v=spf1 mx include:mobile-users._spf.%{d} include:remote-users._spf.%{d} -all");
  dns.add_txt("mobile-users._spf.example.com", "v=spf1 exists:%{l1r+}.%{d}");
  dns.add_txt("remote-users._spf.example.com", "v=spf1 exists:%{ir}.%{l1r+}.%{d}");
  dns.add_a("mary.mobile-users._spf.example.com", "127.0.0.2");
  dns.add_a("fred.mobile-users._spf.example.com", "127.0.0.2");
  dns.add_a("15.15.168.192.joel.remote-users._spf.example.com", "127.0.0.2");
  dns.add_a("16.15.168.192.joel.remote-users._spf.example.com", "127.0.0.2");
  EXPECT_EQ(result(dns, "203.0.113.7", "mary@example.com"), "pass");
  EXPECT_EQ(result(dns, "203.0.113.7", "fred+news@example.com"), "pass");
  EXPECT_EQ(result(dns, "192.168.15.15", "joel@example.com"), "pass");
  EXPECT_EQ(result(dns, "192.168.15.16", "joel+x@example.com"), "pass");
  EXPECT_EQ(result(dns, "192.168.15.17", "joel@example.com"), "fail");
  EXPECT_EQ(result(dns, "203.0.113.7", "amy@example.com"), "fail");
  EXPECT_EQ(result(dns, "192.0.2.129", "amy@example.com"), "pass");
}

TEST(SpfAppendixA, A4MultipleRequirements) {
  // Both: the address in 192.0.2.0/24 and a validated PTR name. As printed, ptr's
  // target is ptr._spf.example.com, within which no host name lies, so everything
  // fails; with "-ptr:example.com" the record does what its text describes.
  for (std::string ptr : {"-ptr", "-ptr:example.com"}) {
    FakeResolver dns;
    appendix_a_zone(dns);
    dns.add_txt("example.com", "v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all");
    dns.add_txt("ip4._spf.example.com", "v=spf1 -ip4:192.0.2.0/24 +all");
    dns.add_txt("ptr._spf.example.com", "v=spf1 " + ptr + " +all");
    const bool as_printed = ptr == "-ptr";
    EXPECT_EQ(result(dns, "192.0.2.65"), as_printed ? "fail" : "pass") << ptr;
    EXPECT_EQ(result(dns, "192.0.2.200"), "fail") << ptr;  // no PTR
    EXPECT_EQ(result(dns, "10.0.0.4"), "fail") << ptr;     // outside, PTR not valid
    EXPECT_EQ(result(dns, "192.0.2.140"), "fail") << ptr;  // PTR in example.org
  }
}

}  // namespace
}  // namespace postamt::spf
