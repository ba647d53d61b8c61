#include "mailauth/dkim/sign.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "mailauth/dkim/hash.h"
#include "mailauth/dkim/signature.h"
#include "mailauth/dkim/test_keys.h"
#include "support/files.h"

namespace postamt::dkim {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

// RFC 8463 Appendix A.3: the Ed25519 signature, reproduced byte for byte with the same
// tags (Ed25519 is deterministic).
TEST(DkimSign, ReproducesTheRfc8463Ed25519Signature) {
  std::string signed_message =
      postamt::testing::read_file(std::string(DKIM_TESTDATA) + "/rfc8463.eml");
  auto fields = split_header(signed_message);
  ASSERT_GE(fields.size(), 2u);
  std::string_view expected_field = fields[0].raw;
  std::string_view message =
      std::string_view(signed_message).substr(fields[0].raw.size() + fields[1].raw.size());
  ASSERT_TRUE(message.starts_with("From: Joe SixPack"));

  EXPECT_EQ(
      base64::encode(*body_hash(canonicalize_body(body_of(message), Canon::relaxed), std::nullopt)),
      "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
  const std::string unsigned_field =
      "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
      " d=football.example.com; i=@football.example.com;\r\n"
      " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
      " subject : date : message-id : from : subject : date;\r\n"
      " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
      " b=";
  auto key = PrivateKey::from_ed25519_seed(*base64::decode(test_keys::kEd25519Seed));
  ASSERT_TRUE(key);
  auto sig = compute_signature(
      message, *key, {"from", "to", "subject", "date", "message-id", "from", "subject", "date"},
      Canon::relaxed, unsigned_field);
  ASSERT_TRUE(sig) << sig.error().message;
  std::string b = base64::encode(*sig);
  EXPECT_EQ(
      b,
      "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==");
  EXPECT_EQ(unsigned_field + b.substr(0, 56) + "\r\n " + b.substr(56) + "\r\n", expected_field);
}

const system_clock::time_point kNow{seconds(1796630400)};

constexpr std::string_view kMessage =
    "Received: by relay\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.net,\r\n carol@example.net\r\n"
    "Cc: dave@example.net\r\n"
    "Subject: Lunch?\r\n"
    "Date: Mon, 07 Dec 2026 08:00:00 +0000\r\n"
    "Message-ID: <1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "X-Mailer: test\r\n"
    "\r\n"
    "At noon?\r\n";

TEST(DkimSign, FieldShape) {
  SigningKey key{"example.org", "s2026", Algorithm::rsa_sha256,
                 *PrivateKey::from_pem(test_keys::kRsaPem)};
  auto field = sign_message(kMessage, key, kNow);
  ASSERT_TRUE(field) << field.error().message;
  EXPECT_TRUE(field->starts_with(
      "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s2026;\r\n"
      " t=1796630400; h=from:subject:date:message-id:to:cc:mime-version:content-type:\r\n"
      " from; bh=4daN71HNdn/d5SSJNrmA4GnDoSU3uSw9/N1YsKJOhFc=; b="))
      << *field;
  EXPECT_TRUE(field->ends_with("\r\n"));
  // RFC 5322 §2.1.1: lines of at most 78 characters.
  size_t start = 0;
  while (start < field->size()) {
    size_t end = field->find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << field->substr(start, end - start);
    start = end + 2;
  }
  auto parsed = parse_signature(field->substr(field->find(':') + 1));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->signature.size(), 128u);  // 1024-bit RSA
  EXPECT_EQ(base64::encode(parsed->body_hash), base64::encode(sha256("At noon?\r\n")));
}

TEST(DkimSign, NeedsAFrom) {
  SigningKey key{"example.org", "s", Algorithm::rsa_sha256,
                 *PrivateKey::from_pem(test_keys::kRsaPem)};
  auto field = sign_message("To: bob@example.net\r\n\r\nhi\r\n", key, kNow);
  ASSERT_FALSE(field);
  EXPECT_EQ(field.error().message, "the message has no From field to sign");
}

TEST(DkimSign, LoadChecksTheKeyFile) {
  postamt::testing::TempDir dir;
  postamt::testing::write_file(dir.path("k.pem"), std::string(test_keys::kRsaPem));
  auto key = SigningKey::load(dir.path("k.pem"), "Example.ORG", "Sel");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->domain, "example.org");
  EXPECT_EQ(key->selector, "sel");
  EXPECT_EQ(key->algorithm, Algorithm::rsa_sha256);
  EXPECT_EQ(SigningKey::load(dir.path("missing.pem"), "example.org", "s").error().kind,
            ErrorKind::io);
  postamt::testing::write_file(dir.path("bad.pem"), "not a key");
  EXPECT_EQ(SigningKey::load(dir.path("bad.pem"), "example.org", "s").error().kind,
            ErrorKind::invalid);
  EXPECT_EQ(SigningKey::load(dir.path("k.pem"), "exa mple.org", "s").error().message,
            "bad DKIM domain: exa mple.org");
}

}  // namespace
}  // namespace postamt::dkim
