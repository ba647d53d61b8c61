#include "queue/tls_policy.h"

#include <gtest/gtest.h>

#include "dns/testing/fake_resolver.h"

namespace postamt::queue {
namespace {

using smtp::client::TlsRequirement;
using Action = TlsDecision::Action;

const std::string kSha256(32, '\x5a');

Hop mx(bool secure) {
  return Hop{"mx.example.org", "192.0.2.1", 25, secure};
}

TlsaAnswer secure_records(std::vector<dns::TlsaRecord> records) {
  TlsaAnswer a;
  a.state = TlsaAnswer::State::records;
  a.records = std::move(records);
  return a;
}

TEST(TlsPolicy, ParsesModesAndLooksUpDomainsCaseInsensitively) {
  EXPECT_EQ(*parse_tls_mode("verify"), TlsMode::verify);
  EXPECT_EQ(*parse_tls_mode("dane"), TlsMode::dane);
  EXPECT_EQ(*parse_tls_mode("opportunistic"), TlsMode::opportunistic);
  auto bad = parse_tls_mode("must");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "\"must\" is not one of \"opportunistic\", \"dane\", \"verify\"");
  TlsPolicyConfig c;
  c.domains["x.test"] = TlsMode::verify;
  EXPECT_EQ(c.mode_for("X.Test"), TlsMode::verify);
  EXPECT_EQ(c.mode_for("sub.x.test"), TlsMode::dane);  // exact names only
}

TEST(TlsPolicy, UsableRecordsFollowRfc7672) {
  EXPECT_TRUE(usable_for_smtp({3, 1, 1, kSha256}));
  EXPECT_TRUE(usable_for_smtp({2, 0, 2, std::string(64, 'a')}));
  EXPECT_TRUE(usable_for_smtp({3, 0, 0, "DER"}));
  EXPECT_FALSE(usable_for_smtp({1, 1, 1, kSha256}));  // PKIX-EE: §3.1.3
  EXPECT_FALSE(usable_for_smtp({0, 1, 1, kSha256}));  // PKIX-TA
  EXPECT_FALSE(usable_for_smtp({3, 2, 1, kSha256}));  // unknown selector
  EXPECT_FALSE(usable_for_smtp({3, 1, 3, kSha256}));  // unknown matching type
  EXPECT_FALSE(usable_for_smtp({3, 1, 1, std::string(31, 'a')}));
  EXPECT_FALSE(usable_for_smtp({3, 1, 0, ""}));
}

TEST(TlsPolicy, DaneWithUsableSecureRecordsNamesMxHostThenDomain) {
  auto d = decide_tls(TlsMode::dane, "example.org", mx(true),
                      secure_records({{3, 1, 1, kSha256}, {1, 1, 1, kSha256}}), std::nullopt);
  EXPECT_EQ(d.action, Action::connect);
  EXPECT_EQ(d.requirement, TlsRequirement::dane);
  EXPECT_EQ(d.names, (std::vector<std::string>{"mx.example.org", "example.org"}));
  ASSERT_EQ(d.tlsa.size(), 1u);  // the PKIX-EE record is left out
  EXPECT_EQ(d.tlsa[0], (net::TlsaAssociation{3, 1, 1, kSha256}));
  EXPECT_EQ(d.required_by, "DANE");
  EXPECT_EQ(d.policy_type, "tlsa");
}

TEST(TlsPolicy, DaneWinsOverMtaSts) {
  auto d = decide_tls(TlsMode::dane, "example.org", mx(true), secure_records({{3, 1, 1, kSha256}}),
                      StsFacts{StsMode::enforce, false});
  EXPECT_EQ(d.action, Action::connect);
  EXPECT_EQ(d.requirement, TlsRequirement::dane);
}

TEST(TlsPolicy, SecureButUnusableRecordsMeanMandatoryUnauthenticatedTls) {
  auto d = decide_tls(TlsMode::dane, "example.org", mx(true), secure_records({{1, 1, 1, kSha256}}),
                      std::nullopt);
  EXPECT_EQ(d.action, Action::connect);
  EXPECT_EQ(d.requirement, TlsRequirement::encrypt);
  EXPECT_EQ(d.policy_type, "tlsa");
}

TEST(TlsPolicy, FailedTlsaLookupDefersTheHost) {
  TlsaAnswer failed;
  failed.state = TlsaAnswer::State::failed;
  failed.error = "bogus answer";
  auto d = decide_tls(TlsMode::dane, "example.org", mx(true), failed, std::nullopt);
  EXPECT_EQ(d.action, Action::defer);
  EXPECT_EQ(d.status, "4.7.5");
  EXPECT_EQ(d.reason, "TLS required by DANE for mx.example.org: TLSA lookup failed: bogus answer");
  EXPECT_EQ(d.failure_type, "dnssec-invalid");
}

TEST(TlsPolicy, InsecureHopIgnoresTlsaAndIsOpportunistic) {
  // route() marks the hop insecure; even records handed in are not used (RFC 7672 §2.2).
  auto d = decide_tls(TlsMode::dane, "example.org", mx(false), secure_records({{3, 1, 1, kSha256}}),
                      std::nullopt);
  EXPECT_EQ(d.action, Action::connect);
  EXPECT_EQ(d.requirement, TlsRequirement::none);
  EXPECT_FALSE(d.report_only);
  EXPECT_EQ(d.policy_type, "no-policy-found");
}

TEST(TlsPolicy, NoTlsaFallsBackToMtaStsEnforce) {
  TlsaAnswer none;
  none.state = TlsaAnswer::State::none;
  auto d =
      decide_tls(TlsMode::dane, "example.org", mx(true), none, StsFacts{StsMode::enforce, true});
  EXPECT_EQ(d.action, Action::connect);
  EXPECT_EQ(d.requirement, TlsRequirement::verify);
  EXPECT_EQ(d.names, std::vector<std::string>{"mx.example.org"});
  EXPECT_EQ(d.required_by, "MTA-STS");
  EXPECT_EQ(d.policy_type, "sts");
}

TEST(TlsPolicy, MtaStsEnforceSkipsUnlistedMxInEveryMode) {
  for (TlsMode mode : {TlsMode::opportunistic, TlsMode::dane, TlsMode::verify}) {
    auto d = decide_tls(mode, "example.org", mx(false), {}, StsFacts{StsMode::enforce, false});
    EXPECT_EQ(d.action, Action::skip) << to_string(mode);
    EXPECT_EQ(d.status, "4.7.5");
    EXPECT_EQ(d.reason, "TLS required by MTA-STS: mx.example.org is not an MX host of the policy");
    EXPECT_EQ(d.failure_type, "validation-failure");
    EXPECT_EQ(d.policy_type, "sts");
  }
}

TEST(TlsPolicy, MtaStsTestingOnlyReports) {
  auto d = decide_tls(TlsMode::opportunistic, "example.org", mx(false), {},
                      StsFacts{StsMode::testing, false});
  EXPECT_EQ(d.action, Action::connect);
  EXPECT_EQ(d.requirement, TlsRequirement::none);
  EXPECT_TRUE(d.report_only);
  EXPECT_EQ(d.names, std::vector<std::string>{"mx.example.org"});
  EXPECT_EQ(d.policy_type, "sts");
}

TEST(TlsPolicy, VerifyModeAlwaysVerifiesTheMxName) {
  auto d = decide_tls(TlsMode::verify, "example.org", mx(true),
                      secure_records({{3, 1, 1, kSha256}}), std::nullopt);
  EXPECT_EQ(d.action, Action::connect);
  EXPECT_EQ(d.requirement, TlsRequirement::verify);
  EXPECT_EQ(d.names, std::vector<std::string>{"mx.example.org"});
  EXPECT_EQ(d.required_by, "policy");
  EXPECT_EQ(d.policy_type, "no-policy-found");
}

TEST(TlsPolicy, OpportunisticWithoutPolicy) {
  auto d = decide_tls(TlsMode::opportunistic, "example.org", mx(true), {}, std::nullopt);
  EXPECT_EQ(d.action, Action::connect);
  EXPECT_EQ(d.requirement, TlsRequirement::none);
  EXPECT_FALSE(d.report_only);
}

TEST(TlsPolicy, TlsaAnswersFromTheResolver) {
  dns::testing::FakeResolver dns;
  dns.add_tlsa("_25._tcp.mx.example.org", {3, 1, 1, kSha256});
  dns.add_tlsa("_25._tcp.insecure.example.org", {3, 1, 1, kSha256});
  dns.set_secure("_25._tcp.mx.example.org", true);
  dns.fail("_25._tcp.broken.example.org", ErrorKind::temporary, "bogus");
  EXPECT_EQ(tlsa_name(mx(true)), "_25._tcp.mx.example.org");
  EXPECT_EQ(tlsa_name(Hop{"mx.example.org", "192.0.2.1", 2525, true}), "_2525._tcp.mx.example.org");

  auto secure = tlsa_answer(dns.tlsa("_25._tcp.mx.example.org"));
  EXPECT_EQ(secure.state, TlsaAnswer::State::records);
  EXPECT_EQ(secure.records.size(), 1u);
  EXPECT_EQ(tlsa_answer(dns.tlsa("_25._tcp.insecure.example.org")).state, TlsaAnswer::State::none);
  EXPECT_EQ(tlsa_answer(dns.tlsa("_25._tcp.missing.example.org")).state, TlsaAnswer::State::none);
  auto failed = tlsa_answer(dns.tlsa("_25._tcp.broken.example.org"));
  EXPECT_EQ(failed.state, TlsaAnswer::State::failed);
  EXPECT_EQ(failed.error, "bogus");
}

}  // namespace
}  // namespace postamt::queue
