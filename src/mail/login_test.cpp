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

}  // namespace postamt::mail
