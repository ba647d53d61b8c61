#include "mail/senders.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

TEST(Senders, OwnAddressesAndAliasesThatReachTheAccount) {
  store::MemoryStore store;
  ASSERT_TRUE(store.add_domain("example.org"));
  ASSERT_TRUE(store.create_account("alice@example.org", "{X}"));
  ASSERT_TRUE(store.create_account("bob@example.org", "{X}"));
  ASSERT_TRUE(store.add_alias("al@example.org", {"alice@example.org"}));
  ASSERT_TRUE(store.add_alias("team@example.org", {"alice@example.org", "bob@example.org"}));
  ASSERT_TRUE(store.add_alias("b@example.org", {"bob@example.org"}));
  auto owns = [&](std::string_view address) {
    auto r = owns_address(store, "alice@example.org", address);
    EXPECT_TRUE(r) << address;
    return r && *r;
  };
  EXPECT_TRUE(owns("alice@example.org"));
  EXPECT_TRUE(owns("ALICE@Example.ORG"));
  EXPECT_TRUE(owns("al@example.org"));
  EXPECT_TRUE(owns("team@example.org"));  // reaches alice too
  EXPECT_FALSE(owns("b@example.org"));
  EXPECT_FALSE(owns("bob@example.org"));
  EXPECT_FALSE(owns("nobody@example.org"));
  EXPECT_FALSE(owns("alice@remote.test"));
  EXPECT_FALSE(owns("not an address"));
}

}  // namespace
}  // namespace postamt::mail

namespace postamt::mail {
namespace {

TEST(Senders, CheckOriginatorsLooksAtEveryFieldAndName) {
  store::MemoryStore store;
  ASSERT_TRUE(store.add_domain("example.org"));
  ASSERT_TRUE(store.create_account("alice@example.org", "{X}"));
  ASSERT_TRUE(store.create_account("bob@example.org", "{X}"));
  ASSERT_TRUE(store.add_alias("al@example.org", {"alice@example.org"}));
  auto check = [&](std::string_view header) {
    auto r = check_originators(store, "alice@example.org", std::string(header) + "\r\n\r\nbody");
    EXPECT_TRUE(r) << header;
    return r && *r ? **r : std::string("ok");
  };
  EXPECT_EQ(check("From: Alice <alice@example.org>\r\nSender: al@example.org"), "ok");
  EXPECT_EQ(check("From: \"al@example.org\" <alice@example.org>"), "ok");
  EXPECT_EQ(check("Subject: no originator"), "ok");
  EXPECT_EQ(check("From: alice@example.org\r\nResent-Sender: bob@example.org"),
            "Resent-Sender header address <bob@example.org> is not owned by user "
            "alice@example.org");
  EXPECT_EQ(check("From: Bob (bob@example.org) <alice@example.org>"),
            "From header names <bob@example.org> in a display name or comment, not owned by "
            "user alice@example.org");
  // The limits: 100 distinct addresses (repeats count once), and octets.
  std::string hundred = "From: alice@example.org";
  for (int i = 1; i < 99; ++i) hundred += ", al@example.org (a" + std::to_string(i) + "@x.test)";
  EXPECT_EQ(check(hundred),
            "From header names <a1@x.test> in a display name or comment, not "
            "owned by user alice@example.org");
  EXPECT_EQ(check(hundred + ", (one@more.test)"), "Originator header fields are too large");
  EXPECT_EQ(check("From: alice@example.org (" + std::string(kMaxOriginatorOctets, 'x') + ")"),
            "Originator header fields are too large");
}

}  // namespace
}  // namespace postamt::mail
