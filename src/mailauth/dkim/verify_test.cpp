#include "mailauth/dkim/verify.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "dns/testing/fake_resolver.h"
#include "mailauth/dkim/key_record.h"
#include "mailauth/dkim/sign.h"
#include "mailauth/dkim/test_keys.h"
#include "support/files.h"

namespace postamt::dkim {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

const system_clock::time_point kSigned{seconds(1528637909)};  // RFC 8463 example t=

std::string rfc8463_message() {
  return postamt::testing::read_file(std::string(DKIM_TESTDATA) + "/rfc8463.eml");
}

SigningKey rsa_key() {
  return SigningKey{"example.org", "rsa1", Algorithm::rsa_sha256,
                    *PrivateKey::from_pem(test_keys::kRsaPem)};
}
SigningKey ed_key() {
  return SigningKey{"example.org", "ed1", Algorithm::ed25519_sha256,
                    *PrivateKey::from_ed25519_seed(*base64::decode(test_keys::kEd25519Seed))};
}

constexpr std::string_view kMessage =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.net\r\n"
    "Subject: Lunch?\r\n"
    "Date: Mon, 07 Dec 2026 08:00:00 +0000\r\n"
    "Message-ID: <1@example.org>\r\n"
    "\r\n"
    "At noon?\r\n";

class DkimVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    dns.add_txt("rsa1._domainkey.example.org", std::string(test_keys::kRsaRecord));
    dns.add_txt("ed1._domainkey.example.org", std::string(test_keys::kEd25519Record));
  }
  std::string signed_with(const SigningKey& key, std::string_view message = kMessage) {
    auto field = sign_message(message, key, kSigned);
    EXPECT_TRUE(field) << field.error().message;
    return *field + std::string(message);
  }
  std::vector<Verification> verify(std::string_view message) {
    return verify_message(message, dns, limits, kSigned + seconds(60));
  }
  // The one result for a message with one signature: "status reason".
  std::string one(std::string_view message) {
    auto results = verify(message);
    if (results.size() != 1) return "results: " + std::to_string(results.size());
    return std::string(to_string(results[0].status)) + " " + results[0].reason;
  }

  dns::testing::FakeResolver dns;
  VerifyLimits limits;
};

TEST_F(DkimVerify, Rfc8463ExampleBothSignaturesPass) {
  dns.add_txt("brisbane._domainkey.football.example.com", std::string(test_keys::kEd25519Record));
  dns.add_txt("test._domainkey.football.example.com", std::string(test_keys::kRsaRecord));
  auto results = verify_message(rfc8463_message(), dns, limits, kSigned);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, Status::pass) << results[0].reason;
  EXPECT_EQ(results[0].domain, "football.example.com");
  EXPECT_EQ(results[0].selector, "brisbane");
  EXPECT_EQ(results[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(results[0].identity, "@football.example.com");
  EXPECT_EQ(results[0].header_b, "/gCrinpc");
  EXPECT_EQ(results[0].reason, "");
  EXPECT_EQ(results[1].status, Status::pass) << results[1].reason;
  EXPECT_EQ(results[1].algorithm, "rsa-sha256");
  EXPECT_EQ(results[1].header_b, "F45dVWDf");
}

TEST_F(DkimVerify, NoSignatureNoResult) {
  EXPECT_TRUE(verify(kMessage).empty());
}

TEST_F(DkimVerify, OwnSignaturesPass) {
  EXPECT_EQ(one(signed_with(rsa_key())), "pass ");
  EXPECT_EQ(one(signed_with(ed_key())), "pass ");
}

TEST_F(DkimVerify, TamperedHeaderFails) {
  std::string m = signed_with(rsa_key());
  m.replace(m.find("Lunch?"), 6, "Lunch!");
  EXPECT_EQ(one(m), "fail signature did not verify");
  std::string e = signed_with(ed_key());
  e.replace(e.find("Lunch?"), 6, "Lunch!");
  EXPECT_EQ(one(e), "fail signature did not verify");
}

TEST_F(DkimVerify, RelaxedCanonicalizationToleratesWhitespaceChanges) {
  std::string m = signed_with(rsa_key());
  m.replace(m.find("Subject: Lunch?"), 15, "SUBJECT:   Lunch? \t");
  m.replace(m.find("At noon?\r\n"), 10, "At  noon? \r\n\r\n\r\n");
  EXPECT_EQ(one(m), "pass ");
}

TEST_F(DkimVerify, TamperedBodyFails) {
  std::string m = signed_with(ed_key());
  m.replace(m.find("noon"), 4, "dawn");
  EXPECT_EQ(one(m), "fail body hash did not verify");
}

TEST_F(DkimVerify, AddedFromBreaksTheOversignedSignature) {
  std::string m = signed_with(rsa_key());
  // A second From below the first: h= lists "from" twice, so it is now covered.
  m.insert(m.find("To: "), "From: mallory@example.org\r\n");
  EXPECT_EQ(one(m), "fail signature did not verify");
}

TEST_F(DkimVerify, AddedUnsignedFieldDoesNotMatter) {
  std::string m = signed_with(rsa_key());
  m.insert(m.find("To: "), "X-Spam: no\r\nReceived: by mx\r\n");
  EXPECT_EQ(one(m), "pass ");
}

TEST_F(DkimVerify, WrongKeyFails) {
  dns::testing::FakeResolver other;
  other.add_txt("rsa1._domainkey.example.org",
                key_record_text(Algorithm::rsa_sha256,
                                PrivateKey::generate_rsa(1024)->public_key_record_bytes()));
  auto r = verify_message(signed_with(rsa_key()), other, limits, kSigned);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, Status::fail);
  EXPECT_EQ(r[0].reason, "signature did not verify");
}

TEST_F(DkimVerify, KeyProblems) {
  std::string m = signed_with(rsa_key());
  dns::testing::FakeResolver empty;
  EXPECT_EQ(verify_message(m, empty, limits, kSigned)[0].reason, "no key for signature");
  EXPECT_EQ(verify_message(m, empty, limits, kSigned)[0].status, Status::permerror);

  dns::testing::FakeResolver broken;
  broken.fail("rsa1._domainkey.example.org", ErrorKind::temporary, "SERVFAIL");
  auto t = verify_message(m, broken, limits, kSigned);
  EXPECT_EQ(t[0].status, Status::temperror);
  EXPECT_EQ(t[0].reason, "key unavailable: SERVFAIL");

  struct Case {
    std::string record;
    std::string expected;
  };
  const std::string p =
      std::string(test_keys::kRsaRecord).substr(std::string_view("v=DKIM1; k=rsa; ").size());
  for (const Case& c : std::vector<Case>{
           {"v=DKIM1; p=", "permerror key revoked"},
           {"v=DKIM1; k=ed25519; " + p, "permerror inappropriate key algorithm"},
           {"v=DKIM1; h=sha1; " + p, "permerror inappropriate key algorithm"},
           {"v=DKIM1; s=web; " + p, "permerror key not for email"},
           {"v=DKIM1; p=AAAA", "permerror unusable key: unreadable public key"},
           {"v=spf1 -all", "permerror bad key version"},
           {"v=DKIM1; t=y; " + p, "pass key in testing mode (t=y)"},
           {"v=DKIM1; h=sha256; " + p, "pass "},
       }) {
    dns::testing::FakeResolver one_key;
    one_key.add_txt("rsa1._domainkey.example.org", c.record);
    auto r = verify_message(m, one_key, limits, kSigned);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(std::string(to_string(r[0].status)) + " " + r[0].reason, c.expected) << c.record;
  }
  dns::testing::FakeResolver nodata;
  nodata.add_a("rsa1._domainkey.example.org", "192.0.2.1");
  EXPECT_EQ(verify_message(m, nodata, limits, kSigned)[0].reason, "no key for signature");
}

// A signature field built by hand (with the RFC 8463 RSA key), for tags our signer
// does not write.
std::string hand_signed(std::string_view tags, std::string_view message = kMessage,
                        std::vector<std::string> h = {"from", "to", "subject"},
                        Canon canon = Canon::relaxed) {
  std::string field = "DKIM-Signature: " + std::string(tags) + "; b=";
  auto key = PrivateKey::from_pem(test_keys::kRsaPem);
  auto sig = compute_signature(message, *key, h, canon, field);
  return field + base64::encode(*sig) + "\r\n" + std::string(message);
}

std::string bh_of(std::string_view body, Canon canon, std::optional<uint64_t> l = std::nullopt) {
  std::string c = canonicalize_body(body, canon);
  if (l) c.resize(*l);
  return base64::encode(sha256(c));
}

TEST_F(DkimVerify, BodyLength) {
  std::string body = "At noon?\r\n";
  std::string tags =
      "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=rsa1; h=from:to:subject; l=5; bh=" +
      bh_of(body, Canon::relaxed, 5);
  std::string m = hand_signed(tags);
  limits.unsigned_body = UnsignedBody::accept;
  EXPECT_EQ(one(m), "pass l= leaves 5 body bytes unsigned");
  // Appended text is not covered by l=...
  std::string appended = m + "Buy now!\r\n";
  EXPECT_EQ(one(appended), "pass l= leaves 15 body bytes unsigned");
  limits.unsigned_body = UnsignedBody::policy;
  EXPECT_EQ(one(appended), "policy l= leaves 15 body bytes unsigned");
  // ...but l= longer than the canonical body fails (§3.5 l=).
  std::string longer =
      "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=rsa1; h=from:to:subject; l=11; bh=" +
      bh_of(body, Canon::relaxed);
  EXPECT_EQ(one(hand_signed(longer)), "fail l= is longer than the body");
  std::string exact =
      "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=rsa1; h=from:to:subject; l=10; bh=" +
      bh_of(body, Canon::relaxed);
  EXPECT_EQ(one(hand_signed(exact)), "pass ");
}

TEST_F(DkimVerify, SimpleCanonicalization) {
  std::string tags = "v=1; a=rsa-sha256; d=example.org; s=rsa1; h=from:to:subject; bh=" +
                     bh_of("At noon?\r\n", Canon::simple);
  std::string m = hand_signed(tags, kMessage, {"from", "to", "subject"}, Canon::simple);
  EXPECT_EQ(one(m), "pass ");
  std::string spaced = m;
  spaced.replace(spaced.find("Subject: Lunch?"), 15, "Subject:  Lunch?");
  EXPECT_EQ(one(spaced), "fail signature did not verify");
  std::string trailing = m + "\r\n\r\n";  // trailing empty lines are ignored (§3.4.3)
  EXPECT_EQ(one(trailing), "pass ");
}

TEST_F(DkimVerify, ListedFieldThatIsAbsentSignsNothing) {
  // §5.4.2: a name in h= with no field contributes nothing; adding the field later breaks
  // the signature.
  std::string tags =
      "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=rsa1; h=from:reply-to; bh=" +
      bh_of("At noon?\r\n", Canon::relaxed);
  std::string m = hand_signed(tags, kMessage, {"from", "reply-to"});
  EXPECT_EQ(one(m), "pass ");
  std::string added = m;
  added.insert(added.find("To: "), "Reply-To: mallory@example.net\r\n");
  EXPECT_EQ(one(added), "fail signature did not verify");
}

TEST_F(DkimVerify, ExpiryAndIdentity) {
  std::string bh = bh_of("At noon?\r\n", Canon::relaxed);
  std::string base =
      "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=rsa1; h=from:to:subject; bh=" + bh;
  const int64_t t = 1528637909;
  std::string valid =
      hand_signed(base + "; t=" + std::to_string(t) + "; x=" + std::to_string(t + 61));
  EXPECT_EQ(one(valid), "pass ");  // checked 60 s after signing
  std::string expired =
      hand_signed(base + "; t=" + std::to_string(t) + "; x=" + std::to_string(t + 59));
  EXPECT_EQ(one(expired), "permerror signature expired");
  std::string sub = hand_signed(base + "; i=joe@mail.example.org");
  auto r = verify(sub);
  EXPECT_EQ(r[0].identity, "joe@mail.example.org");
  EXPECT_EQ(r[0].status, Status::pass);
  // t=s in the key: the i= domain must be d= itself.
  dns::testing::FakeResolver strict;
  strict.add_txt(
      "rsa1._domainkey.example.org",
      "v=DKIM1; t=s; " +
          std::string(test_keys::kRsaRecord).substr(std::string_view("v=DKIM1; ").size()));
  auto s = verify_message(sub, strict, limits, kSigned);
  EXPECT_EQ(s[0].status, Status::permerror);
  EXPECT_EQ(s[0].reason, "i= is a subdomain, key has t=s");
  EXPECT_EQ(
      verify_message(hand_signed(base + "; i=joe@example.org"), strict, limits, kSigned)[0].status,
      Status::pass);
}

TEST_F(DkimVerify, Rsa1024UnderARaisedMinimumIsPolicy) {
  limits.min_rsa_bits = 2048;
  EXPECT_EQ(one(signed_with(rsa_key())), "policy key has 1024 bits, fewer than 2048");
  EXPECT_EQ(one(signed_with(ed_key())), "pass ");
}

TEST_F(DkimVerify, RsaSha1AndSyntaxErrors) {
  std::string sha1 =
      "DKIM-Signature: v=1; a=rsa-sha1; d=example.org; s=rsa1; h=from; bh=YWJj; b=ZGVm\r\n" +
      std::string(kMessage);
  auto r = verify(sha1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, Status::permerror);
  EXPECT_EQ(r[0].reason, "rsa-sha1 is not accepted (RFC 8301)");
  EXPECT_EQ(r[0].algorithm, "rsa-sha1");
  EXPECT_EQ(r[0].domain, "example.org");
  EXPECT_EQ(r[0].header_b, "ZGVm");
  EXPECT_EQ(dns.lookups(), 0);  // no key lookup for a signature that cannot verify
  EXPECT_EQ(one("DKIM-Signature: v=1; a=rsa-sha256; d=example.org\r\n" + std::string(kMessage)),
            "neutral missing required tag b=");
  EXPECT_EQ(one("DKIM-Signature: v=1; v=1\r\n" + std::string(kMessage)),
            "neutral signature syntax error: tag list: duplicate tag v");
  EXPECT_EQ(
      one("DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=rsa1; h=to; bh=YWJj; b=ZGVm\r\n" +
          std::string(kMessage)),
      "permerror From field not signed");
}

TEST_F(DkimVerify, MaxSignaturesAndFields) {
  std::string m = std::string(kMessage);
  for (int i = 0; i < 7; ++i) m = *sign_message(m, rsa_key(), kSigned) + m;
  limits.max_signatures = 5;
  auto r = verify(m);
  ASSERT_EQ(r.size(), 5u);
  // Each signature covers the ones below it only through fields it does not list: all
  // pass.
  for (const auto& v : r) EXPECT_EQ(v.status, Status::pass) << v.reason;
  EXPECT_EQ(dns.lookups(), 5);
  limits.max_signed_fields = 3;
  EXPECT_EQ(one(signed_with(rsa_key())), "permerror more than 3 h= entries");
}

TEST(DkimVerifyLimits, FromConfiguration) {
  Config::Dkim config;
  VerifyLimits defaults = verify_limits(config);
  EXPECT_EQ(defaults.max_signatures, 5u);
  EXPECT_EQ(defaults.max_signed_fields, 64u);
  EXPECT_EQ(defaults.min_rsa_bits, 1024u);
  EXPECT_EQ(defaults.unsigned_body, UnsignedBody::policy);
  config.max_signatures = 2;
  config.max_signed_fields = 9;
  config.min_rsa_bits = 2048;
  config.unsigned_body = DkimUnsignedBody::accept;
  VerifyLimits set = verify_limits(config);
  EXPECT_EQ(set.max_signatures, 2u);
  EXPECT_EQ(set.max_signed_fields, 9u);
  EXPECT_EQ(set.min_rsa_bits, 2048u);
  EXPECT_EQ(set.unsigned_body, UnsignedBody::accept);
}

TEST(DkimStatus, Names) {
  EXPECT_EQ(to_string(Status::none), "none");
  EXPECT_EQ(to_string(Status::pass), "pass");
  EXPECT_EQ(to_string(Status::fail), "fail");
  EXPECT_EQ(to_string(Status::neutral), "neutral");
  EXPECT_EQ(to_string(Status::policy), "policy");
  EXPECT_EQ(to_string(Status::temperror), "temperror");
  EXPECT_EQ(to_string(Status::permerror), "permerror");
}

}  // namespace
}  // namespace postamt::dkim
