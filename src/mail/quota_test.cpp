#include "mail/quota.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

TEST(QuotaRoom, FitsFullOrTooLarge) {
  store::MemoryStore store;
  ASSERT_TRUE(store.add_domain("example.org"));
  AccountId alice = *store.create_account("alice@example.org", "{X}");
  MailboxId inbox = store.find_mailbox(alice, "INBOX")->id;
  EXPECT_EQ(*room_for(store, alice, 1ull << 40), QuotaRoom::fits);  // no limits
  store.set_default_quota(store::QuotaLimits{1000, 2});
  store::NewMessage m;
  m.size = 600;
  ASSERT_TRUE(store.append(inbox, m));
  EXPECT_EQ(*room_for(store, alice, 0), QuotaRoom::fits);          // size unknown, below limits
  EXPECT_EQ(*room_for(store, alice, 400), QuotaRoom::fits);        // exactly to the limit
  EXPECT_EQ(*room_for(store, alice, 401), QuotaRoom::full);        // passes it: not now
  EXPECT_EQ(*room_for(store, alice, 1001), QuotaRoom::too_large);  // never
  m.size = 400;
  ASSERT_TRUE(store.append(inbox, m));
  EXPECT_EQ(*room_for(store, alice, 0), QuotaRoom::full);  // at the storage limit
  ASSERT_TRUE(store.set_quota("alice@example.org", store::QuotaSetting{0, std::nullopt}));
  EXPECT_EQ(*room_for(store, alice, 5), QuotaRoom::full);  // at the message limit
  ASSERT_TRUE(store.set_quota("alice@example.org", store::QuotaSetting{0, 0}));
  EXPECT_EQ(*room_for(store, alice, 1ull << 40), QuotaRoom::fits);
  EXPECT_FALSE(room_for(store, AccountId(999), 1));
}

}  // namespace
}  // namespace postamt::mail
