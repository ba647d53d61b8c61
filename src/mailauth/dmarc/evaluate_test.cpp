#include <gtest/gtest.h>

#include "dns/testing/fake_resolver.h"
#include "mailauth/dmarc/dmarc.h"

namespace postamt::dmarc {
namespace {

const PublicSuffixList& psl() {
  static const PublicSuffixList list = *PublicSuffixList::load(PublicSuffixList::kDebianPath);
  return list;
}

Input from(std::string domain) {
  Input in;
  in.from_domain = std::move(domain);
  return in;
}

class DmarcEvaluate : public ::testing::Test {
 protected:
  dns::testing::FakeResolver dns;
};

TEST_F(DmarcEvaluate, NoRecordIsNoneAfterBothLookups) {
  Input in = from("mail.example.co.uk");
  Verdict v = evaluate(in, dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::none);
  EXPECT_EQ(v.disposition, Policy::none);
  EXPECT_FALSE(v.record);
  EXPECT_EQ(v.policy_domain, "");
  EXPECT_EQ(v.reason, "no DMARC record for mail.example.co.uk");
  EXPECT_EQ(dns.lookups("_dmarc.mail.example.co.uk"), 1);
  EXPECT_EQ(dns.lookups("_dmarc.example.co.uk"), 1);
  EXPECT_EQ(dns.lookups(), 2);
}

TEST_F(DmarcEvaluate, OrganizationalDomainIsNotAskedTwice) {
  Verdict v = evaluate(from("example.org"), dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::none);
  EXPECT_EQ(dns.lookups(), 1);
}

TEST_F(DmarcEvaluate, DkimRelaxedAlignmentPasses) {
  dns.add_txt("_dmarc.example.co.uk", "v=DMARC1; p=reject");
  Input in = from("example.co.uk");
  in.dkim_pass_domains = {"other.test", "mail.example.co.uk"};
  Verdict v = evaluate(in, dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::pass);
  EXPECT_TRUE(v.dkim_aligned);
  EXPECT_FALSE(v.spf_aligned);
  EXPECT_EQ(v.policy, Policy::reject);
  EXPECT_EQ(v.disposition, Policy::none);
  EXPECT_EQ(v.policy_domain, "example.co.uk");
  ASSERT_TRUE(v.record);
  EXPECT_EQ(v.record->p, Policy::reject);
  EXPECT_EQ(v.reason, "DKIM aligned");
}

TEST_F(DmarcEvaluate, DkimStrictAlignmentNeedsTheSameName) {
  dns.add_txt("_dmarc.example.co.uk", "v=DMARC1; p=reject; adkim=s");
  Input in = from("example.co.uk");
  in.dkim_pass_domains = {"mail.example.co.uk"};
  Verdict v = evaluate(in, dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::fail);
  EXPECT_FALSE(v.dkim_aligned);
  EXPECT_EQ(v.disposition, Policy::reject);
  EXPECT_EQ(v.reason, "no aligned identifier; policy reject at example.co.uk");
  in.dkim_pass_domains = {"Example.CO.uk"};
  EXPECT_EQ(evaluate(in, dns, psl(), 0).result, Outcome::pass);
}

TEST_F(DmarcEvaluate, SpfAlignment) {
  dns.add_txt("_dmarc.example.co.uk", "v=DMARC1; p=quarantine; aspf=s");
  Input in = from("example.co.uk");
  in.spf_domain = "bounce.example.co.uk";
  in.spf_pass = true;
  Verdict strict = evaluate(in, dns, psl(), 0);
  EXPECT_EQ(strict.result, Outcome::fail);
  EXPECT_FALSE(strict.spf_aligned);
  EXPECT_EQ(strict.disposition, Policy::quarantine);

  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=quarantine");
  Input relaxed = from("example.org");
  relaxed.spf_domain = "bounce.example.org";
  relaxed.spf_pass = true;
  Verdict v = evaluate(relaxed, dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::pass);
  EXPECT_TRUE(v.spf_aligned);
  EXPECT_EQ(v.reason, "SPF aligned");
  // An aligned domain whose SPF did not pass does not count.
  relaxed.spf_pass = false;
  EXPECT_EQ(evaluate(relaxed, dns, psl(), 0).result, Outcome::fail);
  // A passing domain of another organization does not either.
  relaxed.spf_pass = true;
  relaxed.spf_domain = "example.net";
  EXPECT_EQ(evaluate(relaxed, dns, psl(), 0).result, Outcome::fail);
}

TEST_F(DmarcEvaluate, SubdomainPolicyFromTheOrganizationalDomain) {
  // RFC 7489 §6.3 sp, §6.6.3 step 3.
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=reject; sp=quarantine");
  Verdict sub = evaluate(from("news.example.org"), dns, psl(), 0);
  EXPECT_EQ(sub.result, Outcome::fail);
  EXPECT_EQ(sub.policy_domain, "example.org");
  EXPECT_EQ(sub.policy, Policy::quarantine);
  EXPECT_EQ(sub.disposition, Policy::quarantine);
  EXPECT_EQ(dns.lookups("_dmarc.news.example.org"), 1);
  // The organizational domain itself gets p.
  Verdict org = evaluate(from("example.org"), dns, psl(), 0);
  EXPECT_EQ(org.policy, Policy::reject);
  EXPECT_EQ(org.disposition, Policy::reject);
  // Without sp, p applies to subdomains.
  dns.add_txt("_dmarc.example.net", "v=DMARC1; p=reject");
  EXPECT_EQ(evaluate(from("a.b.example.net"), dns, psl(), 0).policy, Policy::reject);
}

TEST_F(DmarcEvaluate, RecordAtTheSubdomainWins) {
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=reject");
  dns.add_txt("_dmarc.news.example.org", "v=DMARC1; p=none; sp=reject");
  Verdict v = evaluate(from("news.example.org"), dns, psl(), 0);
  EXPECT_EQ(v.policy_domain, "news.example.org");
  EXPECT_EQ(v.policy, Policy::none);  // sp is for subdomains of news.example.org
  EXPECT_EQ(v.result, Outcome::fail);
  EXPECT_EQ(v.disposition, Policy::none);
  EXPECT_EQ(dns.lookups("_dmarc.example.org"), 0);
}

TEST_F(DmarcEvaluate, PctSampling) {
  // RFC 7489 §6.6.4: selected when sample < pct; an unselected reject is quarantined,
  // an unselected quarantine gets no DMARC disposition.
  dns.add_txt("_dmarc.reject0.test", "v=DMARC1; p=reject; pct=0");
  dns.add_txt("_dmarc.reject50.test", "v=DMARC1; p=reject; pct=50");
  dns.add_txt("_dmarc.reject100.test", "v=DMARC1; p=reject; pct=100");
  dns.add_txt("_dmarc.quarantine50.test", "v=DMARC1; p=quarantine; pct=50");
  auto disposition = [&](const char* domain, int sample) {
    return evaluate(from(domain), dns, psl(), sample).disposition;
  };
  EXPECT_EQ(disposition("reject0.test", 0), Policy::quarantine);
  EXPECT_EQ(disposition("reject0.test", 99), Policy::quarantine);
  EXPECT_EQ(disposition("reject50.test", 0), Policy::reject);
  EXPECT_EQ(disposition("reject50.test", 49), Policy::reject);
  EXPECT_EQ(disposition("reject50.test", 50), Policy::quarantine);
  EXPECT_EQ(disposition("reject50.test", 99), Policy::quarantine);
  EXPECT_EQ(disposition("reject100.test", 99), Policy::reject);
  EXPECT_EQ(disposition("quarantine50.test", 49), Policy::quarantine);
  EXPECT_EQ(disposition("quarantine50.test", 50), Policy::none);
  Verdict v = evaluate(from("reject50.test"), dns, psl(), 70);
  EXPECT_EQ(v.result, Outcome::fail);
  EXPECT_EQ(v.policy, Policy::reject);
  EXPECT_EQ(v.reason, "no aligned identifier; policy reject at reject50.test (sampled out by pct)");
}

TEST_F(DmarcEvaluate, SeveralRecordsMeanNone) {
  // RFC 7489 §6.6.3 step 5; other TXT records are discarded first (step 2).
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=reject");
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=none");
  Verdict v = evaluate(from("example.org"), dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::none);
  EXPECT_EQ(v.reason, "2 DMARC records at _dmarc.example.org");
  EXPECT_FALSE(v.record);

  dns.add_txt("_dmarc.example.net", "v=spf1 -all");
  dns.add_txt("_dmarc.example.net", "some verification token");
  dns.add_txt("_dmarc.example.net", "v=DMARC1; p=reject");
  EXPECT_EQ(evaluate(from("example.net"), dns, psl(), 0).result, Outcome::fail);
}

TEST_F(DmarcEvaluate, OnlyOtherTxtRecordsAtTheSubdomainFallsBackToTheOrganization) {
  dns.add_txt("_dmarc.news.example.org", "v=spf1 -all");
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=quarantine");
  Verdict v = evaluate(from("news.example.org"), dns, psl(), 0);
  EXPECT_EQ(v.policy_domain, "example.org");
  EXPECT_EQ(v.disposition, Policy::quarantine);
}

TEST_F(DmarcEvaluate, DnsTemporaryFailure) {
  dns.fail("_dmarc.example.org", ErrorKind::temporary, "SERVFAIL");
  Verdict v = evaluate(from("example.org"), dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::temperror);
  EXPECT_EQ(v.disposition, Policy::none);
  EXPECT_EQ(v.reason, "DNS lookup of _dmarc.example.org failed: SERVFAIL");
  // At the organizational domain too.
  Verdict sub = evaluate(from("news.example.org"), dns, psl(), 0);
  EXPECT_EQ(sub.result, Outcome::temperror);
  EXPECT_EQ(sub.reason, "DNS lookup of _dmarc.example.org failed: SERVFAIL");
}

TEST_F(DmarcEvaluate, FailingSubdomainLookupStillCarriesTheOrganizationsPolicy) {
  // The sender chooses the subdomain; its DNS failing (or its name being too long to ask)
  // must not hide example.org's policy.
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=none; sp=reject");
  dns.fail("_dmarc.slow.example.org", ErrorKind::temporary, "SERVFAIL");
  Verdict v = evaluate(from("slow.example.org"), dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::temperror);
  ASSERT_TRUE(v.record);
  EXPECT_EQ(v.policy_domain, "example.org");
  EXPECT_EQ(v.policy, Policy::reject);
  EXPECT_EQ(v.disposition, Policy::none);
  dns.fail("_dmarc.long.example.org", ErrorKind::invalid, "name longer than 253 octets");
  Verdict longer = evaluate(from("long.example.org"), dns, psl(), 0);
  EXPECT_EQ(longer.result, Outcome::fail);
  EXPECT_EQ(longer.policy_domain, "example.org");
  EXPECT_EQ(longer.disposition, Policy::reject);
}

TEST_F(DmarcEvaluate, InvalidRecordIsPermerror) {
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=bogus");
  Verdict v = evaluate(from("example.org"), dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.disposition, Policy::none);
  EXPECT_EQ(v.policy_domain, "example.org");
  EXPECT_EQ(v.reason, "_dmarc.example.org: the DMARC record's p is not none, quarantine or reject");
}

TEST_F(DmarcEvaluate, InvalidPolicyWithRuaActsAsNone) {
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=bogus; rua=mailto:d@example.org");
  Verdict v = evaluate(from("example.org"), dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::fail);
  EXPECT_EQ(v.policy, Policy::none);
  EXPECT_EQ(v.disposition, Policy::none);
}

TEST_F(DmarcEvaluate, TemporaryCheckFailureWithoutAlignedPass) {
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=reject");
  Input in = from("example.org");
  in.spf_temperror = true;
  Verdict v = evaluate(in, dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::temperror);
  EXPECT_EQ(v.disposition, Policy::none);
  EXPECT_EQ(v.reason, "SPF ended in temperror, nothing aligned");
  // An aligned pass wins over the other check's temperror.
  in.dkim_pass_domains = {"example.org"};
  EXPECT_EQ(evaluate(in, dns, psl(), 0).result, Outcome::pass);
}

TEST_F(DmarcEvaluate, UnusableFromDomainIsPermerror) {
  Verdict v = evaluate(from(""), dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::permerror);
  EXPECT_EQ(v.reason, "From domain \"\" is not usable: empty domain");
  EXPECT_EQ(evaluate(from("exa mple.org"), dns, psl(), 0).result, Outcome::permerror);
  EXPECT_EQ(dns.lookups(), 0);
}

TEST_F(DmarcEvaluate, UpperCaseAndFinalDotAreNormalized) {
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=reject");
  Input in = from("Example.ORG.");
  in.dkim_pass_domains = {"example.org"};
  Verdict v = evaluate(in, dns, psl(), 0);
  EXPECT_EQ(v.result, Outcome::pass);
  EXPECT_EQ(v.policy_domain, "example.org");
}

}  // namespace
}  // namespace postamt::dmarc
