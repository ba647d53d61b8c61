#include "mail/domains.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

TEST(Domains, PrimaryDomainFollowsTheHostName) {
  store::MemoryStore store;
  EXPECT_EQ(primary_domain(store, "mail.example.test").error().message, "no local domain");
  ASSERT_TRUE(store.add_domain("aaa.test"));
  // No local domain in the host name: the first one.
  EXPECT_EQ(*primary_domain(store, "mail.example.test"), "aaa.test");
  ASSERT_TRUE(store.add_domain("example.test"));
  EXPECT_EQ(*primary_domain(store, "mail.example.test"), "example.test");
  EXPECT_EQ(*primary_domain(store, "MX1.Mail.Example.Test"), "example.test");
  ASSERT_TRUE(store.add_domain("mail.example.test"));
  EXPECT_EQ(*primary_domain(store, "mail.example.test"), "mail.example.test");
  // A single label is never looked up as a domain.
  EXPECT_EQ(*primary_domain(store, "localhost"), "aaa.test");
}

}  // namespace
}  // namespace postamt::mail
