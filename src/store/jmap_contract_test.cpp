// The Store contract for JMAP (store/api/store.h: API tokens, account-wide changes,
// thread backfill), run against every backend like contract_test.cpp.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/test_backend.h"

namespace postamt::store {
namespace {

using namespace std::chrono_literals;

BlobRef blob(int n) {
  return *BlobRef::parse(fmt::format("{:064x}", n));
}

std::string hash(int n) {
  return fmt::format("{:064x}", 0xabc000 + n);
}

NewMessage message(int n, std::string message_id = "") {
  NewMessage m;
  m.blob = blob(n);
  m.size = static_cast<uint64_t>(100 + n);
  m.internal_date = InternalDate(1700000000s + n * 1s);
  m.message_id = std::move(message_id);
  return m;
}

class JmapContract : public BackendTest {
 protected:
  AccountId user(std::string_view address) {
    auto id = store_->create_account(address, "{ARGON2ID}hash");
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : AccountId();
  }
  Mailbox box(AccountId account, std::string_view name) {
    auto m = store_->find_mailbox(account, name);
    EXPECT_TRUE(m) << m.error().message;
    return m ? *m : Mailbox();
  }
  ModSeq modseq(AccountId account) {
    auto m = store_->account_modseq(account);
    EXPECT_TRUE(m) << m.error().message;
    return m ? *m : 0;
  }
  AccountChanges changes(AccountId account, ModSeq since) {
    auto c = store_->account_changes(account, since);
    EXPECT_TRUE(c) << c.error().message;
    return c ? *c : AccountChanges{};
  }
  AccountMessage stored(const Mailbox& mailbox, Uid uid) {
    auto m = store_->get_message(mailbox.id, uid);
    EXPECT_TRUE(m) << m.error().message;
    return AccountMessage{mailbox.id, m ? *m : MessageRecord{}};
  }
};

#define EXPECT_ERROR(expr, want_kind, want_message)       \
  do {                                                    \
    auto r_ = (expr);                                     \
    ASSERT_FALSE(r_) << #expr;                            \
    EXPECT_EQ(r_.error().kind, want_kind) << #expr;       \
    EXPECT_EQ(r_.error().message, want_message) << #expr; \
  } while (0)

// ---- API tokens ----

TEST_P(JmapContract, TokensCreateListFindRevoke) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  const InternalDate before =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto phone = store_->create_token(alice, "phone", hash(1));
  ASSERT_TRUE(phone) << phone.error().message;
  const InternalDate after =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  EXPECT_EQ(phone->account, alice);
  EXPECT_EQ(phone->name, "phone");
  EXPECT_EQ(phone->hash, hash(1));
  EXPECT_GE(phone->created, before);
  EXPECT_LE(phone->created, after);
  auto laptop = store_->create_token(alice, "laptop", hash(2));
  ASSERT_TRUE(laptop);
  EXPECT_NE(laptop->id, phone->id);
  // The same name in another account is another token.
  auto bobs = store_->create_token(bob, "phone", hash(3));
  ASSERT_TRUE(bobs);
  EXPECT_EQ(*store_->list_tokens(alice), (std::vector<ApiToken>{*laptop, *phone}));
  EXPECT_EQ(*store_->list_tokens(bob), (std::vector<ApiToken>{*bobs}));

  auto found = store_->find_token(hash(1));
  ASSERT_TRUE(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->first, *phone);
  EXPECT_EQ((*found)->second, (Account{alice, "alice@example.org"}));
  EXPECT_EQ(*store_->find_token(hash(9)), std::nullopt);

  ASSERT_TRUE(store_->revoke_token(alice, "phone"));
  EXPECT_EQ(*store_->find_token(hash(1)), std::nullopt);
  EXPECT_EQ(*store_->list_tokens(alice), (std::vector<ApiToken>{*laptop}));
  EXPECT_ERROR(store_->revoke_token(alice, "phone"), ErrorKind::not_found,
               "token phone does not exist");
  // bob's token of that name is untouched.
  EXPECT_EQ((*store_->find_token(hash(3)))->second.address, "bob@example.org");
}

TEST_P(JmapContract, TokenRules) {
  AccountId alice = user("alice@example.org");
  ASSERT_TRUE(store_->create_token(alice, "phone", hash(1)));
  EXPECT_ERROR(store_->create_token(alice, "phone", hash(2)), ErrorKind::exists,
               "token phone exists already");
  EXPECT_ERROR(store_->create_token(alice, "other", hash(1)), ErrorKind::exists,
               "a token with this secret exists already");
  for (std::string bad :
       {std::string(), std::string("a b"), std::string(65, 'x'), std::string("caf\xc3\xa9"),
        std::string("tab\there"), std::string("nul\0x", 5)}) {
    EXPECT_ERROR(store_->create_token(alice, bad, hash(5)), ErrorKind::invalid,
                 "token name is not valid");
  }
  EXPECT_TRUE(store_->create_token(alice, std::string(64, '~'), hash(6)));
  std::string upper = hash(7);
  upper[63] = 'A';
  upper[62] = 'B';
  for (const std::string& bad :
       {upper, hash(7).substr(1), hash(7) + "0", std::string(64, 'g'), std::string()}) {
    EXPECT_ERROR(store_->create_token(alice, "tablet", bad), ErrorKind::invalid,
                 "token hash is not 64 lowercase hex digits");
  }
  EXPECT_ERROR(store_->create_token(AccountId(4242), "phone", hash(8)), ErrorKind::not_found,
               "account 4242 does not exist");
  EXPECT_ERROR(store_->list_tokens(AccountId(4242)), ErrorKind::not_found,
               "account 4242 does not exist");
  EXPECT_ERROR(store_->revoke_token(AccountId(4242), "phone"), ErrorKind::not_found,
               "token phone does not exist");
  EXPECT_EQ(store_->list_tokens(alice)->size(), 2u);
}

TEST_P(JmapContract, RemovingAccountRemovesItsTokens) {
  AccountId bob = user("bob@example.org");
  ASSERT_TRUE(store_->create_token(bob, "phone", hash(1)));
  ASSERT_TRUE(store_->remove_account("bob@example.org"));
  EXPECT_EQ(*store_->find_token(hash(1)), std::nullopt);
  AccountId again = user("bob@example.org");
  EXPECT_TRUE(store_->list_tokens(again)->empty());
  // The secret is free again.
  EXPECT_TRUE(store_->create_token(again, "phone", hash(1)));
}

// ---- account-wide changes ----

// Every mailbox change takes an account modseq and shows in account_changes(); its
// messages' changes move only highest_modseq; deleting records a tombstone and its
// messages as removed.
TEST_P(JmapContract, MailboxChangesTakeAccountModseqs) {
  AccountId alice = user("alice@example.org");
  // Six default mailboxes, one modseq each.
  EXPECT_EQ(modseq(alice), 6u);
  EXPECT_EQ(changes(alice, 0).history_start, 0u);
  Mailbox inbox = box(alice, "INBOX");
  EXPECT_EQ(inbox.created_modseq, inbox.modseq);
  EXPECT_GT(inbox.created_modseq, 0u);

  auto lists = store_->create_mailbox(alice, "Lists", MailboxRole::none);
  ASSERT_TRUE(lists);
  EXPECT_EQ(lists->modseq, 7u);
  EXPECT_EQ(lists->created_modseq, 7u);
  EXPECT_EQ(lists->highest_modseq, 7u);
  EXPECT_EQ(*store_->get_mailbox(lists->id), *lists);
  auto child = store_->create_mailbox(alice, "Lists/a", MailboxRole::none);
  ASSERT_TRUE(child);
  auto appended = store_->append(child->id, message(1, "<a@x>"));
  ASSERT_TRUE(appended);
  EXPECT_EQ(appended->modseq, 9u);
  // Metadata moves highest_modseq (RFC 7162 §3.2), not the mailbox's own modseq.
  ASSERT_TRUE(store_->set_metadata(alice, lists->id, {{"/private/comment", "x"}}, 10));
  EXPECT_EQ(modseq(alice), 10u);
  // A rename changes every mailbox it moves.
  ASSERT_TRUE(store_->rename_mailbox(lists->id, "Groups"));
  EXPECT_EQ(modseq(alice), 11u);
  Mailbox groups = box(alice, "Groups");
  Mailbox groups_a = box(alice, "Groups/a");
  EXPECT_EQ(groups.modseq, 11u);
  EXPECT_EQ(groups.created_modseq, 7u);
  EXPECT_EQ(groups.highest_modseq, 10u);
  EXPECT_EQ(groups_a.modseq, 11u);
  EXPECT_EQ(groups_a.created_modseq, 8u);
  EXPECT_EQ(groups_a.highest_modseq, 9u);
  // Subscribing takes a modseq; subscribing again changes nothing.
  ASSERT_TRUE(store_->set_subscription(alice, "Groups", Subscription::subscribed));
  EXPECT_EQ(modseq(alice), 12u);
  ASSERT_TRUE(store_->set_subscription(alice, "Groups", Subscription::subscribed));
  EXPECT_EQ(modseq(alice), 12u);
  groups = box(alice, "Groups");
  EXPECT_EQ(groups.modseq, 12u);
  EXPECT_EQ(groups.subscription, Subscription::subscribed);
  // A name without a mailbox: the account's state moves, no mailbox changed.
  ASSERT_TRUE(store_->set_subscription(alice, "Nowhere", Subscription::subscribed));
  EXPECT_EQ(modseq(alice), 13u);

  AccountChanges c = changes(alice, 10);
  EXPECT_EQ(c.highest_modseq, 13u);
  EXPECT_EQ(c.history_start, 0u);
  EXPECT_EQ(c.mailboxes, (std::vector<Mailbox>{groups, groups_a}));
  EXPECT_TRUE(c.messages.empty());
  EXPECT_TRUE(c.expunged.empty());
  EXPECT_TRUE(c.deleted_mailboxes.empty());
  EXPECT_TRUE(changes(alice, 13).mailboxes.empty());

  MessageRecord kept = *store_->get_message(groups_a.id, 1);
  ASSERT_TRUE(store_->delete_mailbox(groups_a.id));
  EXPECT_EQ(modseq(alice), 14u);
  c = changes(alice, 13);
  EXPECT_EQ(c.highest_modseq, 14u);
  EXPECT_TRUE(c.mailboxes.empty());
  EXPECT_TRUE(c.messages.empty());
  EXPECT_EQ(c.deleted_mailboxes,
            (std::vector<MailboxTombstone>{{groups_a.id, groups_a.uid_validity, 14}}));
  EXPECT_EQ(c.expunged, (std::vector<AccountExpunge>{{groups_a.id, 1, 14, blob(1), kept.thread}}));
  EXPECT_EQ(kept.thread, std::optional<uint64_t>(9));
  // From the start: every existing mailbox (all changed after 0), the deletion.
  c = changes(alice, 0);
  EXPECT_EQ(c.mailboxes.size(), 7u);
  EXPECT_EQ(c.mailboxes.front(), box(alice, "INBOX"));
  EXPECT_EQ(c.deleted_mailboxes.size(), 1u);
  EXPECT_TRUE(c.messages.empty());
  EXPECT_EQ(c.expunged.size(), 1u);
}

// Appends, deliveries, copies, moves, flag changes and expunges of every mailbox show
// in account order; removals keep their blob and thread.
TEST_P(JmapContract, MessageChangesAcrossMailboxes) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  Mailbox inbox = box(alice, "INBOX");
  Mailbox archive = box(alice, "Archive");
  ASSERT_EQ(modseq(alice), 6u);
  ASSERT_EQ(store_->append(inbox.id, message(1, "<a@x>"))->modseq, 7u);
  auto delivered = store_->deliver(message(2, "<b@x>"), {{inbox.id, {}, {}}, {archive.id, {}, {}}});
  ASSERT_TRUE(delivered);
  EXPECT_EQ((*delivered)[0].modseq, 8u);
  EXPECT_EQ((*delivered)[1].modseq, 9u);
  auto copied = store_->copy(inbox.id, {1}, archive.id);
  ASSERT_TRUE(copied);
  EXPECT_EQ(copied->mapping, (std::vector<UidMapping>{{1, 2}}));
  EXPECT_EQ(store_->get_message(archive.id, 2)->created_modseq, 10u);
  EXPECT_EQ(store_->get_message(inbox.id, 2)->created_modseq, 8u);
  // Another account's writes are not alice's changes.
  ASSERT_TRUE(store_->append(box(bob, "INBOX").id, message(3)));

  ASSERT_TRUE(store_->update_flags(inbox.id, {2},
                                   FlagUpdate{FlagOperation::add, {SystemFlag::seen}, {}, {}}));
  auto moved = store_->move(inbox.id, {1}, archive.id);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->mapping, (std::vector<UidMapping>{{1, 3}}));
  ASSERT_TRUE(store_->expunge(archive.id, {1}));
  EXPECT_EQ(modseq(alice), 14u);

  AccountChanges c = changes(alice, 10);
  EXPECT_EQ(c.highest_modseq, 14u);
  AccountMessage flagged = stored(inbox, 2);
  AccountMessage arrived = stored(archive, 3);
  EXPECT_EQ(flagged.record.modseq, 11u);
  EXPECT_EQ(flagged.record.created_modseq, 8u);
  EXPECT_EQ(arrived.record.modseq, 12u);
  EXPECT_EQ(arrived.record.created_modseq, 12u);
  EXPECT_EQ(arrived.record.thread, std::optional<uint64_t>(7));
  EXPECT_EQ(c.messages, (std::vector<AccountMessage>{flagged, arrived}));
  EXPECT_EQ(c.expunged, (std::vector<AccountExpunge>{{inbox.id, 1, 13, blob(1), 7},
                                                     {archive.id, 1, 14, blob(2), 8}}));
  EXPECT_EQ(c.mailboxes, (std::vector<Mailbox>{box(alice, "INBOX"), box(alice, "Archive")}));
  EXPECT_TRUE(c.deleted_mailboxes.empty());

  // Same modseq: by mailbox, then uid.
  c = changes(alice, 0);
  EXPECT_EQ(c.messages, (std::vector<AccountMessage>{stored(archive, 2), flagged, arrived}));
  EXPECT_EQ(c.mailboxes.size(), 6u);
  EXPECT_EQ(c.expunged.size(), 2u);

  c = changes(alice, 14);
  EXPECT_EQ(c.highest_modseq, 14u);
  EXPECT_TRUE(c.messages.empty());
  EXPECT_TRUE(c.expunged.empty());
  EXPECT_TRUE(c.mailboxes.empty());

  // expunge_deleted records its removals too.
  ASSERT_TRUE(store_->update_flags(archive.id, {2},
                                   FlagUpdate{FlagOperation::add, {SystemFlag::deleted}, {}, {}}));
  ASSERT_TRUE(store_->expunge_deleted(archive.id, {2, 3}));
  EXPECT_EQ(changes(alice, 14).expunged,
            (std::vector<AccountExpunge>{{archive.id, 2, 16, blob(1), 7}}));

  EXPECT_EQ(*store_->list_account_messages(alice),
            (std::vector<AccountMessage>{stored(inbox, 2), stored(archive, 3)}));
  EXPECT_EQ(store_->list_account_messages(bob)->size(), 1u);
}

TEST_P(JmapContract, UnknownAccount) {
  EXPECT_ERROR(store_->account_changes(AccountId(4242), 0), ErrorKind::not_found,
               "account 4242 does not exist");
  EXPECT_ERROR(store_->account_modseq(AccountId(4242)), ErrorKind::not_found,
               "account 4242 does not exist");
  EXPECT_ERROR(store_->list_account_messages(AccountId(4242)), ErrorKind::not_found,
               "account 4242 does not exist");
  EXPECT_ERROR(store_->assign_missing_threads(AccountId(4242)), ErrorKind::not_found,
               "account 4242 does not exist");
}

// Messages stored now have a thread: nothing to assign, nothing changes (the migration
// test in store/sqlite covers messages without one).
TEST_P(JmapContract, AssignMissingThreadsLeavesThreadedMessages) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  ASSERT_TRUE(store_->append(inbox.id, message(1, "<a@x>")));
  auto before = store_->list_account_messages(alice);
  ModSeq state = modseq(alice);
  EXPECT_EQ(*store_->assign_missing_threads(alice), 0u);
  EXPECT_EQ(*store_->list_account_messages(alice), *before);
  EXPECT_EQ(modseq(alice), state);
}

INSTANTIATE_TEST_SUITE_P(Backends, JmapContract, ::testing::Values("memory", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace postamt::store
