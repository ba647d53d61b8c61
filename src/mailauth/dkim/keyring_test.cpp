#include "mailauth/dkim/keyring.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "base/base64.h"
#include "dns/testing/fake_resolver.h"
#include "mailauth/dkim/key_record.h"
#include "mailauth/dkim/test_keys.h"
#include "mailauth/dkim/verify.h"
#include "support/files.h"

namespace postamt::dkim {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

const system_clock::time_point kNow{seconds(1796630400)};

void write_key(const std::filesystem::path& path, const std::string& pem, mode_t mode = 0600) {
  std::filesystem::create_directories(path.parent_path());
  postamt::testing::write_file(path, pem);
  ::chmod(path.c_str(), mode);
}

TEST(DkimKeyRing, FromDomains) {
  EXPECT_EQ(from_domains("From: A <a@Example.ORG>, b@example.org, c@other.example\r\n"
                         "To: x@y.example\r\n\r\n"),
            (std::vector<std::string>{"example.org", "other.example"}));
  EXPECT_TRUE(from_domains("To: x@y.example\r\n\r\n").empty());
  EXPECT_EQ(from_domains("From: =?utf-8?q?J=C3=B6rg?=\r\n <j@example.org>\r\n\r\n"),
            (std::vector<std::string>{"example.org"}));
}

TEST(DkimKeyRing, LoadsSignsAndVerifiesDual) {
  postamt::testing::TempDir dir;
  std::filesystem::path dkim = dir.root() / "dkim";
  auto ed = PrivateKey::from_ed25519_seed(*base64::decode(test_keys::kEd25519Seed));
  write_key(dkim / "example.org" / "ed.pem", ed->to_pem());
  write_key(dkim / "example.org" / "rsa.pem", std::string(test_keys::kRsaPem));
  write_key(dkim / "other.example" / "k1.pem", std::string(test_keys::kRsaPem));
  postamt::testing::write_file(dkim / "example.org" / "README", "not a key");
  auto ring = KeyRing::load(dkim);
  ASSERT_TRUE(ring) << ring.error().message;
  ASSERT_EQ(ring->keys().size(), 3u);
  EXPECT_EQ(ring->keys()[0].selector, "rsa");  // RSA before Ed25519 within a domain
  EXPECT_EQ(ring->keys()[1].selector, "ed");
  EXPECT_EQ(ring->keys()[2].domain, "other.example");
  EXPECT_EQ(ring->keys_for("EXAMPLE.org").size(), 2u);

  const std::string message =
      "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: hi\r\n\r\nbody\r\n";
  std::vector<std::string> signed_by;
  auto fields = ring->sign(message, kNow, &signed_by);
  ASSERT_TRUE(fields) << fields.error().message;
  EXPECT_EQ(signed_by, (std::vector<std::string>{"d=example.org s=rsa", "d=example.org s=ed"}));
  ASSERT_TRUE(fields->starts_with("DKIM-Signature: v=1; a=rsa-sha256;"));
  EXPECT_NE(fields->find("\r\nDKIM-Signature: v=1; a=ed25519-sha256;"), std::string::npos);

  dns::testing::FakeResolver dns;
  dns.add_txt("rsa._domainkey.example.org", std::string(test_keys::kRsaRecord));
  dns.add_txt("ed._domainkey.example.org", std::string(test_keys::kEd25519Record));
  auto results = verify_message(*fields + message, dns, VerifyLimits{}, kNow);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, Status::pass) << results[0].reason;
  EXPECT_EQ(results[0].algorithm, "rsa-sha256");
  EXPECT_EQ(results[1].status, Status::pass) << results[1].reason;
  EXPECT_EQ(results[1].algorithm, "ed25519-sha256");

  // No key for the From domain: nothing to add.
  signed_by.clear();
  EXPECT_EQ(*ring->sign("From: x@unknown.example\r\n\r\nhi\r\n", kNow, &signed_by), "");
  EXPECT_TRUE(signed_by.empty());
}

TEST(DkimKeyRing, MissingFolderIsEmpty) {
  postamt::testing::TempDir dir;
  auto ring = KeyRing::load(dir.root() / "dkim");
  ASSERT_TRUE(ring);
  EXPECT_TRUE(ring->empty());
}

TEST(DkimKeyRing, RefusesKeysOthersCanRead) {
  postamt::testing::TempDir dir;
  std::filesystem::path key = dir.root() / "dkim" / "example.org" / "s.pem";
  write_key(key, std::string(test_keys::kRsaPem), 0640);
  auto ring = KeyRing::load(dir.root() / "dkim");
  ASSERT_FALSE(ring);
  EXPECT_EQ(ring.error().kind, ErrorKind::permission);
  EXPECT_EQ(ring.error().message, key.string() + " can be read by others; chmod 600 it");
  write_key(key, "garbage");
  ASSERT_FALSE(KeyRing::load(dir.root() / "dkim"));
}

}  // namespace
}  // namespace postamt::dkim
