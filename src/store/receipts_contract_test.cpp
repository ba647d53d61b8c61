// The receipt part of the Store contract (message ids, the ledger, policy overrides),
// run against the in-memory fake and SQLite.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "store/api/receipt_rules.h"
#include "store/test_backend.h"

namespace postamt::store {
namespace {

using namespace std::chrono_literals;

NewMessage message(int n, std::string message_id) {
  NewMessage m;
  m.blob = *BlobRef::parse(fmt::format("{:064x}", n));
  m.size = 100;
  m.internal_date = InternalDate(1700000000s);
  m.message_id = std::move(message_id);
  return m;
}

class ReceiptContract : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    bob_ = *store_->create_account("Bob@example.org", "h");
    alice_ = *store_->create_account("alice@example.org", "h");
    inbox_ = store_->find_mailbox(bob_, "INBOX")->id;
    archive_ = store_->find_mailbox(bob_, "Archive")->id;
  }
  NewSentReceipt sent(std::string message_id, ReceiptTime at = ReceiptTime(1700000100s)) {
    NewSentReceipt r;
    r.account = bob_;
    r.message_id = std::move(message_id);
    r.requester = "carol@remote.test";
    r.disposition = "displayed";
    r.path = ReceiptPath::client_submission;
    r.at = at;
    return r;
  }
  bool has_mdnsent(MailboxId box, Uid uid) {
    return store_->get_message(box, uid)->keywords.contains(kMdnSentKeyword);
  }

  AccountId bob_, alice_;
  MailboxId inbox_, archive_;
};

#define EXPECT_ERROR(expr, want_kind, want_message)       \
  do {                                                    \
    auto r_ = (expr);                                     \
    ASSERT_FALSE(r_) << #expr;                            \
    EXPECT_EQ(r_.error().kind, want_kind) << #expr;       \
    EXPECT_EQ(r_.error().message, want_message) << #expr; \
  } while (0)

TEST_P(ReceiptContract, MessageIdIsStoredAndCarriedByCopyAndMove) {
  ASSERT_TRUE(store_->append(inbox_, message(1, "<m1@x>")));
  ASSERT_TRUE(store_->append(inbox_, message(2, "")));
  ASSERT_TRUE(store_->append(inbox_, message(3, "<m1@x>")));
  EXPECT_EQ(store_->get_message(inbox_, 1)->message_id, "<m1@x>");
  EXPECT_EQ(store_->get_message(inbox_, 2)->message_id, "");
  ASSERT_TRUE(store_->copy(inbox_, {1}, archive_));
  ASSERT_TRUE(store_->move(inbox_, {3}, archive_));
  EXPECT_EQ(store_->get_message(archive_, 2)->message_id, "<m1@x>");
  auto found = store_->find_messages_by_message_id(bob_, "<m1@x>");
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, (std::vector<MessageLocation>{{inbox_, 1}, {archive_, 1}, {archive_, 2}}));
  // Byte comparison, and per account.
  EXPECT_TRUE(store_->find_messages_by_message_id(bob_, "<M1@x>")->empty());
  EXPECT_TRUE(store_->find_messages_by_message_id(alice_, "<m1@x>")->empty());
  EXPECT_ERROR(store_->find_messages_by_message_id(bob_, ""), ErrorKind::invalid,
               "an empty Message-ID names nothing");
  EXPECT_ERROR(store_->find_messages_by_message_id(AccountId(999), "<m1@x>"), ErrorKind::not_found,
               "account 999 does not exist");
}

TEST_P(ReceiptContract, OneReceiptPerRecipientSetsMdnSentOnEveryCopyWithNewModseq) {
  ASSERT_TRUE(store_->append(inbox_, message(1, "<m1@x>")));
  ASSERT_TRUE(store_->append(archive_, message(2, "<m1@x>")));
  ASSERT_TRUE(store_->append(inbox_, message(3, "<other@x>")));
  const ModSeq before = store_->get_message(inbox_, 1)->modseq;
  const ModSeq inbox_highest = store_->get_mailbox(inbox_)->highest_modseq;

  auto first = store_->record_receipt(sent("<m1@x>"), ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->outcome, RecordOutcome::recorded);
  EXPECT_EQ(first->receipt.account_address, "Bob@example.org");
  EXPECT_EQ(first->receipt.message_id, "<m1@x>");
  EXPECT_EQ(first->receipt.requester, "carol@remote.test");
  EXPECT_EQ(first->receipt.disposition, "displayed");
  EXPECT_EQ(first->receipt.path, ReceiptPath::client_submission);
  EXPECT_EQ(first->receipt.at, ReceiptTime(1700000100s));
  EXPECT_EQ(first->flagged, (std::vector<MessageLocation>{{inbox_, 1}, {archive_, 1}}));
  EXPECT_TRUE(has_mdnsent(inbox_, 1));
  EXPECT_TRUE(has_mdnsent(archive_, 1));
  EXPECT_FALSE(has_mdnsent(inbox_, 2));
  EXPECT_GT(store_->get_message(inbox_, 1)->modseq, before);
  // IMAP sessions learn about the latch through changes_since.
  auto changes = store_->changes_since(inbox_, inbox_highest);
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->changed.size(), 1u);
  EXPECT_EQ(changes->changed[0].uid, 1u);

  // A new copy delivered later gets the latch from the second attempt, which is refused.
  ASSERT_TRUE(store_->append(inbox_, message(4, "<m1@x>")));
  NewSentReceipt again = sent("<m1@x>", ReceiptTime(1700000200s));
  again.path = ReceiptPath::server_on_download;
  auto second = store_->record_receipt(again, ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->outcome, RecordOutcome::already_sent);
  EXPECT_EQ(second->receipt, first->receipt);
  EXPECT_EQ(second->flagged, (std::vector<MessageLocation>{{inbox_, 3}}));
  EXPECT_TRUE(has_mdnsent(inbox_, 3));
  EXPECT_EQ(store_->list_receipts(bob_)->sent.size(), 1u);
}

TEST_P(ReceiptContract, LegacyDuplicatesAreRecordedButTheLatchStays) {
  ASSERT_TRUE(store_->append(inbox_, message(1, "<m1@x>")));
  ASSERT_TRUE(store_->record_receipt(sent("<m1@x>"), ReceiptUniqueness::allow_duplicates));
  auto second = store_->record_receipt(sent("<m1@x>", ReceiptTime(1700000200s)),
                                       ReceiptUniqueness::allow_duplicates);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->outcome, RecordOutcome::recorded);
  EXPECT_TRUE(second->flagged.empty());  // it had $MDNSent already
  EXPECT_TRUE(has_mdnsent(inbox_, 1));
  auto ledger = store_->list_receipts(std::nullopt);
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->sent.size(), 2u);
  EXPECT_LT(ledger->sent[0].id, ledger->sent[1].id);
  EXPECT_EQ(ledger->sent[1].at, ReceiptTime(1700000200s));
  // And after duplicates, one_per_recipient still refuses.
  EXPECT_EQ(store_->record_receipt(sent("<m1@x>"), ReceiptUniqueness::one_per_recipient)->outcome,
            RecordOutcome::already_sent);
}

TEST_P(ReceiptContract, ByMessageLocation) {
  ASSERT_TRUE(store_->append(inbox_, message(1, "<m1@x>")));
  ASSERT_TRUE(store_->append(archive_, message(1, "<m1@x>")));
  ASSERT_TRUE(store_->append(inbox_, message(2, "")));
  ASSERT_TRUE(store_->append(archive_, message(2, "")));
  // The message id comes from the stored copy.
  NewSentReceipt r = sent("");
  r.message = MessageLocation{inbox_, 1};
  auto a = store_->record_receipt(r, ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->receipt.message_id, "<m1@x>");
  EXPECT_EQ(a->flagged.size(), 2u);
  // Without a Message-ID only that copy is the original.
  r.message = MessageLocation{inbox_, 2};
  auto b = store_->record_receipt(r, ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->outcome, RecordOutcome::recorded);
  EXPECT_EQ(b->receipt.message_id, "");
  EXPECT_EQ(b->flagged, (std::vector<MessageLocation>{{inbox_, 2}}));
  EXPECT_FALSE(has_mdnsent(archive_, 2));
  EXPECT_EQ(store_->record_receipt(r, ReceiptUniqueness::one_per_recipient)->outcome,
            RecordOutcome::already_sent);
  r.message = MessageLocation{archive_, 2};
  EXPECT_EQ(store_->record_receipt(r, ReceiptUniqueness::one_per_recipient)->outcome,
            RecordOutcome::recorded);

  r.message = MessageLocation{inbox_, 77};
  EXPECT_ERROR(store_->record_receipt(r, ReceiptUniqueness::one_per_recipient),
               ErrorKind::not_found, "message with UID 77 does not exist");
  // Another account's mailbox is not this account's message.
  MailboxId alice_inbox = store_->find_mailbox(alice_, "INBOX")->id;
  r.message = MessageLocation{alice_inbox, 1};
  EXPECT_ERROR(store_->record_receipt(r, ReceiptUniqueness::one_per_recipient),
               ErrorKind::not_found, fmt::format("mailbox {} does not exist", alice_inbox.value()));
}

TEST_P(ReceiptContract, RecordValidation) {
  EXPECT_ERROR(store_->record_receipt(sent(""), ReceiptUniqueness::one_per_recipient),
               ErrorKind::invalid, "a receipt record needs a Message-ID or a message");
  NewSentReceipt r = sent("<m@x>");
  r.requester = "";
  EXPECT_ERROR(store_->record_receipt(r, ReceiptUniqueness::one_per_recipient), ErrorKind::invalid,
               "a receipt record needs a requester");
  r = sent("<m@x>");
  r.account = AccountId(999);
  EXPECT_ERROR(store_->record_receipt(r, ReceiptUniqueness::one_per_recipient),
               ErrorKind::not_found, "account 999 does not exist");
  // A receipt for a message no longer stored is still recorded (nothing to flag).
  auto ok = store_->record_receipt(sent("<gone@x>"), ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->flagged.empty());
}

// Each record keeps how its original was identified; the words are the ledger's.
TEST_P(ReceiptContract, RecordsKeepHowTheOriginalWasMatched) {
  ASSERT_TRUE(store_->append(inbox_, message(1, "<m1@x>")));
  NewSentReceipt r = sent("<m1@x>");
  r.matched_by = ReceiptMatch::references;
  auto first = store_->record_receipt(r, ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->receipt.matched_by, ReceiptMatch::references);
  // A later receipt for that original, however it was matched, is the duplicate.
  r.matched_by = ReceiptMatch::original_message_id;
  auto second = store_->record_receipt(r, ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->outcome, RecordOutcome::already_sent);
  EXPECT_EQ(second->receipt.matched_by, ReceiptMatch::references);
  NewSentReceipt server = sent("");
  server.message = MessageLocation{inbox_, 1};
  server.path = ReceiptPath::server_on_download;
  EXPECT_EQ(server.matched_by, ReceiptMatch::message);  // the default
  ASSERT_TRUE(store_->record_receipt(server, ReceiptUniqueness::allow_duplicates));
  auto ledger = store_->list_receipts(bob_);
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->sent.size(), 2u);
  EXPECT_EQ(ledger->sent[0].matched_by, ReceiptMatch::references);
  EXPECT_EQ(ledger->sent[1].matched_by, ReceiptMatch::message);
  for (ReceiptMatch m :
       {ReceiptMatch::message, ReceiptMatch::original_message_id, ReceiptMatch::in_reply_to,
        ReceiptMatch::references, ReceiptMatch::unmatched}) {
    EXPECT_EQ(parse_receipt_match(to_string(m)), m);
  }
  EXPECT_EQ(to_string(ReceiptMatch::in_reply_to), "in-reply-to");
  EXPECT_EQ(parse_receipt_match("In-Reply-To"), std::nullopt);
}

// A receipt that names no original is kept as a record of its own: every one is
// recorded, none is a duplicate of another, and no message gets $MDNSent.
TEST_P(ReceiptContract, UnmatchedReceiptsAreRecordedAndNeverDuplicates) {
  ASSERT_TRUE(store_->append(inbox_, message(1, "")));
  NewSentReceipt r = sent("");
  r.matched_by = ReceiptMatch::unmatched;
  for (int i = 0; i < 2; ++i) {
    auto got = store_->record_receipt(r, ReceiptUniqueness::one_per_recipient);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->outcome, RecordOutcome::recorded);
    EXPECT_EQ(got->receipt.message_id, "");
    EXPECT_EQ(got->receipt.matched_by, ReceiptMatch::unmatched);
    EXPECT_TRUE(got->flagged.empty());
  }
  EXPECT_FALSE(has_mdnsent(inbox_, 1));
  auto ledger = store_->list_receipts(bob_);
  ASSERT_EQ(ledger->sent.size(), 2u);
  EXPECT_NE(ledger->sent[0].id, ledger->sent[1].id);
  EXPECT_EQ(ledger->sent[1].matched_by, ReceiptMatch::unmatched);
  // Unmatched means no original: one named is a contradiction.
  r.message_id = "<m@x>";
  EXPECT_ERROR(store_->record_receipt(r, ReceiptUniqueness::one_per_recipient), ErrorKind::invalid,
               "an unmatched receipt record names no original");
  r.message_id = "";
  r.message = MessageLocation{inbox_, 1};
  EXPECT_ERROR(store_->record_receipt(r, ReceiptUniqueness::one_per_recipient), ErrorKind::invalid,
               "an unmatched receipt record names no original");
}

TEST_P(ReceiptContract, ReceivedReceiptsAndListing) {
  NewReceivedReceipt in;
  in.account = alice_;
  in.message_id = "<sent1@example.org>";
  in.final_recipient = "dave@remote.test";
  in.disposition = "displayed";
  in.at = ReceiptTime(1700000050s);
  auto got = store_->record_received_receipt(in);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->account_address, "alice@example.org");
  ASSERT_TRUE(store_->record_receipt(sent("<m1@x>"), ReceiptUniqueness::one_per_recipient));
  auto all = store_->list_receipts(std::nullopt);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->sent.size(), 1u);
  ASSERT_EQ(all->received.size(), 1u);
  EXPECT_EQ(all->received[0], *got);
  EXPECT_TRUE(store_->list_receipts(alice_)->sent.empty());
  EXPECT_TRUE(store_->list_receipts(bob_)->received.empty());
  EXPECT_ERROR(store_->list_receipts(AccountId(999)), ErrorKind::not_found,
               "account 999 does not exist");
  in.message_id = "";
  EXPECT_ERROR(store_->record_received_receipt(in), ErrorKind::invalid,
               "a received receipt needs a Message-ID, a final recipient and a disposition");
  // Removing the account removes its records.
  ASSERT_TRUE(store_->remove_account("alice@example.org"));
  EXPECT_TRUE(store_->list_receipts(std::nullopt)->received.empty());
  EXPECT_EQ(store_->list_receipts(std::nullopt)->sent.size(), 1u);
}

TEST_P(ReceiptContract, RefusedReceiptsAreRecordedOnceAndSetNoKeyword) {
  ASSERT_TRUE(store_->append(inbox_, message(1, "<forged@example.com>")));
  NewRefusedReceipt in;
  in.account = bob_;
  in.message_id = "<forged@example.com>";
  in.requester = "mallory@example.com";
  in.path = ReceiptPath::server_on_download;
  in.reason = "sender failed DMARC (p=quarantine)";
  in.at = ReceiptTime(1700000200s);
  auto first = store_->record_refused_receipt(in);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, (RefusedReceipt{first->id, bob_, "Bob@example.org", "<forged@example.com>",
                                    "mallory@example.com", ReceiptPath::server_on_download,
                                    "sender failed DMARC (p=quarantine)", in.at}));
  // The same message downloaded again: the record stands, no second one.
  in.at = ReceiptTime(1700000300s);
  auto again = store_->record_refused_receipt(in);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  // Another path is another record; so is a message without a Message-ID, every time.
  in.path = ReceiptPath::client_submission;
  auto client = store_->record_refused_receipt(in);
  ASSERT_TRUE(client);
  EXPECT_NE(client->id, first->id);
  NewRefusedReceipt bare = in;
  bare.message_id = "";
  ASSERT_TRUE(store_->record_refused_receipt(bare));
  ASSERT_TRUE(store_->record_refused_receipt(bare));

  auto ledger = store_->list_receipts(bob_);
  ASSERT_TRUE(ledger);
  EXPECT_TRUE(ledger->sent.empty());
  ASSERT_EQ(ledger->refused.size(), 4u);
  EXPECT_EQ(ledger->refused[0], *first);
  EXPECT_EQ(ledger->refused[1].path, ReceiptPath::client_submission);
  EXPECT_EQ(ledger->refused[3].message_id, "");
  EXPECT_TRUE(store_->list_receipts(alice_)->refused.empty());
  // A refusal is no receipt: no $MDNSent, and a later receipt is still the first one.
  EXPECT_FALSE(has_mdnsent(inbox_, 1));
  auto sent_one =
      store_->record_receipt(sent("<forged@example.com>"), ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(sent_one);
  EXPECT_EQ(sent_one->outcome, RecordOutcome::recorded);

  in.reason = "";
  EXPECT_ERROR(store_->record_refused_receipt(in), ErrorKind::invalid,
               "a refused receipt needs a reason");
  in.reason = "x";
  in.account = AccountId(999);
  EXPECT_ERROR(store_->record_refused_receipt(in), ErrorKind::not_found,
               "account 999 does not exist");
  // Removing the account removes its records.
  ASSERT_TRUE(store_->remove_account("bob@example.org"));
  EXPECT_TRUE(store_->list_receipts(std::nullopt)->refused.empty());
}

TEST_P(ReceiptContract, PolicyOverrides) {
  ASSERT_TRUE(store_->add_domain("other.org"));
  ASSERT_TRUE(store_->set_policy_override(PolicyScope::user, "BOB@example.org", "on_download",
                                          "displayed"));
  ASSERT_TRUE(
      store_->set_policy_override(PolicyScope::domain, "Example.ORG", "duplicates", "reject"));
  ASSERT_TRUE(
      store_->set_policy_override(PolicyScope::domain, "example.org", "duplicates", "drop"));
  ASSERT_TRUE(store_->set_policy_override(PolicyScope::domain, "other.org", "on_download", "off"));
  auto list = store_->list_policy_overrides();
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (std::vector<PolicyOverride>{
                       {PolicyScope::domain, "example.org", "duplicates", "drop"},
                       {PolicyScope::domain, "other.org", "on_download", "off"},
                       {PolicyScope::user, "Bob@example.org", "on_download", "displayed"},
                   }));
  EXPECT_ERROR(store_->set_policy_override(PolicyScope::domain, "nowhere.org", "k", "v"),
               ErrorKind::not_found, "domain nowhere.org does not exist");
  EXPECT_ERROR(store_->set_policy_override(PolicyScope::user, "eve@example.org", "k", "v"),
               ErrorKind::not_found, "user eve@example.org does not exist");
  EXPECT_ERROR(store_->set_policy_override(PolicyScope::user, "bob@example.org", "a b", "v"),
               ErrorKind::invalid, "policy key is not valid");
  EXPECT_ERROR(store_->set_policy_override(PolicyScope::user, "bob@example.org", "k", ""),
               ErrorKind::invalid, "policy value is not valid");
  EXPECT_ERROR(store_->unset_policy_override(PolicyScope::user, "bob@example.org", "duplicates"),
               ErrorKind::not_found, "no duplicates override for user Bob@example.org");
  ASSERT_TRUE(store_->unset_policy_override(PolicyScope::domain, "example.org", "duplicates"));
  ASSERT_TRUE(store_->remove_account("bob@example.org"));
  ASSERT_TRUE(store_->remove_domain("other.org"));
  list = store_->list_policy_overrides();
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ReceiptContract,
                         ::testing::Values("memory", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace postamt::store
