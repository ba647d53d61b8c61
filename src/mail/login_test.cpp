#include "mail/login.h"

#include <gtest/gtest.h>

#include "auth/password.h"
#include "store/memory/memory_store.h"

namespace postamt::mail {

TEST(VerifyLogin, OutcomesUseOneVocabulary) {
  store::MemoryStore store;
  ASSERT_TRUE(store.add_domain("example.org"));
  ASSERT_TRUE(
      store.create_account("alice@example.org", *auth::hash_password("pw", auth::kArgon2Minimum)));
  ASSERT_TRUE(store.create_account("broken@example.org", "{NOPE}x"));

  auto ok = verify_login(store, "ALICE@example.org", "pw");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->address, "alice@example.org");

  auto wrong = verify_login(store, "alice@example.org", "PW");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, ErrorKind::auth_failed);
  EXPECT_EQ(wrong.error().message, "wrong password");

  auto unknown = verify_login(store, "nobody@example.org", "pw");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::auth_failed);
  EXPECT_EQ(unknown.error().message, "no such account");

  auto broken = verify_login(store, "broken@example.org", "pw");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().kind, ErrorKind::auth_failed);
  EXPECT_EQ(broken.error().message.rfind("unusable password hash: ", 0), 0u);
}

// A name that cannot be an address fails like a wrong password (the hardening issue,
// item 12): never the store's "invalid", which engines answer differently.
TEST(VerifyLogin, MalformedNamesAreFailedLogins) {
  store::MemoryStore store;
  ASSERT_TRUE(store.add_domain("example.org"));
  ASSERT_TRUE(
      store.create_account("alice@example.org", *auth::hash_password("pw", auth::kArgon2Minimum)));
  using namespace std::string_literals;
  for (const std::string& name : {
           "*"s,
           ""s,
           "alice"s,
           "alice@example.org\x1B[2J"s,
           "\x1B]0;x\x07"
           "alice@example.org"s,
           "alice\x7F@example.org"s,
           "alice\xC2\x85@example.org"s,  // NEL, a C1 control
           "al\xFFice@example.org"s,      // not UTF-8
           "alice@example.org\0"s,
           std::string(7000, 'a') + "@example.org",
       }) {
    EXPECT_FALSE(login_name_is_well_formed(name)) << testing::PrintToString(name);
    auto failed = verify_login(store, name, "pw");
    ASSERT_FALSE(failed) << testing::PrintToString(name);
    EXPECT_EQ(failed.error().kind, ErrorKind::auth_failed) << testing::PrintToString(name);
    EXPECT_EQ(failed.error().message, "malformed user name");
  }
  EXPECT_TRUE(login_name_is_well_formed("alice@example.org"));
  EXPECT_TRUE(login_name_is_well_formed("j\xC3\xBCrgen@example.org"));
}

}  // namespace postamt::mail
