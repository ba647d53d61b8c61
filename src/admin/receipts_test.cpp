#include "admin/receipts.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::admin {
namespace {

using namespace std::chrono_literals;

class ReceiptsAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    bob_ = *store_.create_account("Bob@example.org", "h");
    alice_ = *store_.create_account("alice@example.org", "h");
  }
  store::MemoryStore store_;
  AccountId bob_, alice_;
  PolicyTarget none_{};
  PolicyTarget domain_{store::PolicyScope::domain, "example.org"};
  PolicyTarget bob_target_{store::PolicyScope::user, "bob@example.org"};
};

TEST_F(ReceiptsAdminTest, ListTextAndJson) {
  store::NewSentReceipt s;
  s.account = bob_;
  s.message_id = "<m1@x>";
  s.requester = "carol@remote.test";
  s.disposition = "displayed";
  s.path = store::ReceiptPath::client_submission;
  s.matched_by = store::ReceiptMatch::in_reply_to;
  s.at = store::ReceiptTime(1700000000s);
  ASSERT_TRUE(store_.record_receipt(s, store::ReceiptUniqueness::one_per_recipient));
  store::NewReceivedReceipt r;
  r.account = alice_;
  r.message_id = "<m2@example.org>";
  r.final_recipient = "dave@remote.test";
  r.disposition = "deleted";
  r.at = store::ReceiptTime(1700000060s);
  ASSERT_TRUE(store_.record_received_receipt(r));
  store::NewRefusedReceipt refused;
  refused.account = bob_;
  refused.message_id = "<m3@example.com>";
  refused.requester = "mallory@example.com";
  refused.reason = "sender failed DMARC (p=quarantine)";
  refused.at = store::ReceiptTime(1700000030s);
  ASSERT_TRUE(store_.record_refused_receipt(refused));
  EXPECT_EQ(*receipts_list(store_, std::nullopt, Format::text),
            "sent     2023-11-14T22:13:20Z Bob@example.org -> carol@remote.test <m1@x> displayed "
            "client_submission in-reply-to\n"
            "refused  2023-11-14T22:13:50Z Bob@example.org -> mallory@example.com "
            "<m3@example.com> server_on_download sender failed DMARC (p=quarantine)\n"
            "received 2023-11-14T22:14:20Z alice@example.org <- dave@remote.test "
            "<m2@example.org> deleted\n");
  EXPECT_EQ(*receipts_list(store_, "BOB@example.org", Format::json),
            "{\"sent\":[{\"time\":\"2023-11-14T22:13:20Z\",\"account\":\"Bob@example.org\","
            "\"requester\":\"carol@remote.test\",\"message_id\":\"<m1@x>\",\"disposition\":"
            "\"displayed\",\"path\":\"client_submission\",\"matched_by\":\"in-reply-to\"}],"
            "\"received\":[],\"refused\":[{\"time\":\"2023-11-14T22:13:50Z\",\"account\":"
            "\"Bob@example.org\",\"requester\":\"mallory@example.com\",\"message_id\":"
            "\"<m3@example.com>\",\"path\":\"server_on_download\",\"reason\":"
            "\"sender failed DMARC (p=quarantine)\"}]}\n");
  auto unknown = receipts_list(store_, "eve@example.org", Format::text);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "user eve@example.org does not exist");
}

TEST_F(ReceiptsAdminTest, PolicySetShowUnset) {
  Config::Receipts server;
  EXPECT_EQ(*receipts_policy_show(store_, server, none_, Format::text),
            "on_download = off (server)\none_per_recipient = true (server)\n"
            "duplicates = drop (server)\n");
  ASSERT_TRUE(receipts_policy_set(store_, domain_, "duplicates", "reject"));
  ASSERT_TRUE(receipts_policy_set(store_, bob_target_, "on_download", "displayed"));
  ASSERT_TRUE(receipts_policy_set(store_, bob_target_, "one_per_recipient", "false"));
  EXPECT_EQ(*receipts_policy_show(store_, server, bob_target_, Format::text),
            "on_download = displayed (user Bob@example.org)\n"
            "one_per_recipient = false (user Bob@example.org)\n"
            "duplicates = reject (domain example.org)\n");
  EXPECT_EQ(*receipts_policy_show(store_, server, domain_, Format::json),
            "{\"on_download\":{\"value\":\"off\",\"source\":\"server\"},\"one_per_recipient\":"
            "{\"value\":\"true\",\"source\":\"server\"},\"duplicates\":{\"value\":\"reject\","
            "\"source\":\"domain\"}}\n");
  ASSERT_TRUE(receipts_policy_unset(store_, bob_target_, "on_download"));
  EXPECT_EQ(*receipts_policy_show(store_, server, bob_target_, Format::text),
            "on_download = off (server)\n"
            "one_per_recipient = false (user Bob@example.org)\n"
            "duplicates = reject (domain example.org)\n");
}

TEST_F(ReceiptsAdminTest, PolicyErrors) {
  Config::Receipts server;
  EXPECT_EQ(receipts_policy_set(store_, none_, "duplicates", "drop").error().message,
            "give --domain or --user: server-wide values are set in the configuration file");
  EXPECT_EQ(receipts_policy_set(store_, domain_, "duplicates", "keep").error().message,
            "duplicates must be \"drop\" or \"reject\"");
  EXPECT_EQ(receipts_policy_set(store_, domain_, "send", "x").error().message,
            "unknown receipt policy key \"send\" (on_download, one_per_recipient, duplicates)");
  auto missing = receipts_policy_unset(store_, bob_target_, "duplicates");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(missing.error().message, "no duplicates override for user Bob@example.org");
  EXPECT_EQ(
      receipts_policy_show(store_, server, {store::PolicyScope::domain, "nope.org"}, Format::text)
          .error()
          .message,
      "domain nope.org does not exist");
  EXPECT_EQ(receipts_policy_set(store_, {store::PolicyScope::user, "eve@example.org"}, "duplicates",
                                "drop")
                .error()
                .message,
            "user eve@example.org does not exist");
}

}  // namespace
}  // namespace postamt::admin
