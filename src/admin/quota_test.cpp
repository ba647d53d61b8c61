#include "admin/quota.h"

#include <gtest/gtest.h>

#include "blob/memory_blob_store.h"
#include "store/memory/memory_store.h"

namespace postamt::admin {
namespace {

using namespace std::chrono_literals;

class QuotaAdmin : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    alice_ = *store_.create_account("alice@example.org", "{X}");
    store_.set_default_quota(store::QuotaLimits{1000, 0});
    store::NewMessage m;
    m.blob = *blobs_.put("x");
    m.size = 300;
    ASSERT_TRUE(store_.append(store_.find_mailbox(alice_, "INBOX")->id, m));
  }
  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  AccountId alice_;
};

TEST_F(QuotaAdmin, ShowAndSet) {
  EXPECT_EQ(*user_quota_show(store_, "alice@example.org", Format::text),
            "storage 300 of 1000 octets (default)\nmessages 1 of none (default)\n");
  ASSERT_TRUE(user_quota_set(store_, "alice@example.org", {"storage", "2G", "messages", "100000"}));
  EXPECT_EQ(*user_quota_show(store_, "alice@example.org", Format::text),
            "storage 300 of 2147483648 octets (own)\nmessages 1 of 100000 (own)\n");
  ASSERT_TRUE(user_quota_set(store_, "alice@example.org", {"messages", "none"}));
  EXPECT_EQ(store_.quota(alice_)->setting, (store::QuotaSetting{2147483648ull, 0}));
  ASSERT_TRUE(user_quota_set(store_, "alice@example.org", {"STORAGE", "default", "messages", "7"}));
  EXPECT_EQ(*user_quota_show(store_, "alice@example.org", Format::json),
            "{\"storage\":{\"used\":300,\"own\":false,\"limit\":1000},"
            "\"messages\":{\"used\":1,\"own\":true,\"limit\":7}}\n");
  for (auto k : {"512", "512K", "3m", "1T"})
    EXPECT_TRUE(user_quota_set(store_, "alice@example.org", {"storage", k})) << k;
  EXPECT_EQ(store_.quota(alice_)->setting.storage, 1ull << 40);
}

TEST_F(QuotaAdmin, BadWords) {
  for (const std::vector<std::string>& words :
       std::vector<std::vector<std::string>>{{},
                                             {"storage"},
                                             {"storage", "2X"},
                                             {"storage", "-1"},
                                             {"storage", "G"},
                                             {"messages", "2G"},
                                             {"disk", "5"},
                                             {"storage", "1234567890123456"}}) {
    auto r = user_quota_set(store_, "alice@example.org", words);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  }
  auto missing = user_quota_set(store_, "nobody@example.org", {"storage", "1"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(store_.quota(alice_)->setting, store::QuotaSetting{});
}

}  // namespace
}  // namespace postamt::admin
