// The Store contract for JMAP PushSubscription records (store/api/store.h,
// store/api/push_subscriptions.h), run against every backend like contract_test.cpp.
#include <gtest/gtest.h>

#include "store/test_backend.h"

namespace postamt::store {
namespace {

constexpr Credential kPassword{CredentialKind::password, 0};

class PushContract : public BackendTest {
 protected:
  AccountId user(std::string_view address) {
    auto id = store_->create_account(address, "{ARGON2ID}hash");
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : AccountId();
  }
  static NewPushSubscription record(AccountId account, Credential credential,
                                    std::string device = "dev1") {
    NewPushSubscription r;
    r.account = account;
    r.credential = credential;
    r.device_client_id = std::move(device);
    r.url = "https://push.example.net/p?x=1";
    r.keys = PushKeys{"BCVxsr7N", "BTBZMqHH"};
    r.verification_code = "0123456789abcdef0123456789abcdef";
    r.expires = 1700600000;
    r.types = "[\"Email\"]";
    r.created = 1700000000;
    return r;
  }
  std::vector<uint64_t> ids(AccountId account, Credential credential) {
    auto list = store_->list_push_subscriptions(account, credential);
    EXPECT_TRUE(list) << list.error().message;
    std::vector<uint64_t> out;
    if (list)
      for (const auto& s : *list) out.push_back(s.id);
    return out;
  }
  std::vector<uint64_t> active(int64_t now) {
    auto list = store_->list_active_push_subscriptions(now);
    EXPECT_TRUE(list) << list.error().message;
    std::vector<uint64_t> out;
    if (list)
      for (const auto& s : *list) out.push_back(s.id);
    return out;
  }
};

TEST_P(PushContract, CreateListsBackForItsCredentialOnly) {
  AccountId alice = user("alice@example.org");
  auto token = store_->create_token(alice, "phone", std::string(64, 'a'));
  ASSERT_TRUE(token);
  const Credential by_token{CredentialKind::token, static_cast<int64_t>(token->id)};
  auto modseq = store_->account_modseq(alice);
  auto version = store_->data_version();

  auto created = store_->create_push_subscription(record(alice, kPassword), 16);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(static_cast<const NewPushSubscription&>(*created), record(alice, kPassword));
  EXPECT_FALSE(created->verified);
  NewPushSubscription bare = record(alice, by_token, "dev2");
  bare.keys.reset();
  bare.expires.reset();
  bare.types.reset();
  auto second = store_->create_push_subscription(bare, 16);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(second->id, created->id);

  auto mine = store_->list_push_subscriptions(alice, kPassword);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ(mine->front(), *created);
  auto theirs = store_->list_push_subscriptions(alice, by_token);
  ASSERT_TRUE(theirs);
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ(static_cast<const NewPushSubscription&>(theirs->front()), bare);
  EXPECT_EQ(ids(alice, Credential{CredentialKind::session, 0}), std::vector<uint64_t>{});
  // Not account data: the JMAP state stays; the store's version moves.
  EXPECT_EQ(*store_->account_modseq(alice), *modseq);
  EXPECT_NE(*store_->data_version(), *version);
}

TEST_P(PushContract, TheLimitPerAccountIsCheckedWhenCreating) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  ASSERT_TRUE(store_->create_push_subscription(record(alice, kPassword), 2));
  ASSERT_TRUE(store_->create_push_subscription(record(alice, {CredentialKind::token, 9}), 2));
  auto third = store_->create_push_subscription(record(alice, kPassword), 2);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().kind, ErrorKind::limit);
  EXPECT_EQ(third.error().message, "the account has 2 push subscriptions already");
  EXPECT_TRUE(store_->create_push_subscription(record(bob, kPassword), 2));
  auto unknown = store_->create_push_subscription(record(AccountId(999), kPassword), 2);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  NewPushSubscription empty = record(alice, kPassword);
  empty.url.clear();
  auto bad = store_->create_push_subscription(empty, 16);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid);
}

TEST_P(PushContract, UpdateAndDestroyOnlyTheCredentialsOwn) {
  AccountId alice = user("alice@example.org");
  auto created = store_->create_push_subscription(record(alice, kPassword), 16);
  ASSERT_TRUE(created);
  const Credential other{CredentialKind::token, 4};

  PushSubscriptionUpdate verify;
  verify.verified = true;
  auto wrong = store_->update_push_subscription(alice, other, created->id, verify);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, ErrorKind::not_found);
  EXPECT_EQ(wrong.error().message, "no such push subscription: " + std::to_string(created->id));

  auto verified = store_->update_push_subscription(alice, kPassword, created->id, verify);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_TRUE(verified->verified);
  EXPECT_EQ(verified->expires, std::optional<int64_t>(1700600000));

  PushSubscriptionUpdate change;
  change.expires = std::optional<int64_t>(1700700000);
  change.types = std::optional<std::string>();
  auto changed = store_->update_push_subscription(alice, kPassword, created->id, change);
  ASSERT_TRUE(changed);
  EXPECT_TRUE(changed->verified);
  EXPECT_EQ(changed->expires, std::optional<int64_t>(1700700000));
  EXPECT_EQ(changed->types, std::nullopt);
  auto listed = store_->list_push_subscriptions(alice, kPassword);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->front(), *changed);

  auto refused = store_->destroy_push_subscription(alice, other, created->id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::not_found);
  ASSERT_TRUE(store_->destroy_push_subscription(alice, kPassword, created->id));
  EXPECT_EQ(ids(alice, kPassword), std::vector<uint64_t>{});
  auto again = store_->destroy_push_subscription(alice, kPassword, created->id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::not_found);
}

TEST_P(PushContract, ActiveMeansVerifiedAndUnexpired) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  auto a = store_->create_push_subscription(record(alice, kPassword), 16);  // expires 1700600000
  NewPushSubscription forever = record(bob, kPassword);
  forever.expires.reset();
  auto b = store_->create_push_subscription(forever, 16);
  auto c = store_->create_push_subscription(record(bob, kPassword), 16);  // never verified
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(active(0), std::vector<uint64_t>{});
  PushSubscriptionUpdate verify;
  verify.verified = true;
  ASSERT_TRUE(store_->update_push_subscription(alice, kPassword, a->id, verify));
  ASSERT_TRUE(store_->update_push_subscription(bob, kPassword, b->id, verify));
  EXPECT_EQ(active(1700599999), (std::vector<uint64_t>{a->id, b->id}));
  EXPECT_EQ(active(1700600000), std::vector<uint64_t>{b->id});

  auto swept = store_->delete_expired_push_subscriptions(1700599999);
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 0u);
  swept = store_->delete_expired_push_subscriptions(1700600000);
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 2u);  // a, and the unverified c
  EXPECT_EQ(ids(alice, kPassword), std::vector<uint64_t>{});
  EXPECT_EQ(ids(bob, kPassword), std::vector<uint64_t>{b->id});

  auto removed = store_->remove_push_subscription(b->id);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  removed = store_->remove_push_subscription(b->id);
  ASSERT_TRUE(removed);
  EXPECT_FALSE(*removed);
  EXPECT_EQ(active(0), std::vector<uint64_t>{});
}

TEST_P(PushContract, RevokingTheCredentialDestroysItsSubscriptions) {
  AccountId alice = user("alice@example.org");
  auto phone = store_->create_token(alice, "phone", std::string(64, 'a'));
  auto laptop = store_->create_token(alice, "laptop", std::string(64, 'b'));
  ASSERT_TRUE(phone && laptop);
  const Credential by_phone{CredentialKind::token, static_cast<int64_t>(phone->id)};
  const Credential by_laptop{CredentialKind::token, static_cast<int64_t>(laptop->id)};
  auto p = store_->create_push_subscription(record(alice, by_phone), 16);
  auto l = store_->create_push_subscription(record(alice, by_laptop), 16);
  auto w = store_->create_push_subscription(record(alice, kPassword), 16);
  ASSERT_TRUE(p && l && w);

  ASSERT_TRUE(store_->revoke_token(alice, "phone"));
  EXPECT_EQ(ids(alice, by_phone), std::vector<uint64_t>{});
  EXPECT_EQ(ids(alice, by_laptop), std::vector<uint64_t>{l->id});
  EXPECT_EQ(ids(alice, kPassword), std::vector<uint64_t>{w->id});

  // A new password revokes the old one.
  ASSERT_TRUE(store_->set_password_hash("alice@example.org", "{ARGON2ID}new"));
  EXPECT_EQ(ids(alice, kPassword), std::vector<uint64_t>{});
  EXPECT_EQ(ids(alice, by_laptop), std::vector<uint64_t>{l->id});

  // Removing the account removes the rest.
  PushSubscriptionUpdate verify;
  verify.verified = true;
  ASSERT_TRUE(store_->update_push_subscription(alice, by_laptop, l->id, verify));
  ASSERT_TRUE(store_->remove_account("alice@example.org"));
  EXPECT_EQ(active(0), std::vector<uint64_t>{});
}

// A webmail session is a credential too: signing out (one session, every session) and
// expiry end the subscriptions it made, and only those.
TEST_P(PushContract, EndingAWebmailSessionDestroysItsSubscriptions) {
  AccountId alice = user("alice@example.org");
  auto a = store_->create_web_session(alice, std::string(64, 'a'), "csrf", 100);
  auto b = store_->create_web_session(alice, std::string(64, 'b'), "csrf", 100);
  auto c = store_->create_web_session(alice, std::string(64, 'c'), "csrf", 500);
  ASSERT_TRUE(a && b && c);
  auto session = [](const WebSession& s) {
    return Credential{CredentialKind::session, static_cast<int64_t>(s.id)};
  };
  auto pa = store_->create_push_subscription(record(alice, session(*a)), 16);
  auto pb = store_->create_push_subscription(record(alice, session(*b)), 16);
  auto pc = store_->create_push_subscription(record(alice, session(*c)), 16);
  auto pw = store_->create_push_subscription(record(alice, kPassword), 16);
  ASSERT_TRUE(pa && pb && pc && pw);
  ASSERT_TRUE(store_->delete_web_session(a->id));
  EXPECT_EQ(ids(alice, session(*a)), std::vector<uint64_t>{});
  EXPECT_EQ(ids(alice, session(*b)), std::vector<uint64_t>{pb->id});
  EXPECT_EQ(*store_->expire_web_sessions(200, 0), 1u);  // b was last used at 100
  EXPECT_EQ(ids(alice, session(*b)), std::vector<uint64_t>{});
  EXPECT_EQ(ids(alice, session(*c)), std::vector<uint64_t>{pc->id});
  EXPECT_EQ(*store_->delete_web_sessions(alice), 1u);
  EXPECT_EQ(ids(alice, session(*c)), std::vector<uint64_t>{});
  EXPECT_EQ(ids(alice, kPassword), std::vector<uint64_t>{pw->id});
}

INSTANTIATE_TEST_SUITE_P(Backends, PushContract, ::testing::Values("memory", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace postamt::store
