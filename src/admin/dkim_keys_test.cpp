#include "admin/dkim_keys.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "admin/dns_records.h"
#include "base/base64.h"
#include "mailauth/dkim/key_record.h"
#include "mailauth/dkim/keyring.h"
#include "store/memory/memory_store.h"
#include "support/files.h"

namespace postamt::admin {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

const system_clock::time_point kNow{seconds(1796630400)};  // 2026-12-07 UTC

class DkimKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    auto c = parse_config(
        "hostname = \"mail.example.org\"\ndata_dir = \"" + dir_.root().string() + "\"\n",
        dir_.root() / "postamt.toml");
    ASSERT_TRUE(c) << c.error().message;
    config_ = *c;
  }
  // The record data of a generated key's TXT line, the quoted strings joined.
  static std::string record_of(const std::string& out) {
    size_t txt = out.find(" IN TXT ");
    std::string data = out.substr(txt + 8);
    std::string joined;
    bool in = false;
    for (char c : data) {
      if (c == '"') {
        in = !in;
      } else if (in) {
        joined += c;
      }
    }
    return joined;
  }

  postamt::testing::TempDir dir_;
  store::MemoryStore store_;
  Config config_;
};

TEST_F(DkimKeysTest, DefaultSelectorIsAlgorithmAndDay) {
  EXPECT_EQ(default_dkim_selector("rsa", kNow), "rsa-20261207");
  EXPECT_EQ(default_dkim_selector("ed25519", kNow), "ed25519-20261207");
}

TEST_F(DkimKeysTest, GenerateEd25519WritesAPrivateKeyAndPrintsTheRecord) {
  auto out = dkim_generate(store_, config_, {"Example.ORG.", "", "ed25519", 2048}, kNow);
  ASSERT_TRUE(out) << out.error().message;
  std::filesystem::path file = dir_.root() / "dkim" / "example.org" / "ed25519-20261207.pem";
  EXPECT_TRUE(out->starts_with("; " + file.string() +
                               " (ed25519-sha256, 256 bits). Publish this record, then restart "
                               "postamt serve to sign with it:\n"
                               "ed25519-20261207._domainkey.example.org. 3600 IN TXT "
                               "\"v=DKIM1; k=ed25519; p="))
      << *out;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(file.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // The printed record is the key's.
  auto ring = dkim::KeyRing::load(dir_.root() / "dkim");
  ASSERT_TRUE(ring) << ring.error().message;
  ASSERT_EQ(ring->keys().size(), 1u);
  const dkim::SigningKey& k = ring->keys()[0];
  EXPECT_EQ(record_of(*out), dkim::key_record_text(k.algorithm, k.key.public_key_record_bytes()));

  auto again = dkim_generate(store_, config_, {"example.org", "", "ed25519", 2048}, kNow);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::exists);
  EXPECT_EQ(again.error().message, file.string() + " exists: choose another --selector");
}

TEST_F(DkimKeysTest, GenerateRsaListAndDnsRecords) {
  auto out = dkim_generate(store_, config_, {"example.org", "Mail2026", "rsa", 2048}, kNow);
  ASSERT_TRUE(out) << out.error().message;
  std::string record = record_of(*out);
  auto parsed = dkim::parse_key_record(record);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*dkim::public_key_bits(dkim::Algorithm::rsa_sha256, parsed->public_key), 2048u);
  // A 2048-bit key's record is longer than one TXT string (RFC 1035 §3.3): split at 255.
  size_t txt = out->find(" IN TXT ");
  EXPECT_EQ(out->substr(txt + 8, 257), "\"" + record.substr(0, 255) + "\"");
  EXPECT_EQ(out->substr(txt + 8 + 257, 2), " \"");

  ASSERT_TRUE(dkim_generate(store_, config_, {"example.org", "ed", "ed25519", 0}, kNow));
  std::string dir = (dir_.root() / "dkim" / "example.org").string();
  EXPECT_EQ(*dkim_list(config_, Format::text), "example.org mail2026 rsa-sha256 2048 " + dir +
                                                   "/mail2026.pem\n"
                                                   "example.org ed ed25519-sha256 256 " +
                                                   dir + "/ed.pem\n");
  std::string json = *dkim_list(config_, Format::json);
  EXPECT_TRUE(
      json.starts_with("[{\"domain\":\"example.org\",\"selector\":\"mail2026\","
                       "\"algorithm\":\"rsa-sha256\",\"bits\":2048,"))
      << json;

  auto zone = render_dns_records(config_, {"example.org", "", ""});
  ASSERT_TRUE(zone) << zone.error().message;
  EXPECT_NE(
      zone->find("; DKIM (RFC 6376, RFC 8463): Postamt signs mail from example.org with every "
                 "key\n; below (data_dir/dkim); a receiver finds each under "
                 "<selector>._domainkey.\n"),
      std::string::npos)
      << *zone;
  EXPECT_NE(zone->find("mail2026._domainkey.example.org. 3600 IN TXT   " +
                       zone_txt_strings(record) + "\n"),
            std::string::npos)
      << *zone;
  EXPECT_NE(zone->find("ed._domainkey.example.org.       3600 IN TXT   \"v=DKIM1; k=ed25519; p="),
            std::string::npos)
      << *zone;
}

TEST_F(DkimKeysTest, Refusals) {
  auto error_of = [&](DkimGenerateRequest r) {
    auto out = dkim_generate(store_, config_, r, kNow);
    return out ? std::string("(created)") : out.error().message;
  };
  EXPECT_EQ(error_of({"example.net", "", "rsa", 2048}),
            "example.net is not a local domain (postamt domain add example.net)");
  EXPECT_EQ(error_of({"example.org", "", "dsa", 2048}),
            "--algorithm \"dsa\" is not rsa or ed25519");
  EXPECT_EQ(error_of({"example.org", "", "rsa", 512}), "--bits 512 is out of range 1024-4096");
  EXPECT_EQ(error_of({"example.org", "", "rsa", 8192}), "--bits 8192 is out of range 1024-4096");
  EXPECT_EQ(error_of({"example.org", "a_b", "rsa", 2048}),
            "selector \"a_b\" is not DNS labels of letters, digits and hyphens");
  EXPECT_EQ(error_of({"example.org", "../x", "rsa", 2048}),
            "selector \"../x\" is not DNS labels of letters, digits and hyphens");
  EXPECT_FALSE(std::filesystem::exists(dir_.root() / "dkim"));
}

TEST_F(DkimKeysTest, ZoneStrings) {
  EXPECT_EQ(zone_txt_strings("abc"), "\"abc\"");
  EXPECT_EQ(zone_txt_strings(std::string(256, 'x')), "\"" + std::string(255, 'x') + "\" \"x\"");
}

}  // namespace
}  // namespace postamt::admin
