// ARC sealing: our sets verify with our validator (and, in tests/integration/test_arc.py,
// with dkimpy: the sealed_*.eml files in testdata are what seal() gives for fixed keys and
// times, compared byte for byte here).
#include "mailauth/arc/seal.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "base/base64.h"
#include "dns/testing/fake_resolver.h"
#include "mailauth/arc/header_set.h"
#include "mailauth/dkim/crypto.h"
#include "mailauth/dkim/hash.h"
#include "mailauth/dkim/key_record.h"
#include "support/files.h"

namespace postamt::arc {
namespace {

using dns::testing::FakeResolver;
using std::chrono::seconds;
using std::chrono::system_clock;

std::filesystem::path testdata() {
  const char* src = std::getenv("POSTAMT_SOURCE_DIR");
  return std::filesystem::path(src ? src : ".") / "src/mailauth/arc/testdata";
}
std::string load(const std::string& name) {
  std::string text = postamt::testing::read_file(testdata() / name);
  EXPECT_FALSE(text.empty()) << "missing test data " << name;
  return text;
}

constexpr int64_t kT0 = 1796000000;  // testdata/make_chains.py
const auto kNow = system_clock::time_point(seconds(kT0 + 86400));

dkim::SigningKey key(const std::string& file, const std::string& domain,
                     const std::string& selector) {
  auto k = dkim::SigningKey::load(testdata() / file, domain, selector);
  EXPECT_TRUE(k) << k.error().message;
  return std::move(*k);
}

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

// The message of testdata/make_chains.py before any hop.
std::string original() {
  const std::string chain1 = load("chain1.eml");
  return chain1.substr(chain1.find("From: Alice"));
}

// The expected output, or (with POSTAMT_REGENERATE=1) the file written anew.
void expect_file(const std::string& name, const std::string& actual) {
  if (std::getenv("POSTAMT_REGENERATE")) postamt::testing::write_file(testdata() / name, actual);
  EXPECT_EQ(actual, load(name)) << name;
}

void expect_short_lines(const std::string& fields) {
  size_t start = 0;
  while (start < fields.size()) {
    const size_t end = fields.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << fields.substr(start, end - start);
    start = end + 2;
  }
}

struct ArcSeal : ::testing::Test {
  ArcSeal() { add_keys(dns); }
  FakeResolver dns;
};

TEST_F(ArcSeal, AFirstSetPassesOurValidator) {
  const std::string message = original();
  const Verdict before = verify(message, dns, Limits{}, kNow);
  ASSERT_EQ(before.status, Status::none);
  auto fields = seal(
      message, before, {"relay.example", {"spf=pass smtp.mailfrom=origin.example", "dkim=none"}},
      key("relay.key", "relay.example", "arc1"), system_clock::time_point(seconds(kT0)));
  ASSERT_TRUE(fields) << fields.error().message;
  expect_short_lines(*fields);
  EXPECT_TRUE(
      fields->starts_with("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=relay.example; s=arc1;"
                          " t=1796000000;\r\n b="))
      << *fields;
  EXPECT_NE(fields->find("\r\nARC-Authentication-Results: i=1; relay.example;\r\n  arc=none;\r\n"
                         "  spf=pass smtp.mailfrom=origin.example;\r\n  dkim=none\r\n"),
            std::string::npos);
  const std::string sealed = *fields + message;
  expect_file("sealed1.eml", sealed);
  const Verdict after = verify(sealed, dns, Limits{}, kNow);
  EXPECT_EQ(after.status, Status::pass) << after.reason;
  EXPECT_EQ(after.instance, 1);
  EXPECT_EQ(after.sealer, "relay.example");
}

TEST_F(ArcSeal, ContinuingTheDkimpyChainPasses) {
  // Our set on top of dkimpy's two (the second changed the message).
  const std::string message = load("chain2.eml");
  const Verdict before = verify(message, dns, Limits{}, kNow);
  ASSERT_EQ(before.status, Status::pass);
  auto fields =
      seal(message, before, {"fwd.example", {"spf=pass smtp.mailfrom=lists.example"}},
           key("fwd.key", "fwd.example", "s3"), system_clock::time_point(seconds(kT0 + 120)));
  ASSERT_TRUE(fields) << fields.error().message;
  expect_short_lines(*fields);
  EXPECT_TRUE(fields->starts_with("ARC-Seal: i=3; a=rsa-sha256; cv=pass; d=fwd.example; s=s3;"));
  const std::string sealed = *fields + message;
  expect_file("sealed3.eml", sealed);
  const Verdict after = verify(sealed, dns, Limits{}, kNow);
  EXPECT_EQ(after.status, Status::pass) << after.reason;
  EXPECT_EQ(after.instance, 3);
  EXPECT_EQ(after.oldest_pass, 2);
  // And a change after our seal breaks our AMS.
  const Verdict changed = verify(sealed + "PS\r\n", dns, Limits{}, kNow);
  EXPECT_EQ(changed.reason, "ARC-Message-Signature i=3: the body hash does not match (bh=)");
}

TEST_F(ArcSeal, Ed25519SetsPass) {
  auto private_key = dkim::PrivateKey::generate_ed25519();
  ASSERT_TRUE(private_key);
  dkim::SigningKey ed{"ed.example", "e1", dkim::Algorithm::ed25519_sha256, *private_key, {}};
  dns.add_txt("e1._domainkey.ed.example",
              dkim::key_record_text(dkim::Algorithm::ed25519_sha256,
                                    private_key->public_key_record_bytes()));
  const std::string message = load("chain1.eml");
  auto fields = seal(message, verify(message, dns, Limits{}, kNow), {"ed.example", {}}, ed, kNow);
  ASSERT_TRUE(fields) << fields.error().message;
  EXPECT_TRUE(fields->starts_with("ARC-Seal: i=2; a=ed25519-sha256; cv=pass; d=ed.example;"));
  const Verdict after = verify(*fields + message, dns, Limits{}, kNow);
  EXPECT_EQ(after.status, Status::pass) << after.reason;
  EXPECT_EQ(after.instance, 2);
  EXPECT_EQ(after.sealer, "ed.example");
  EXPECT_EQ(dns.lookups("e1._domainkey.ed.example"), 1);
}

TEST_F(ArcSeal, AFailedChainGetsCvFailAndASealOverItsOwnSetOnly) {
  // RFC 8617 §5.1.2.
  const std::string message = load("chain2.eml") + "changed after the seal\r\n";
  const Verdict before = verify(message, dns, Limits{}, kNow);
  ASSERT_EQ(before.status, Status::fail);
  const dkim::SigningKey k = key("fwd.key", "fwd.example", "s3");
  auto fields = seal(message, before, {"fwd.example", {}}, k, kNow);
  ASSERT_TRUE(fields) << fields.error().message;
  EXPECT_TRUE(fields->starts_with("ARC-Seal: i=3; a=rsa-sha256; cv=fail; d=fwd.example;"));
  const std::string sealed = *fields + message;
  EXPECT_EQ(verify(sealed, dns, Limits{}, kNow).reason, "ARC-Seal i=3 says cv=fail");
  // The seal's signature covers the new AAR, the new AMS and itself, nothing older.
  const auto own = dkim::split_header(*fields);
  ASSERT_EQ(own.size(), 3u);
  auto blanked = dkim::without_b_value(own[0].raw);
  ASSERT_TRUE(blanked);
  std::string data = dkim::canonicalize_header(own[2].raw, dkim::Canon::relaxed) +
                     dkim::canonicalize_header(own[1].raw, dkim::Canon::relaxed) +
                     dkim::canonicalize_header(*blanked, dkim::Canon::relaxed);
  data.resize(data.size() - 2);
  auto tags = dkim::TagList::parse(field_value(own[0].raw));
  ASSERT_TRUE(tags);
  auto signature = base64::decode(dkim::strip_whitespace(*tags->get("b")));
  ASSERT_TRUE(signature);
  auto good = dkim::verify_signature(dkim::Algorithm::rsa_sha256, k.key.public_key_record_bytes(),
                                     data, *signature);
  ASSERT_TRUE(good);
  EXPECT_TRUE(*good);
  // Sealing a chain whose newest seal says cv=fail is refused (§5.1 step 2).
  auto again = seal(sealed, verify(sealed, dns, Limits{}, kNow), {"x.example", {}}, k, kNow);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, "the newest ARC-Seal says cv=fail: the chain is not continued");
}

TEST_F(ArcSeal, BadRequestsAreRefused) {
  const dkim::SigningKey k = key("relay.key", "relay.example", "arc1");
  const std::string plain = original();
  Verdict pass;
  pass.status = Status::pass;
  EXPECT_EQ(seal(plain, pass, {"a.example", {}}, k, kNow).error().message,
            "the verdict is for a chain the message does not have");
  EXPECT_EQ(seal(load("chain1.eml"), Verdict{}, {"a.example", {}}, k, kNow).error().message,
            "the verdict says none but the message has ARC fields");
  EXPECT_EQ(seal(plain, Verdict{}, {"a.example", {"arc=pass"}}, k, kNow).error().message,
            "the arc result is the verdict's");
  EXPECT_EQ(
      seal(plain, Verdict{}, {"a.example", {"spf=pass\r\nX-Evil: 1"}}, k, kNow).error().message,
      "a result contains a line break");
  EXPECT_EQ(seal(plain, Verdict{}, {"a.example\r\nX: y", {}}, k, kNow).error().message,
            "the authserv-id contains whitespace or ';'");
  EXPECT_EQ(seal(plain, Verdict{}, {"", {}}, k, kNow).error().message, "the authserv-id is empty");
  EXPECT_EQ(seal("To: b@x.example\r\n\r\nbody\r\n", Verdict{}, {"a.example", {}}, k, kNow)
                .error()
                .message,
            "the message has no From field to sign");
  EXPECT_EQ(seal("ARC-Seal: i=50; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AA\r\n" + plain, pass,
                 {"a.example", {}}, k, kNow)
                .error()
                .message,
            "the message has 50 ARC sets already");
}

}  // namespace
}  // namespace postamt::arc
