#include "mailauth/dkim/key_record.h"

#include <gtest/gtest.h>

namespace postamt::dkim {
namespace {

TEST(DkimKeyRecord, ParsesTags) {
  auto key =
      parse_key_record("v=DKIM1; h=sha1:SHA256; k=rsa; n=hi there; p=YWJj; s=email; t=y:s:z");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->key_type, KeyType::rsa);
  EXPECT_EQ(key->hash_algorithms, (std::vector<std::string>{"sha1", "sha256"}));
  EXPECT_EQ(key->public_key, "abc");
  EXPECT_EQ(key->service_types, (std::vector<std::string>{"email"}));
  EXPECT_TRUE(key->testing);
  EXPECT_TRUE(key->strict_identity);
  EXPECT_EQ(key->notes, "hi there");
  EXPECT_TRUE(key->fits(Algorithm::rsa_sha256));
  EXPECT_FALSE(key->fits(Algorithm::ed25519_sha256));
}

TEST(DkimKeyRecord, DefaultsAndRevocation) {
  auto key = parse_key_record("p=");
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->revoked());
  EXPECT_EQ(key->key_type, KeyType::rsa);
  EXPECT_EQ(key->service_types, (std::vector<std::string>{"*"}));
  EXPECT_FALSE(key->testing);
  auto ed = parse_key_record("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  ASSERT_TRUE(ed);
  EXPECT_EQ(ed->key_type, KeyType::ed25519);
  EXPECT_EQ(ed->public_key.size(), 32u);
  EXPECT_TRUE(ed->fits(Algorithm::ed25519_sha256));
  // h= without sha256 does not fit either algorithm (§6.1.2 step 6).
  EXPECT_FALSE(parse_key_record("h=sha1; p=YWJj")->fits(Algorithm::rsa_sha256));
}

std::string error_of(std::string_view text) {
  auto key = parse_key_record(text);
  return key ? std::string("(parsed)") : key.error().message;
}

TEST(DkimKeyRecord, Rejects) {
  EXPECT_EQ(error_of("v=DKIM2; p=YWJj"), "bad key version");
  EXPECT_EQ(error_of("p=YWJj; v=DKIM1"), "bad key version");  // §3.6.1: v= MUST be first
  EXPECT_EQ(error_of("v=DKIM1; k=rsa"), "missing p=");
  EXPECT_EQ(error_of("v=DKIM1; p=%%%"), "bad p= value");
  EXPECT_EQ(error_of("k=dsa; p=YWJj"), "unknown key type dsa");
  EXPECT_EQ(error_of("s=web; p=YWJj"), "key not for email");
  EXPECT_EQ(error_of("v=spf1 -all"), "bad key version");
  EXPECT_EQ(error_of("hello world"), "key syntax error: tag list: no '=' after tag hello");
  EXPECT_EQ(error_of("p=YWJj; p=YWJj"), "key syntax error: tag list: duplicate tag p");
}

TEST(DkimKeyRecord, RecordText) {
  EXPECT_EQ(key_record_text(Algorithm::rsa_sha256, "abc"), "v=DKIM1; k=rsa; p=YWJj");
  EXPECT_EQ(key_record_text(Algorithm::ed25519_sha256, "abc"), "v=DKIM1; k=ed25519; p=YWJj");
}

}  // namespace
}  // namespace postamt::dkim
