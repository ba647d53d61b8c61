#include "mail/web_session.h"

#include <gtest/gtest.h>

#include "auth/api_token.h"
#include "auth/password.h"
#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

class WebSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    auto id = store_.create_account("alice@example.org", *auth::hash_password("pw"));
    ASSERT_TRUE(id);
    alice_ = *id;
  }
  store::MemoryStore store_;
  AccountId alice_;
  WebSessionLimits limits_{std::chrono::seconds(1800), std::chrono::seconds(86400)};
};

TEST_F(WebSessionTest, TheCookieSecretFindsItsSessionAndOnlyItsHashIsStored) {
  auto opened = open_web_session(store_, alice_, 1000);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->secret.size(), 43u);  // 32 octets, base64url
  EXPECT_EQ(opened->session.hash, auth::api_token_hash(opened->secret));
  EXPECT_EQ(opened->session.csrf_token.size(), 32u);  // 24 octets
  auto found = find_web_session(store_, opened->secret, limits_, 1010);
  ASSERT_TRUE(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->account.address, "alice@example.org");
  EXPECT_EQ((*found)->session.id, opened->session.id);
  EXPECT_FALSE(*find_web_session(store_, opened->secret + "x", limits_, 1010));
  EXPECT_FALSE(*find_web_session(store_, "", limits_, 1010));
  EXPECT_FALSE(*find_web_session(store_, opened->session.hash, limits_, 1010));
}

TEST_F(WebSessionTest, IdleTimeoutCountsFromTheLastRecordedUse) {
  auto opened = open_web_session(store_, alice_, 1000);
  ASSERT_TRUE(opened);
  // A use within kTouchInterval is not written.
  ASSERT_TRUE(*find_web_session(store_, opened->secret, limits_, 1030));
  EXPECT_EQ((*store_.find_web_session(opened->session.hash))->first.last_used, 1000);
  // One after it is.
  ASSERT_TRUE(*find_web_session(store_, opened->secret, limits_, 2000));
  EXPECT_EQ((*store_.find_web_session(opened->session.hash))->first.last_used, 2000);
  // 1799 s after the last use it still works (and is recorded); 1800 s after that use
  // it has expired and is deleted.
  ASSERT_TRUE(*find_web_session(store_, opened->secret, limits_, 3799));
  EXPECT_EQ((*store_.find_web_session(opened->session.hash))->first.last_used, 3799);
  EXPECT_FALSE(*find_web_session(store_, opened->secret, limits_, 3799 + 1800));
  EXPECT_FALSE(*store_.find_web_session(opened->session.hash));
}

TEST_F(WebSessionTest, MaxLifetimeEndsASessionInUse) {
  auto opened = open_web_session(store_, alice_, 0);
  ASSERT_TRUE(opened);
  for (int64_t t = 1000; t < 86400; t += 1000)
    ASSERT_TRUE(*find_web_session(store_, opened->secret, limits_, t)) << t;
  EXPECT_FALSE(*find_web_session(store_, opened->secret, limits_, 86400));
}

TEST_F(WebSessionTest, SignOutEverywhereEndsEverySessionOfTheAccount) {
  auto a = open_web_session(store_, alice_, 0);
  auto b = open_web_session(store_, alice_, 0);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->secret, b->secret);
  EXPECT_NE(a->session.csrf_token, b->session.csrf_token);
  EXPECT_EQ(*store_.delete_web_sessions(alice_), 2u);
  EXPECT_FALSE(*find_web_session(store_, a->secret, limits_, 1));
  EXPECT_FALSE(*find_web_session(store_, b->secret, limits_, 1));
}

TEST_F(WebSessionTest, CsrfTokenMustMatchExactly) {
  auto opened = open_web_session(store_, alice_, 0);
  ASSERT_TRUE(opened);
  const std::string& token = opened->session.csrf_token;
  EXPECT_TRUE(csrf_token_matches(opened->session, token));
  EXPECT_FALSE(csrf_token_matches(opened->session, ""));
  EXPECT_FALSE(csrf_token_matches(opened->session, token.substr(1)));
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(csrf_token_matches(opened->session, flipped));
}

TEST_F(WebSessionTest, SettingsAreSetReplacedAndRemoved) {
  ASSERT_TRUE(store_.set_web_setting(alice_, "language", "de"));
  ASSERT_TRUE(store_.set_web_setting(alice_, "receipt_choice", "ask"));
  ASSERT_TRUE(store_.set_web_setting(alice_, "language", "en"));
  EXPECT_EQ(*store_.web_settings(alice_),
            (std::vector<store::WebSetting>{{"language", "en"}, {"receipt_choice", "ask"}}));
  ASSERT_TRUE(store_.set_web_setting(alice_, "language", ""));
  EXPECT_EQ(*store_.web_settings(alice_),
            (std::vector<store::WebSetting>{{"receipt_choice", "ask"}}));
  EXPECT_EQ(store_.set_web_setting(alice_, "language", std::string(257, 'x')).error().kind,
            ErrorKind::invalid);
  EXPECT_EQ(store_.set_web_setting(AccountId(999), "language", "de").error().kind,
            ErrorKind::not_found);
}

}  // namespace
}  // namespace postamt::mail
