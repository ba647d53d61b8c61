// ARC validation against chains sealed by dkimpy (testdata/make_chains.py): what passes,
// and each way a chain fails (RFC 8617 §5.2).
#include "mailauth/arc/verify.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "base/base64.h"
#include "dns/testing/fake_resolver.h"
#include "mailauth/dkim/canon.h"
#include "mailauth/dkim/crypto.h"
#include "mailauth/dkim/hash.h"
#include "mailauth/dkim/sign.h"
#include "support/files.h"

namespace postamt::arc {
namespace {

using dns::testing::FakeResolver;

std::filesystem::path testdata() {
  const char* src = std::getenv("POSTAMT_SOURCE_DIR");
  return std::filesystem::path(src ? src : ".") / "src/mailauth/arc/testdata";
}

std::string load(const std::string& name) {
  std::string text = postamt::testing::read_file(testdata() / name);
  EXPECT_FALSE(text.empty()) << "missing test data " << name;
  return text;
}

// The three sealers' key records, as keys.txt lists them ("<name> <record>").
void add_keys(FakeResolver& dns) {
  const std::string keys = load("keys.txt");
  size_t pos = 0;
  while (pos < keys.size()) {
    size_t end = keys.find('\n', pos);
    std::string line = keys.substr(pos, end - pos);
    pos = end == std::string::npos ? keys.size() : end + 1;
    const size_t space = line.find(' ');
    if (space != std::string::npos) dns.add_txt(line.substr(0, space), line.substr(space + 1));
  }
}

// 2026-12-01, a day after the seals (testdata/make_chains.py T0).
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1796086400));

struct Fixture : ::testing::Test {
  Fixture() { add_keys(dns); }
  Verdict check(const std::string& message, Limits limits = {}) {
    return verify(message, dns, limits, kNow);
  }
  FakeResolver dns;
};

// `text` with the first `from` replaced by `to` (the test fails when `from` is absent).
std::string replace(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The raw ARC field of `message` starting with `prefix` (its folded lines included).
std::string field(const std::string& message, std::string_view prefix) {
  const size_t start = message.find(prefix);
  EXPECT_NE(start, std::string::npos) << prefix;
  size_t end = message.find("\r\n", start);
  while (end != std::string::npos && (message[end + 2] == ' ' || message[end + 2] == '\t'))
    end = message.find("\r\n", end + 2);
  return message.substr(start, end + 2 - start);
}

using ArcVerify = Fixture;

TEST_F(ArcVerify, NoArcFieldsIsNone) {
  const Verdict v =
      check("From: a@origin.example\r\nTo: b@dest.example\r\nSubject: x\r\n\r\nhello\r\n");
  EXPECT_EQ(v.status, Status::none);
  EXPECT_EQ(v.instance, 0);
  EXPECT_EQ(v.reason, "");
  EXPECT_EQ(v.sealer, "");
  EXPECT_EQ(dns.lookups(), 0);
  EXPECT_EQ(to_string(Status::none), "none");
  EXPECT_EQ(to_string(Status::pass), "pass");
  EXPECT_EQ(to_string(Status::fail), "fail");
}

TEST_F(ArcVerify, OneSetPasses) {
  const Verdict v = check(load("chain1.eml"));
  EXPECT_EQ(v.status, Status::pass) << v.reason;
  EXPECT_EQ(v.instance, 1);
  EXPECT_EQ(v.reason, "");
  EXPECT_EQ(v.sealer, "relay.example");
  EXPECT_EQ(v.oldest_pass, 0);
  EXPECT_EQ(v.oldest_pass_domain, "relay.example");
  ASSERT_EQ(v.seals.size(), 1u);
  EXPECT_EQ(v.seals[0].instance, 1);
  EXPECT_EQ(v.seals[0].domain, "relay.example");
  EXPECT_EQ(v.seals[0].selector, "arc1");
  // The AMS and the AS share one key: looked up once.
  EXPECT_EQ(dns.lookups(), 1);
}

TEST_F(ArcVerify, TwoSetsPassAfterTheListChangedTheMessage) {
  // The list's Subject tag and footer broke AMS i=1 (oldest-pass 2); the chain passes.
  const Verdict v = check(load("chain2.eml"));
  EXPECT_EQ(v.status, Status::pass) << v.reason;
  EXPECT_EQ(v.instance, 2);
  EXPECT_EQ(v.sealer, "lists.example");
  EXPECT_EQ(v.oldest_pass, 2);
  EXPECT_EQ(v.oldest_pass_domain, "lists.example");
}

TEST_F(ArcVerify, ThreeSetsPass) {
  const Verdict v = check(load("chain3.eml"));
  EXPECT_EQ(v.status, Status::pass) << v.reason;
  EXPECT_EQ(v.instance, 3);
  EXPECT_EQ(v.sealer, "fwd.example");
  EXPECT_EQ(v.oldest_pass, 2);
  EXPECT_EQ(v.oldest_pass_domain, "lists.example");
  ASSERT_EQ(v.seals.size(), 3u);
  EXPECT_EQ(v.seals[0].domain, "fwd.example");
  EXPECT_EQ(v.seals[0].selector, "s3");
  EXPECT_EQ(v.seals[1].domain, "lists.example");
  EXPECT_EQ(v.seals[1].selector, "seal2026");
  EXPECT_EQ(v.seals[2].instance, 1);
  EXPECT_EQ(v.seals[2].domain, "relay.example");
  EXPECT_EQ(dns.lookups(), 3);
  EXPECT_EQ(dns.lookups("s3._domainkey.fwd.example"), 1);
}

TEST_F(ArcVerify, WhereTheArcFieldsStandDoesNotMatter) {
  // Sets are ordered by instance, not by position (§5.1.1): move set 1 below From.
  std::string message = load("chain3.eml");
  std::string set1;
  for (std::string_view prefix :
       {"ARC-Seal: i=1;", "ARC-Message-Signature: i=1;", "ARC-Authentication-Results: i=1;"}) {
    const std::string f = field(message, prefix);
    set1 += f;
    message = replace(message, f, "");
  }
  message = replace(message, "To: team@", set1 + "To: team@");
  const Verdict v = check(message);
  EXPECT_EQ(v.status, Status::pass) << v.reason;
  EXPECT_EQ(v.instance, 3);
}

TEST_F(ArcVerify, ABodyChangedAfterTheLastSealFailsTheNewestAms) {
  const Verdict v = check(load("chain3.eml") + "one more line\r\n");
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.instance, 0);
  EXPECT_EQ(v.reason, "ARC-Message-Signature i=3: the body hash does not match (bh=)");
  EXPECT_EQ(v.sealer, "fwd.example");
  // Relaxed body canonicalization: trailing whitespace and empty lines change nothing.
  EXPECT_EQ(
      check(replace(load("chain3.eml"), "mailing list\r\n", "mailing  list \t\r\n\r\n\r\n")).status,
      Status::pass);
}

TEST_F(ArcVerify, AChangedSignedHeaderFailsTheNewestAms) {
  const Verdict v = check(replace(load("chain3.eml"), "Subject: [team]", "Subject: [spam]"));
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason,
            "ARC-Message-Signature i=3: the signature does not verify with the key at "
            "s3._domainkey.fwd.example");
  // A field that no AMS signs may change (or appear).
  EXPECT_EQ(check("X-Spam: no\r\n" + load("chain3.eml")).status, Status::pass);
}

TEST_F(ArcVerify, ABrokenSealAtInstanceOneFails) {
  // Its own seal is the only one over set 1 in a one-set chain.
  std::string chain1 = load("chain1.eml");
  const std::string as1 = field(chain1, "ARC-Seal: i=1;");
  Verdict v = check(replace(chain1, as1, replace(as1, "t=1796000000", "t=1796000001")));
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason,
            "ARC-Seal i=1: the signature does not verify with the key at "
            "arc1._domainkey.relay.example");
  // In a longer chain every later seal covers set 1, so the newest fails first.
  std::string chain3 = load("chain3.eml");
  const std::string aar1 = field(chain3, "ARC-Authentication-Results: i=1;");
  v = check(replace(chain3, aar1, replace(aar1, "spf=pass", "spf=fail")));
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason,
            "ARC-Seal i=3: the signature does not verify with the key at "
            "s3._domainkey.fwd.example");
}

TEST_F(ArcVerify, CvFailInTheNewestSealFails) {
  const Verdict v = check(load("cv_fail_last.eml"));
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason, "ARC-Seal i=2 says cv=fail");
  EXPECT_EQ(dns.lookups(), 0);
}

TEST_F(ArcVerify, CvFailInAnEarlierSealFails) {
  const Verdict v = check(load("cv_fail_mid.eml"));
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason, "ARC-Seal i=2 says cv=fail (must be pass)");
}

TEST_F(ArcVerify, AMissingOrDuplicateInstanceFails) {
  std::string message = load("chain3.eml");
  for (std::string_view prefix :
       {"ARC-Seal: i=2;", "ARC-Message-Signature: i=2;", "ARC-Authentication-Results: i=2;"})
    message = replace(message, field(message, prefix), "");
  Verdict v = check(message);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason, "ARC set 2 is missing (the highest is 3)");

  const std::string chain3 = load("chain3.eml");
  const std::string aar2 = field(chain3, "ARC-Authentication-Results: i=2;");
  v = check(replace(chain3, aar2, aar2 + aar2));
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason, "ARC set 2 has more than one ARC-Authentication-Results");
}

TEST_F(ArcVerify, MoreSetsThanTheLimitFail) {
  Limits limits;
  limits.max_instances = 2;
  Verdict v = check(load("chain3.eml"), limits);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason, "ARC-Seal i=3: more than 2 ARC sets");
  // i=51 is beyond RFC 8617's 50, whatever the limit says.
  limits.max_instances = 100;
  v = check(
      "ARC-Seal: i=51; cv=pass; a=rsa-sha256; d=x.example; s=s; b=AAAA\r\n" + load("chain3.eml"),
      limits);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason, "ARC-Seal: instance 51 is outside 1..50");
}

TEST_F(ArcVerify, KeyProblemsFailPermanently) {
  // RFC 8617 §5.2.1: DNS errors too are "fail", never a temporary result.
  FakeResolver empty;
  Verdict v = verify(load("chain1.eml"), empty, Limits{}, kNow);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason,
            "ARC-Message-Signature i=1: arc1._domainkey.relay.example: no key record (NXDOMAIN)");

  FakeResolver broken;
  broken.fail("arc1._domainkey.relay.example", ErrorKind::temporary, "SERVFAIL");
  v = verify(load("chain1.eml"), broken, Limits{}, kNow);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason,
            "ARC-Message-Signature i=1: arc1._domainkey.relay.example: key lookup failed: "
            "SERVFAIL");

  FakeResolver revoked;
  revoked.add_txt("arc1._domainkey.relay.example", "v=DKIM1; k=rsa; p=");
  v = verify(load("chain1.eml"), revoked, Limits{}, kNow);
  EXPECT_EQ(v.reason,
            "ARC-Message-Signature i=1: arc1._domainkey.relay.example: the key is revoked "
            "(empty p=)");

  FakeResolver wrong_type;
  wrong_type.add_txt("arc1._domainkey.relay.example",
                     "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  v = verify(load("chain1.eml"), wrong_type, Limits{}, kNow);
  EXPECT_EQ(v.reason,
            "ARC-Message-Signature i=1: arc1._domainkey.relay.example: the key does not allow "
            "a=rsa-sha256");
}

TEST_F(ArcVerify, RsaKeysBelowTheMinimumFail) {
  Limits limits;
  limits.min_rsa_bits = 2049;
  const Verdict v = check(load("chain1.eml"), limits);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason,
            "ARC-Message-Signature i=1: arc1._domainkey.relay.example: the RSA key has 2048 "
            "bits, fewer than 2049");
  limits.min_rsa_bits = 2048;
  EXPECT_EQ(check(load("chain1.eml"), limits).status, Status::pass);
}

// A one-set chain over `message` made here, for AMS tags dkimpy's sealer never writes
// (x=, l=, no c=, unusual h=). `ams_tags` go between s= and bh=; the seal follows
// RFC 8617 §5.1.1 (relaxed AAR, AMS, then the seal without b= and its CRLF).
std::string hand_sealed(const std::string& message, const std::string& ams_tags,
                        const std::vector<std::string>& signed_names, dkim::Canon header_canon,
                        dkim::Canon body_canon, std::optional<uint64_t> length = std::nullopt) {
  auto pem = postamt::testing::read_file(testdata() / "relay.key");
  auto key = dkim::PrivateKey::from_pem(pem);
  EXPECT_TRUE(key);
  const std::string aar = "ARC-Authentication-Results: i=1; relay.example; arc=none\r\n";
  auto bh = dkim::body_hash(dkim::canonicalize_body(dkim::body_of(message), body_canon), length);
  std::string ams = "ARC-Message-Signature: i=1; a=rsa-sha256; d=relay.example; s=arc1; " +
                    ams_tags + " bh=" + base64::encode(*bh) + "; b=";
  auto ams_b = dkim::compute_signature(message, *key, signed_names, header_canon, ams + "\r\n");
  EXPECT_TRUE(ams_b);
  ams += base64::encode(*ams_b) + "\r\n";
  std::string seal = "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=relay.example; s=arc1; b=";
  std::string data = dkim::canonicalize_header(aar, dkim::Canon::relaxed) +
                     dkim::canonicalize_header(ams, dkim::Canon::relaxed) +
                     dkim::canonicalize_header(seal, dkim::Canon::relaxed);
  data.resize(data.size() - 2);
  auto seal_b = key->sign(data);
  EXPECT_TRUE(seal_b);
  seal += base64::encode(*seal_b) + "\r\n";
  return seal + ams + aar + message;
}

constexpr std::string_view kPlain =
    "From: Alice <alice@origin.example>\r\nTo: team@lists.example\r\nSubject: plain\r\n"
    "\r\nHello  there \r\n";

TEST_F(ArcVerify, AnExpiredAmsFails) {
  // x= is 1796090000; kNow is 1796086400.
  const std::string message = hand_sealed(
      std::string(kPlain), "c=relaxed/relaxed; t=1796000000; x=1796090000; h=from:subject;",
      {"from", "subject"}, dkim::Canon::relaxed, dkim::Canon::relaxed);
  EXPECT_EQ(check(message).status, Status::pass) << check(message).reason;
  const auto later = kNow + std::chrono::hours(2);
  const Verdict v = verify(message, dns, Limits{}, later);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason, "ARC-Message-Signature i=1: the signature expired (x=)");
  // x= before t= is malformed (RFC 6376 §3.5).
  EXPECT_EQ(check(hand_sealed(std::string(kPlain), "t=1796000000; x=1795000000; h=from;", {"from"},
                              dkim::Canon::simple, dkim::Canon::simple))
                .reason,
            "ARC-Message-Signature i=1: x= is before t=");
}

TEST_F(ArcVerify, SimpleCanonicalizationIsTheDefault) {
  // No c= tag: simple/simple (RFC 6376 §3.5), so header and body whitespace count.
  const std::string message =
      hand_sealed(std::string(kPlain), "h=from : to:subject;", {"from", "to", "subject"},
                  dkim::Canon::simple, dkim::Canon::simple);
  EXPECT_EQ(check(message).status, Status::pass) << check(message).reason;
  EXPECT_EQ(check(replace(message, "Hello  there", "Hello there")).reason,
            "ARC-Message-Signature i=1: the body hash does not match (bh=)");
  EXPECT_EQ(check(replace(message, "Subject: plain", "Subject:  plain")).reason,
            "ARC-Message-Signature i=1: the signature does not verify with the key at "
            "arc1._domainkey.relay.example");
  // c=relaxed alone means relaxed/simple.
  const std::string half = hand_sealed(std::string(kPlain), "c=relaxed; h=from;", {"from"},
                                       dkim::Canon::relaxed, dkim::Canon::simple);
  EXPECT_EQ(check(replace(half, "Subject: plain", "Subject:  plain")).status, Status::pass);
  EXPECT_EQ(check(replace(half, "Hello  there", "Hello there")).reason,
            "ARC-Message-Signature i=1: the body hash does not match (bh=)");
  EXPECT_EQ(check(hand_sealed(std::string(kPlain), "c=loose; h=from;", {"from"},
                              dkim::Canon::simple, dkim::Canon::simple))
                .reason,
            "ARC-Message-Signature i=1: unknown canonicalization c=loose");
}

TEST_F(ArcVerify, BodyLengthLimitsWhatIsSigned) {
  // l=13 covers "Hello  there " of the simple body; what follows may change.
  const std::string message = hand_sealed(std::string(kPlain), "l=13; h=from;", {"from"},
                                          dkim::Canon::simple, dkim::Canon::simple, 13);
  EXPECT_EQ(check(message).status, Status::pass) << check(message).reason;
  EXPECT_EQ(check(message + "appended below the signed part\r\n").status, Status::pass);
  EXPECT_EQ(check(replace(message, "Hello  there", "Hullo  there")).reason,
            "ARC-Message-Signature i=1: the body hash does not match (bh=)");
  // A canonical body shorter than l= fails as such (RFC 6376 §3.5 l=).
  EXPECT_EQ(check(hand_sealed(std::string(kPlain), "l=9999; h=from;", {"from"}, dkim::Canon::simple,
                              dkim::Canon::simple))
                .reason,
            "ARC-Message-Signature i=1: l= is longer than the body");
  EXPECT_EQ(check(hand_sealed(std::string(kPlain), "l=ten; h=from;", {"from"}, dkim::Canon::simple,
                              dkim::Canon::simple))
                .reason,
            "ARC-Message-Signature i=1: l= is not a number");
}

TEST_F(ArcVerify, TheAmsMustSignFromAndNoArcField) {
  EXPECT_EQ(check(hand_sealed(std::string(kPlain), "h=subject;", {"subject"}, dkim::Canon::simple,
                              dkim::Canon::simple))
                .reason,
            "ARC-Message-Signature i=1: h= does not include From");
  EXPECT_EQ(check(hand_sealed(std::string(kPlain), "h=from:arc-seal;", {"from", "arc-seal"},
                              dkim::Canon::simple, dkim::Canon::simple))
                .reason,
            "ARC-Message-Signature i=1: h= names an ARC field");
  EXPECT_EQ(check(hand_sealed(std::string(kPlain), "h=from::to;", {"from"}, dkim::Canon::simple,
                              dkim::Canon::simple))
                .reason,
            "ARC-Message-Signature i=1: h= has an empty field name");
  // A name listed more often than present (oversigning) and one that is absent select
  // nothing more and still verify.
  const std::string over =
      hand_sealed(std::string(kPlain), "c=relaxed; h=from:from:x-absent;",
                  {"from", "from", "x-absent"}, dkim::Canon::relaxed, dkim::Canon::simple);
  EXPECT_EQ(check(over).status, Status::pass) << check(over).reason;
  // ... and a From added later breaks it.
  EXPECT_EQ(
      check(replace(over, "From: Alice", "From: Mallory <m@evil.example>\r\nFrom: Alice")).status,
      Status::fail);
}

TEST_F(ArcVerify, MoreSignedFieldsThanTheLimitFail) {
  // chain1's AMS lists 7 fields.
  Limits limits;
  limits.max_signed_fields = 7;
  EXPECT_EQ(check(load("chain1.eml"), limits).status, Status::pass);
  limits.max_signed_fields = 6;
  const Verdict v = check(load("chain1.eml"), limits);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason, "ARC-Message-Signature i=1: h= lists more than 6 fields");
}

TEST_F(ArcVerify, RsaSha1IsNotAccepted) {
  std::string message = load("chain3.eml");
  const std::string ams3 = field(message, "ARC-Message-Signature: i=3;");
  const Verdict v = check(replace(message, ams3, replace(ams3, "a=rsa-sha256", "a=rsa-sha1")));
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.reason, "ARC-Message-Signature i=3: a=rsa-sha1 is not accepted (RFC 8301 §3.1)");
}

}  // namespace
}  // namespace postamt::arc
