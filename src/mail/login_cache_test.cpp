#include "mail/login_cache.h"

#include <gtest/gtest.h>

#include "auth/password.h"
#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

class LoginCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    ASSERT_TRUE(store_.create_account("alice@example.org", *auth::hash_password("right")));
  }
  store::MemoryStore store_;
};

TEST_F(LoginCacheTest, RemembersOnlyMatchingPasswords) {
  LoginCache cache;
  EXPECT_EQ(cache.verify(store_, "alice@example.org", "wrong").error().kind,
            ErrorKind::auth_failed);
  EXPECT_EQ(cache.size(), 0u);
  auto ok = cache.verify(store_, "Alice@Example.org", "right");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->address, "alice@example.org");
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.verify(store_, "alice@example.org", "right"));
  // A remembered login does not make another password right.
  EXPECT_EQ(cache.verify(store_, "alice@example.org", "wrong").error().kind,
            ErrorKind::auth_failed);
}

TEST_F(LoginCacheTest, PasswordChangeEndsTheOldOne) {
  LoginCache cache;
  ASSERT_TRUE(cache.verify(store_, "alice@example.org", "right"));
  ASSERT_TRUE(store_.set_password_hash("alice@example.org", *auth::hash_password("new")));
  EXPECT_EQ(cache.verify(store_, "alice@example.org", "right").error().kind,
            ErrorKind::auth_failed);
  EXPECT_TRUE(cache.verify(store_, "alice@example.org", "new"));
}

TEST_F(LoginCacheTest, RemovedAccountAndExpiryAndSizeLimit) {
  LoginCache cache(std::chrono::seconds(0), 1);
  ASSERT_TRUE(cache.verify(store_, "alice@example.org", "right"));
  // Lifetime 0: every login is a full check, which still succeeds.
  EXPECT_TRUE(cache.verify(store_, "alice@example.org", "right"));
  ASSERT_TRUE(store_.create_account("bob@example.org", *auth::hash_password("b")));
  ASSERT_TRUE(cache.verify(store_, "bob@example.org", "b"));
  EXPECT_EQ(cache.size(), 1u);
  ASSERT_TRUE(store_.remove_account("alice@example.org"));
  EXPECT_EQ(cache.verify(store_, "alice@example.org", "right").error().kind,
            ErrorKind::auth_failed);
}

}  // namespace
}  // namespace postamt::mail
