// The Store contract (store/api/store.h), run against every backend: the in-memory
// fake and SQLite in a temporary directory. A behaviour that differs between them
// fails here.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "store/api/rules.h"
#include "store/test_backend.h"

namespace postamt::store {
namespace {

using namespace std::chrono_literals;

BlobRef blob(int n) {
  return *BlobRef::parse(fmt::format("{:064x}", n));
}

NewMessage message(int n, SystemFlags flags = {}, Keywords keywords = {}) {
  return NewMessage{blob(n),
                    static_cast<uint64_t>(100 + n),
                    InternalDate(1700000000s + n * 1s),
                    flags,
                    std::move(keywords),
                    ""};
}

std::vector<Uid> uids_of(const std::vector<MessageRecord>& messages) {
  std::vector<Uid> out;
  for (const MessageRecord& m : messages) out.push_back(m.uid);
  return out;
}

class StoreContract : public BackendTest {
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
  Mailbox reload(const Mailbox& m) { return *store_->get_mailbox(m.id); }
};

#define EXPECT_ERROR(expr, want_kind, want_message)       \
  do {                                                    \
    auto r_ = (expr);                                     \
    ASSERT_FALSE(r_) << #expr;                            \
    EXPECT_EQ(r_.error().kind, want_kind) << #expr;       \
    EXPECT_EQ(r_.error().message, want_message) << #expr; \
  } while (0)

// ---- domains ----

TEST_P(StoreContract, Domains) {
  EXPECT_ERROR(store_->add_domain("Example.ORG"), ErrorKind::exists,
               "domain example.org exists already");
  ASSERT_TRUE(store_->add_domain("B.example"));
  EXPECT_EQ(*store_->list_domains(), (std::vector<std::string>{"b.example", "example.org"}));
  EXPECT_EQ(*store_->domain_exists("EXAMPLE.org"), true);
  EXPECT_EQ(*store_->domain_exists("other.test"), false);
  EXPECT_ERROR(store_->add_domain("bad domain"), ErrorKind::invalid,
               "domain name \"bad domain\" is not valid");
  EXPECT_ERROR(store_->remove_domain("other.test"), ErrorKind::not_found,
               "domain other.test does not exist");

  user("alice@example.org");
  ASSERT_TRUE(store_->add_alias("info@example.org", {"alice@example.org"}));
  ASSERT_TRUE(store_->add_alias("sales@example.org", {"alice@example.org"}));
  EXPECT_ERROR(store_->remove_domain("example.org"), ErrorKind::invalid,
               "domain example.org is still used by 1 account and 2 aliases");
  ASSERT_TRUE(store_->remove_domain("b.example"));
  EXPECT_EQ(*store_->list_domains(), std::vector<std::string>{"example.org"});
}

// ---- accounts ----

TEST_P(StoreContract, AccountRules) {
  EXPECT_ERROR(store_->create_account("bob@nowhere.test", "h"), ErrorKind::not_found,
               "domain nowhere.test does not exist");
  AccountId alice = user("Alice@Example.org");
  EXPECT_TRUE(alice.valid());
  EXPECT_ERROR(store_->create_account("ALICE@example.org", "h"), ErrorKind::exists,
               "user ALICE@example.org exists already");
  ASSERT_TRUE(store_->add_alias("info@example.org", {"alice@example.org"}));
  EXPECT_ERROR(store_->create_account("Info@example.org", "h"), ErrorKind::exists,
               "alias Info@example.org exists already");
  EXPECT_ERROR(store_->create_account("no-at-sign", "h"), ErrorKind::invalid,
               "address \"no-at-sign\" is not valid");

  auto found = store_->find_account("alice@EXAMPLE.ORG");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, alice);
  EXPECT_EQ(found->address, "Alice@example.org");
  EXPECT_ERROR(store_->find_account("carol@example.org"), ErrorKind::not_found,
               "user carol@example.org does not exist");

  EXPECT_EQ(*store_->password_hash("alice@example.org"), "{ARGON2ID}hash");
  ASSERT_TRUE(store_->set_password_hash("ALICE@example.org", "{ARGON2ID}new"));
  EXPECT_EQ(*store_->password_hash("alice@example.org"), "{ARGON2ID}new");
  EXPECT_ERROR(store_->set_password_hash("carol@example.org", "x"), ErrorKind::not_found,
               "user carol@example.org does not exist");

  AccountId bob = user("bob@example.org");
  auto all = store_->list_accounts();
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, (std::vector<Account>{{alice, "Alice@example.org"}, {bob, "bob@example.org"}}));

  ASSERT_TRUE(store_->remove_account("alice@example.org"));
  EXPECT_ERROR(store_->remove_account("alice@example.org"), ErrorKind::not_found,
               "user alice@example.org does not exist");
  EXPECT_ERROR(store_->list_mailboxes(alice), ErrorKind::not_found,
               fmt::format("account {} does not exist", alice.value()));
  EXPECT_ERROR(store_->known_keywords(alice), ErrorKind::not_found,
               fmt::format("account {} does not exist", alice.value()));
  EXPECT_ERROR(store_->create_mailbox(alice, "x", MailboxRole::none), ErrorKind::not_found,
               fmt::format("account {} does not exist", alice.value()));
  EXPECT_EQ(store_->list_accounts()->size(), 1u);
}

TEST_P(StoreContract, NewAccountHasDefaultMailboxes) {
  AccountId alice = user("alice@example.org");
  auto boxes = store_->list_mailboxes(alice);
  ASSERT_TRUE(boxes);
  std::vector<std::pair<std::string, MailboxRole>> got;
  std::set<UidValidity> validities;
  for (const Mailbox& m : *boxes) {
    got.emplace_back(m.name, m.role);
    EXPECT_EQ(m.account, alice);
    EXPECT_EQ(m.subscription, Subscription::subscribed);
    EXPECT_EQ(m.uid_next, 1u);
    EXPECT_EQ(m.messages, 0u);
    EXPECT_EQ(m.unseen, 0u);
    EXPECT_NE(m.uid_validity, 0u);
    EXPECT_GT(m.highest_modseq, 0u);
    validities.insert(m.uid_validity);
  }
  EXPECT_EQ(got,
            (std::vector<std::pair<std::string, MailboxRole>>{{"Archive", MailboxRole::archive},
                                                              {"Drafts", MailboxRole::drafts},
                                                              {"INBOX", MailboxRole::inbox},
                                                              {"Junk", MailboxRole::junk},
                                                              {"Sent", MailboxRole::sent},
                                                              {"Trash", MailboxRole::trash}}));
  EXPECT_EQ(validities.size(), 6u);
  EXPECT_EQ(box(alice, "inbox").name, "INBOX");
  EXPECT_EQ(store_->find_mailbox_by_role(alice, MailboxRole::junk)->name, "Junk");
  EXPECT_ERROR(store_->find_mailbox(alice, "sent"), ErrorKind::not_found,
               "mailbox sent does not exist");
}

// ---- aliases ----

TEST_P(StoreContract, AliasRules) {
  user("alice@example.org");
  EXPECT_ERROR(store_->add_alias("x@other.test", {"alice@example.org"}), ErrorKind::not_found,
               "domain other.test does not exist");
  EXPECT_ERROR(store_->add_alias("x@example.org", {}), ErrorKind::invalid,
               "alias x@example.org needs at least one target");
  EXPECT_ERROR(store_->add_alias("x@example.org", {"not an address"}), ErrorKind::invalid,
               "address \"not an address\" is not valid");
  EXPECT_ERROR(store_->add_alias("ALICE@example.org", {"a@b.test"}), ErrorKind::exists,
               "user ALICE@example.org exists already");
  ASSERT_TRUE(store_->add_alias("Team@Example.org",
                                {"alice@example.org", "Bob@Remote.TEST", "ALICE@example.org"}));
  EXPECT_ERROR(store_->add_alias("team@example.org", {"a@b.test"}), ErrorKind::exists,
               "alias team@example.org exists already");
  auto team = store_->find_alias("TEAM@example.org");
  ASSERT_TRUE(team);
  EXPECT_EQ(*team, (Alias{"Team@example.org", {"alice@example.org", "Bob@remote.test"}}));
  ASSERT_TRUE(store_->add_alias("abuse@example.org", {"postmaster@remote.test"}));
  auto all = store_->list_aliases();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].address, "abuse@example.org");
  EXPECT_EQ((*all)[1].address, "Team@example.org");
  ASSERT_TRUE(store_->remove_alias("team@EXAMPLE.org"));
  EXPECT_ERROR(store_->remove_alias("team@example.org"), ErrorKind::not_found,
               "alias team@example.org does not exist");
}

TEST_P(StoreContract, AliasResolution) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  ASSERT_TRUE(store_->add_alias("team@example.org", {"alice@example.org", "dev@example.org"}));
  ASSERT_TRUE(store_->add_alias("dev@example.org", {"bob@example.org", "ALICE@example.org",
                                                    "x@remote.test", "gone@example.org"}));

  auto r = store_->resolve("Team@example.org");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (std::vector<Recipient>{{"alice@example.org", RecipientKind::local, alice},
                                        {"bob@example.org", RecipientKind::local, bob},
                                        {"x@remote.test", RecipientKind::remote, {}},
                                        {"gone@example.org", RecipientKind::unknown_local, {}}}));

  EXPECT_EQ(*store_->resolve("BOB@example.org"),
            (std::vector<Recipient>{{"bob@example.org", RecipientKind::local, bob}}));
  EXPECT_EQ(*store_->resolve("Someone@Remote.test"),
            (std::vector<Recipient>{{"Someone@remote.test", RecipientKind::remote, {}}}));
  EXPECT_ERROR(store_->resolve("nobody@example.org"), ErrorKind::not_found,
               "address nobody@example.org does not exist");
}

TEST_P(StoreContract, AliasLoopsAndDepthLimit) {
  ASSERT_TRUE(store_->add_alias("a@example.org", {"b@example.org"}));
  ASSERT_TRUE(store_->add_alias("b@example.org", {"c@remote.test", "A@example.org"}));
  EXPECT_ERROR(store_->resolve("a@example.org"), ErrorKind::invalid,
               "alias loop: a@example.org -> b@example.org -> A@example.org");
  ASSERT_TRUE(store_->add_alias("self@example.org", {"self@example.org"}));
  EXPECT_ERROR(store_->resolve("self@example.org"), ErrorKind::invalid,
               "alias loop: self@example.org -> self@example.org");

  // A chain of exactly kMaxAliasDepth aliases resolves; one more does not.
  for (int i = 1; i <= kMaxAliasDepth; ++i) {
    std::string next =
        i == kMaxAliasDepth ? "end@remote.test" : fmt::format("l{}@example.org", i + 1);
    ASSERT_TRUE(store_->add_alias(fmt::format("l{}@example.org", i), {next}));
  }
  EXPECT_EQ(*store_->resolve("l1@example.org"),
            (std::vector<Recipient>{{"end@remote.test", RecipientKind::remote, {}}}));
  ASSERT_TRUE(store_->add_alias("l0@example.org", {"l1@example.org"}));
  EXPECT_ERROR(store_->resolve("l0@example.org"), ErrorKind::limit,
               "alias l0@example.org expands deeper than 10 levels");
}

// ---- mailboxes ----

TEST_P(StoreContract, MailboxCreateAndRules) {
  AccountId alice = user("alice@example.org");
  auto work = store_->create_mailbox(alice, "Work", MailboxRole::none);
  ASSERT_TRUE(work);
  EXPECT_EQ(work->name, "Work");
  EXPECT_EQ(work->uid_next, 1u);
  EXPECT_EQ(work->messages, 0u);
  EXPECT_EQ(*store_->get_mailbox(work->id), *work);
  EXPECT_ERROR(store_->create_mailbox(alice, "Work", MailboxRole::none), ErrorKind::exists,
               "mailbox Work exists already");
  EXPECT_ERROR(store_->create_mailbox(alice, "iNbOx", MailboxRole::none), ErrorKind::exists,
               "mailbox INBOX exists already");
  EXPECT_ERROR(store_->create_mailbox(alice, "Spam", MailboxRole::junk), ErrorKind::exists,
               "a mailbox with role junk exists already");
  EXPECT_ERROR(store_->create_mailbox(alice, "a//b", MailboxRole::none), ErrorKind::invalid,
               "mailbox name \"a//b\" is not valid: it has an empty level");
  EXPECT_ERROR(store_->create_mailbox(alice, "/a", MailboxRole::none), ErrorKind::invalid,
               "mailbox name \"/a\" is not valid: it starts or ends with /");
  EXPECT_ERROR(store_->create_mailbox(alice, "a*", MailboxRole::none), ErrorKind::invalid,
               "mailbox name \"a*\" is not valid: it has a wildcard character");
  EXPECT_ERROR(store_->get_mailbox(MailboxId(999999)), ErrorKind::not_found,
               "mailbox 999999 does not exist");

  EXPECT_EQ(work->subscription, Subscription::unsubscribed);

  // A re-created name gets a new UIDVALIDITY (RFC 9051 §2.3.1.1).
  ASSERT_TRUE(store_->delete_mailbox(work->id));
  EXPECT_EQ(store_->get_mailbox(work->id).error().kind, ErrorKind::not_found);
  auto again = store_->create_mailbox(alice, "Work", MailboxRole::none);
  ASSERT_TRUE(again);
  EXPECT_NE(again->uid_validity, work->uid_validity);
  EXPECT_NE(again->id, work->id);
  EXPECT_ERROR(store_->delete_mailbox(box(alice, "INBOX").id), ErrorKind::invalid,
               "INBOX cannot be deleted");
}

// Subscriptions are names (RFC 3501 §6.3.6): a new account's default mailboxes are
// subscribed, a created one is not; a subscription outlives DELETE and applies to the
// name's next mailbox; RENAME takes the subscriptions at and below the name along.
TEST_P(StoreContract, SubscriptionsAreNames) {
  AccountId alice = user("alice@example.org");
  using V = std::vector<std::string>;
  EXPECT_EQ(*store_->list_subscriptions(alice),
            (V{"Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"}));
  EXPECT_EQ(box(alice, "Sent").subscription, Subscription::subscribed);
  auto work = store_->create_mailbox(alice, "Work", MailboxRole::none);
  ASSERT_TRUE(work);
  EXPECT_EQ(work->subscription, Subscription::unsubscribed);
  ASSERT_TRUE(store_->set_subscription(alice, "Work", Subscription::subscribed));
  ASSERT_TRUE(store_->set_subscription(alice, "Work", Subscription::subscribed));
  EXPECT_EQ(reload(*work).subscription, Subscription::subscribed);
  ASSERT_TRUE(store_->set_subscription(alice, "Drafts", Subscription::unsubscribed));
  ASSERT_TRUE(store_->set_subscription(alice, "Nowhere", Subscription::unsubscribed));
  ASSERT_TRUE(store_->set_subscription(alice, "Work/Later", Subscription::subscribed));
  EXPECT_EQ(box(alice, "Drafts").subscription, Subscription::unsubscribed);

  // A subscribed name the rename would make longer than 1000 octets is dropped; the
  // rename itself succeeds.
  const std::string deep = "Work/" + std::string(990, 'd');
  ASSERT_TRUE(store_->set_subscription(alice, deep, Subscription::subscribed));
  ASSERT_TRUE(store_->rename_mailbox(work->id, "Job" + std::string(10, 'x')));
  ASSERT_TRUE(store_->rename_mailbox(work->id, "Job"));
  EXPECT_EQ(box(alice, "Job").subscription, Subscription::subscribed);
  EXPECT_EQ(*store_->list_subscriptions(alice),
            (V{"Archive", "INBOX", "Job", "Job/Later", "Junk", "Sent", "Trash"}));
  ASSERT_TRUE(store_->delete_mailbox(work->id));
  EXPECT_EQ(*store_->list_subscriptions(alice),
            (V{"Archive", "INBOX", "Job", "Job/Later", "Junk", "Sent", "Trash"}));
  auto again = store_->create_mailbox(alice, "Job", MailboxRole::none);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->subscription, Subscription::subscribed);
  EXPECT_EQ(reload(*again).subscription, Subscription::subscribed);

  EXPECT_ERROR(store_->set_subscription(alice, "a//b", Subscription::subscribed),
               ErrorKind::invalid, "mailbox name \"a//b\" is not valid: it has an empty level");
  EXPECT_EQ(store_->set_subscription(AccountId(999999), "x", Subscription::subscribed).error().kind,
            ErrorKind::not_found);
  EXPECT_EQ(store_->list_subscriptions(AccountId(999999)).error().kind, ErrorKind::not_found);
  ASSERT_TRUE(store_->remove_account("alice@example.org"));
  AccountId again_alice = user("alice@example.org");
  EXPECT_EQ(store_->list_subscriptions(again_alice)->size(), 6u);
}

// IMAP4rev1 \Recent: each new uid is claimed exactly once; a claim with nothing new
// returns a value above `last`; copies count as new.
TEST_P(StoreContract, ClaimRecentHandsOutEachUidOnce) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  Mailbox archive = box(alice, "Archive");
  EXPECT_EQ(inbox.first_recent_uid, 1u);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(store_->append(inbox.id, message(i)));
  EXPECT_EQ(*store_->claim_recent(inbox.id, 3), 1u);
  EXPECT_EQ(*store_->claim_recent(inbox.id, 3), 4u);
  EXPECT_EQ(reload(inbox).first_recent_uid, 4u);
  ASSERT_TRUE(store_->append(inbox.id, message(4)));
  EXPECT_EQ(*store_->claim_recent(inbox.id, 2), 4u);  // below: nothing claimed
  EXPECT_EQ(*store_->claim_recent(inbox.id, 4), 4u);
  ASSERT_TRUE(store_->copy(inbox.id, {1}, archive.id));
  EXPECT_EQ(*store_->claim_recent(archive.id, 1), 1u);
  EXPECT_EQ(store_->claim_recent(MailboxId(999999), 1).error().kind, ErrorKind::not_found);
}

TEST_P(StoreContract, RenameMovesChildren) {
  AccountId alice = user("alice@example.org");
  for (const char* name : {"a", "a/b", "a/b/c", "ab", "x"}) {
    ASSERT_TRUE(store_->create_mailbox(alice, name, MailboxRole::none));
  }
  Mailbox a = box(alice, "a");
  Mailbox abc = box(alice, "a/b/c");
  ASSERT_TRUE(store_->append(abc.id, message(1)));
  EXPECT_ERROR(store_->rename_mailbox(a.id, "x"), ErrorKind::exists, "mailbox x exists already");
  EXPECT_ERROR(store_->rename_mailbox(a.id, "a/b/z"), ErrorKind::invalid,
               "mailbox a cannot be moved below itself");
  EXPECT_ERROR(store_->rename_mailbox(box(alice, "INBOX").id, "Old"), ErrorKind::invalid,
               "INBOX cannot be renamed");
  ASSERT_TRUE(store_->create_mailbox(alice, "z/b", MailboxRole::none));
  EXPECT_ERROR(store_->rename_mailbox(a.id, "z"), ErrorKind::exists, "mailbox z/b exists already");
  EXPECT_EQ(box(alice, "a/b").name, "a/b");  // the failed rename changed nothing

  ASSERT_TRUE(store_->rename_mailbox(a.id, "y/new"));
  std::vector<std::string> names;
  auto boxes = store_->list_mailboxes(alice);
  ASSERT_TRUE(boxes);
  for (const Mailbox& m : *boxes) names.push_back(m.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash",
                                             "ab", "x", "y/new", "y/new/b", "y/new/b/c", "z/b"}));
  Mailbox moved = box(alice, "y/new/b/c");
  EXPECT_EQ(moved.id, abc.id);
  EXPECT_EQ(moved.uid_validity, abc.uid_validity);
  EXPECT_EQ(moved.messages, 1u);
}

// ---- messages ----

TEST_P(StoreContract, AppendAssignsUidsAndModseqs) {
  const InternalDate before =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  std::vector<Appended> appended;
  for (int i = 1; i <= 3; ++i) {
    auto a = store_->append(inbox.id,
                            message(i, i == 2 ? SystemFlags{SystemFlag::seen} : SystemFlags{}));
    ASSERT_TRUE(a) << a.error().message;
    appended.push_back(*a);
  }
  EXPECT_EQ(appended[0].uid, 1u);
  EXPECT_EQ(appended[1].uid, 2u);
  EXPECT_EQ(appended[2].uid, 3u);
  EXPECT_GT(appended[0].modseq, inbox.highest_modseq);
  EXPECT_LT(appended[0].modseq, appended[1].modseq);
  EXPECT_LT(appended[1].modseq, appended[2].modseq);

  Mailbox now = reload(inbox);
  EXPECT_EQ(now.uid_next, 4u);
  EXPECT_EQ(now.messages, 3u);
  EXPECT_EQ(now.unseen, 2u);
  EXPECT_EQ(now.highest_modseq, appended[2].modseq);

  auto list = store_->list_messages(inbox.id);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  // RFC 8514: the save date is the store's clock at the append, not the internal date.
  const InternalDate after =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  MessageRecord second = (*list)[1];
  ASSERT_TRUE(second.save_date);
  EXPECT_GE(*second.save_date, before);
  EXPECT_LE(*second.save_date, after);
  second.save_date.reset();
  // No Message-ID, no references: the message starts its own thread.
  EXPECT_EQ(second.thread, appended[1].modseq);
  second.thread.reset();
  EXPECT_EQ(second.created_modseq, appended[1].modseq);
  second.created_modseq = 0;
  EXPECT_EQ(second, (MessageRecord{2,
                                   appended[1].modseq,
                                   {SystemFlag::seen},
                                   {},
                                   InternalDate(1700000002s),
                                   102,
                                   blob(2),
                                   ""}));
  EXPECT_EQ(*store_->get_message(inbox.id, 3), (*list)[2]);
  EXPECT_ERROR(store_->get_message(inbox.id, 9), ErrorKind::not_found,
               "message with UID 9 does not exist");
  EXPECT_ERROR(store_->append(MailboxId(424242), message(9)), ErrorKind::not_found,
               "mailbox 424242 does not exist");
  EXPECT_ERROR(store_->append(inbox.id, message(9, {}, Keywords{"bad word"})), ErrorKind::invalid,
               "keyword \"bad word\" is not valid");
  EXPECT_EQ(reload(inbox).uid_next, 4u);
}

TEST_P(StoreContract, UidsAreNeverReusedAfterExpunge) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(store_->append(inbox.id, message(i)));
  auto gone = store_->expunge(inbox.id, {3, 2, 77});
  ASSERT_TRUE(gone);
  ASSERT_EQ(gone->size(), 2u);
  EXPECT_EQ((*gone)[0].uid, 2u);
  EXPECT_EQ((*gone)[1].uid, 3u);
  EXPECT_EQ((*gone)[0].modseq, (*gone)[1].modseq);
  Mailbox now = reload(inbox);
  EXPECT_EQ(now.uid_next, 4u);
  EXPECT_EQ(now.messages, 1u);
  EXPECT_EQ(now.highest_modseq, (*gone)[0].modseq);
  EXPECT_EQ(store_->append(inbox.id, message(4))->uid, 4u);
  EXPECT_EQ(uids_of(*store_->list_messages(inbox.id)), (std::vector<Uid>{1, 4}));
  EXPECT_TRUE(store_->expunge(inbox.id, {})->empty());
}

TEST_P(StoreContract, FlagUpdates) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(store_->append(inbox.id, message(i)));
  ModSeq before = reload(inbox).highest_modseq;

  auto added = store_->update_flags(
      inbox.id, {1, 2, 50}, FlagUpdate{FlagOperation::add, {SystemFlag::seen}, {"$Work"}, {}});
  ASSERT_TRUE(added) << added.error().message;
  ASSERT_EQ(added->changed.size(), 2u);
  EXPECT_TRUE(added->modified.empty());
  ModSeq m1 = added->changed[0].modseq;
  EXPECT_GT(m1, before);
  EXPECT_EQ(added->changed[1].modseq, m1);
  EXPECT_EQ(added->changed[0].flags, SystemFlags{SystemFlag::seen});
  EXPECT_EQ(added->changed[0].keywords.items(), std::vector<std::string>{"$Work"});
  EXPECT_EQ(reload(inbox).unseen, 1u);
  EXPECT_EQ(reload(inbox).highest_modseq, m1);

  // No change: modseq stays.
  auto same = store_->update_flags(
      inbox.id, {1}, FlagUpdate{FlagOperation::add, {SystemFlag::seen}, {"$WORK"}, {}});
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->changed.empty());
  EXPECT_EQ(store_->get_message(inbox.id, 1)->modseq, m1);
  EXPECT_EQ(reload(inbox).highest_modseq, m1);

  auto removed = store_->update_flags(
      inbox.id, {1}, FlagUpdate{FlagOperation::remove, {SystemFlag::seen}, {"$work"}, {}});
  ASSERT_EQ(removed->changed.size(), 1u);
  EXPECT_TRUE(removed->changed[0].flags.empty());
  EXPECT_TRUE(removed->changed[0].keywords.empty());
  EXPECT_GT(removed->changed[0].modseq, m1);

  auto replaced = store_->update_flags(
      inbox.id, {2},
      FlagUpdate{FlagOperation::replace, {SystemFlag::flagged, SystemFlag::draft}, {"x"}, {}});
  ASSERT_EQ(replaced->changed.size(), 1u);
  auto two = *store_->get_message(inbox.id, 2);
  EXPECT_EQ(two.flags, (SystemFlags{SystemFlag::flagged, SystemFlag::draft}));
  EXPECT_EQ(two.keywords.items(), std::vector<std::string>{"x"});
  EXPECT_EQ(reload(inbox).unseen, 3u);
  EXPECT_ERROR(store_->update_flags(inbox.id, {1}, FlagUpdate{FlagOperation::add, {}, {"a)"}, {}}),
               ErrorKind::invalid, "keyword \"a)\" is not valid");
}

TEST_P(StoreContract, UnchangedSinceConflicts) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(store_->append(inbox.id, message(i)));
  ModSeq m2 = store_->get_message(inbox.id, 2)->modseq;
  // Another session changes message 3 after the client's view (m2 < modseq(3)).
  ASSERT_TRUE(store_->update_flags(inbox.id, {3},
                                   FlagUpdate{FlagOperation::add, {SystemFlag::answered}, {}, {}}));
  ModSeq m3 = store_->get_message(inbox.id, 3)->modseq;

  // RFC 7162 §3.1.3: messages 1 and 2 pass, 3 fails and is untouched.
  auto r = store_->update_flags(inbox.id, {1, 2, 3},
                                FlagUpdate{FlagOperation::add, {SystemFlag::deleted}, {}, m2});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->modified, std::vector<Uid>{3});
  EXPECT_EQ(uids_of(r->changed), (std::vector<Uid>{1, 2}));
  auto three = *store_->get_message(inbox.id, 3);
  EXPECT_EQ(three.flags, SystemFlags{SystemFlag::answered});
  EXPECT_EQ(three.modseq, m3);
  // UNCHANGEDSINCE 0 fails every message (RFC 7162 §3.1.3 example).
  auto zero = store_->update_flags(inbox.id, {1},
                                   FlagUpdate{FlagOperation::add, {SystemFlag::seen}, {}, 0});
  EXPECT_EQ(zero->modified, std::vector<Uid>{1});
  EXPECT_TRUE(zero->changed.empty());
}

TEST_P(StoreContract, KeywordSpellingFromFirstUse) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  ASSERT_TRUE(store_->append(inbox.id, message(1, {}, Keywords{"$Forwarded"})));
  ASSERT_TRUE(store_->append(inbox.id, message(2, {}, Keywords{"$FORWARDED", "Later"})));
  EXPECT_EQ(store_->get_message(inbox.id, 2)->keywords.items(),
            (std::vector<std::string>{"$Forwarded", "Later"}));
  ASSERT_TRUE(store_->update_flags(
      inbox.id, {1}, FlagUpdate{FlagOperation::remove, {}, {"$forwarded", "Never"}, {}}));
  EXPECT_EQ(*store_->known_keywords(alice), (std::vector<std::string>{"$Forwarded", "Later"}));
}

// expunge_deleted removes only what still has \Deleted when it runs (another client may
// have un-deleted a message since the caller looked).
TEST_P(StoreContract, ExpungeDeletedChecksTheFlag) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  ASSERT_TRUE(store_->append(inbox.id, message(1, {SystemFlag::deleted})));
  ASSERT_TRUE(store_->append(inbox.id, message(2, {SystemFlag::deleted})));
  ASSERT_TRUE(store_->append(inbox.id, message(3)));
  ASSERT_TRUE(store_->update_flags(
      inbox.id, {2}, FlagUpdate{FlagOperation::remove, {SystemFlag::deleted}, {}, {}}));
  auto removed = store_->expunge_deleted(inbox.id, {1, 2, 3});
  ASSERT_TRUE(removed);
  ASSERT_EQ(removed->size(), 1u);
  EXPECT_EQ(removed->front().uid, 1u);
  EXPECT_EQ(store_->get_mailbox(inbox.id)->messages, 2u);
}

// RFC 3503 / docs/read-receipts.md: $MDNSent is a one-way latch, enforced by the store itself so
// that no caller's stale view can clear it.
TEST_P(StoreContract, MdnSentIsNeverRemoved) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  ASSERT_TRUE(store_->append(inbox.id, message(1, {}, Keywords{"$MDNSent", "Later"})));
  auto removed = store_->update_flags(
      inbox.id, {1}, FlagUpdate{FlagOperation::remove, {}, {"$mdnsent", "Later"}, {}});
  ASSERT_TRUE(removed);
  EXPECT_EQ(store_->get_message(inbox.id, 1)->keywords.items(),
            std::vector<std::string>{"$MDNSent"});
  ASSERT_TRUE(store_->update_flags(
      inbox.id, {1}, FlagUpdate{FlagOperation::replace, {SystemFlag::seen}, {"Other"}, {}}));
  auto m = *store_->get_message(inbox.id, 1);
  EXPECT_EQ(m.flags, SystemFlags{SystemFlag::seen});
  EXPECT_EQ(m.keywords.items(), (std::vector<std::string>{"Other", "$MDNSent"}));
}

TEST_P(StoreContract, CopyAndMoveReturnUidMapping) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  Mailbox archive = box(alice, "Archive");
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(store_->append(inbox.id, message(i, {SystemFlag::flagged}, Keywords{"k"})));
  }
  ASSERT_TRUE(store_->append(archive.id, message(9)));

  auto copied = store_->copy(inbox.id, {4, 2, 99}, archive.id);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(copied->destination_uid_validity, archive.uid_validity);
  EXPECT_EQ(copied->mapping, (std::vector<UidMapping>{{2, 2}, {4, 3}}));
  auto copy = *store_->get_message(archive.id, 3);
  EXPECT_EQ(copy.blob, blob(4));
  EXPECT_EQ(copy.flags, SystemFlags{SystemFlag::flagged});
  EXPECT_EQ(copy.keywords.items(), std::vector<std::string>{"k"});
  EXPECT_EQ(copy.internal_date, InternalDate(1700000004s));
  EXPECT_EQ(reload(inbox).messages, 4u);
  EXPECT_EQ(reload(archive).messages, 3u);
  EXPECT_EQ(reload(archive).uid_next, 4u);

  ModSeq before_move = reload(inbox).highest_modseq;
  auto moved = store_->move(inbox.id, {1, 3}, archive.id);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->mapping, (std::vector<UidMapping>{{1, 4}, {3, 5}}));
  EXPECT_EQ(uids_of(*store_->list_messages(inbox.id)), (std::vector<Uid>{2, 4}));
  EXPECT_EQ(uids_of(*store_->list_messages(archive.id)), (std::vector<Uid>{1, 2, 3, 4, 5}));
  auto changes = store_->changes_since(inbox.id, before_move);
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->expunged.size(), 2u);
  EXPECT_EQ(changes->expunged[0].uid, 1u);
  EXPECT_EQ(changes->expunged[1].uid, 3u);
  EXPECT_TRUE(changes->changed.empty());
  EXPECT_EQ(reload(inbox).unseen, 2u);

  // RFC 6851 allows a move into the mailbox itself: new uids, the old ones expunged.
  auto within = store_->move(inbox.id, {2}, inbox.id);
  ASSERT_TRUE(within) << within.error().message;
  EXPECT_EQ(within->destination_uid_validity, inbox.uid_validity);
  EXPECT_EQ(within->mapping, (std::vector<UidMapping>{{2, 5}}));
  EXPECT_EQ(uids_of(*store_->list_messages(inbox.id)), (std::vector<Uid>{4, 5}));
  EXPECT_EQ(store_->get_message(inbox.id, 5)->blob, blob(2));
  EXPECT_EQ(reload(inbox).messages, 2u);
  EXPECT_EQ(reload(inbox).unseen, 2u);
  EXPECT_TRUE(store_->copy(inbox.id, {77}, archive.id)->mapping.empty());
}

// Envelope header lines are kept per message, returned by uid range, carried by copy
// and move, and forgotten with the message.
TEST_P(StoreContract, EnvelopeHeadersFollowTheirMessage) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  Mailbox archive = box(alice, "Archive");
  auto with_header = [](int n, std::optional<std::string> lines) {
    NewMessage m = message(n);
    m.envelope_header = std::move(lines);
    return m;
  };
  ASSERT_TRUE(store_->append(inbox.id, with_header(1, "Subject: one\r\n")));
  ASSERT_TRUE(store_->append(inbox.id, with_header(2, std::nullopt)));
  ASSERT_TRUE(store_->append(inbox.id, with_header(3, "")));
  ASSERT_TRUE(store_->deliver(with_header(4, "From: a@b\r\nTo: c@d\r\n"),
                              {DeliveryTarget{inbox.id, {}, {}}}));
  auto all = store_->envelope_headers(inbox.id, 1, 100);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);  // uid 2 was stored without
  EXPECT_EQ((*all)[0].uid, 1u);
  EXPECT_EQ((*all)[0].lines, "Subject: one\r\n");
  EXPECT_EQ((*all)[1].uid, 3u);
  EXPECT_EQ((*all)[1].lines, "");
  EXPECT_EQ((*all)[2].uid, 4u);
  EXPECT_EQ((*all)[2].lines, "From: a@b\r\nTo: c@d\r\n");
  auto middle = store_->envelope_headers(inbox.id, 2, 3);
  ASSERT_EQ(middle->size(), 1u);
  EXPECT_EQ((*middle)[0].uid, 3u);

  ASSERT_TRUE(store_->copy(inbox.id, {1, 2}, archive.id));
  ASSERT_TRUE(store_->move(inbox.id, {4}, archive.id));
  auto archived = store_->envelope_headers(archive.id, 1, 100);
  ASSERT_EQ(archived->size(), 2u);
  EXPECT_EQ((*archived)[0].uid, 1u);
  EXPECT_EQ((*archived)[0].lines, "Subject: one\r\n");
  EXPECT_EQ((*archived)[1].uid, 3u);
  EXPECT_EQ((*archived)[1].lines, "From: a@b\r\nTo: c@d\r\n");
  auto left = store_->envelope_headers(inbox.id, 1, 100);
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ((*left)[1].uid, 3u);
  ASSERT_TRUE(store_->expunge(inbox.id, {1}));
  EXPECT_EQ(store_->envelope_headers(inbox.id, 1, 1)->size(), 0u);
  EXPECT_ERROR(store_->envelope_headers(MailboxId(9999), 1, 10), ErrorKind::not_found,
               "mailbox 9999 does not exist");
}

// Thread references are kept like envelope lines: returned with them, carried by copy
// and move; a message kept with lines but without references reads as nullopt.
TEST_P(StoreContract, ThreadReferencesFollowTheirMessage) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  Mailbox archive = box(alice, "Archive");
  auto with = [](int n, std::optional<std::string> refs) {
    NewMessage m = message(n);
    m.envelope_header = "Subject: s\r\n";
    m.thread_refs = std::move(refs);
    return m;
  };
  ASSERT_TRUE(store_->append(inbox.id, with(1, "<a@x> <b@x>")));
  ASSERT_TRUE(store_->append(inbox.id, with(2, std::nullopt)));
  ASSERT_TRUE(store_->deliver(with(3, ""), {DeliveryTarget{inbox.id, {}, {}}}));
  auto all = store_->envelope_headers(inbox.id, 1, 100);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].thread_refs, "<a@x> <b@x>");
  EXPECT_EQ((*all)[1].thread_refs, std::nullopt);
  EXPECT_EQ((*all)[2].thread_refs, "");
  ASSERT_TRUE(store_->copy(inbox.id, {1}, archive.id));
  ASSERT_TRUE(store_->move(inbox.id, {2, 3}, archive.id));
  auto archived = store_->envelope_headers(archive.id, 1, 100);
  ASSERT_EQ(archived->size(), 3u);
  EXPECT_EQ((*archived)[0].thread_refs, "<a@x> <b@x>");
  EXPECT_EQ((*archived)[1].thread_refs, std::nullopt);
  EXPECT_EQ((*archived)[2].thread_refs, "");
}

// Threads (RFC 8474 §5.2): a message joins the oldest thread one of its keys (own
// Message-ID, references, bytes) is in, whichever of parent and reply comes first; a
// thread is named by its first message's modseq and never merges or changes; copy and
// move keep it; threads are per account.
TEST_P(StoreContract, ThreadsAreAssignedOnceAndFollowTheirMessage) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  Mailbox inbox = box(alice, "INBOX");
  Mailbox archive = box(alice, "Archive");
  auto mail = [](int n, std::string id, std::optional<std::string> refs) {
    NewMessage m = message(n);
    m.message_id = std::move(id);
    m.thread_refs = std::move(refs);
    return m;
  };
  auto thread_of = [&](MailboxId box, Uid uid) {
    auto m = store_->get_message(box, uid);
    EXPECT_TRUE(m) << m.error().message;
    return m ? m->thread : std::nullopt;
  };
  auto root = store_->append(inbox.id, mail(1, "<a@x>", ""));
  ASSERT_TRUE(root);
  EXPECT_EQ(thread_of(inbox.id, 1), root->modseq);
  // A reply by In-Reply-To/References, delivered rather than appended.
  ASSERT_TRUE(store_->deliver(mail(2, "<b@x>", "<a@x>"), {{inbox.id, {}, {}}}));
  EXPECT_EQ(thread_of(inbox.id, 2), root->modseq);
  // A reply to a message not here yet starts a thread; the parent arriving later joins it.
  auto orphan = store_->append(inbox.id, mail(3, "<d@x>", "<c@x>"));
  ASSERT_TRUE(orphan);
  EXPECT_EQ(thread_of(inbox.id, 3), orphan->modseq);
  ASSERT_TRUE(store_->append(archive.id, mail(4, "<c@x>", "")));
  EXPECT_EQ(thread_of(archive.id, 1), orphan->modseq);
  // A message that links both threads joins the older one; neither thread changes.
  ASSERT_TRUE(store_->append(inbox.id, mail(5, "<e@x>", "<d@x> <b@x>")));
  EXPECT_EQ(thread_of(inbox.id, 4), root->modseq);
  EXPECT_EQ(thread_of(inbox.id, 3), orphan->modseq);
  // The same bytes without a Message-ID: one EMAILID, so one thread.
  auto plain = store_->append(inbox.id, mail(6, "", std::nullopt));
  ASSERT_TRUE(plain);
  ASSERT_TRUE(store_->append(archive.id, mail(6, "", std::nullopt)));
  EXPECT_EQ(thread_of(archive.id, 2), plain->modseq);
  auto other = store_->append(inbox.id, mail(7, "", std::nullopt));
  ASSERT_TRUE(other);
  EXPECT_EQ(thread_of(inbox.id, 6), other->modseq);
  // Copy and move carry the thread.
  auto copied = store_->copy(inbox.id, {2}, archive.id);
  ASSERT_TRUE(copied);
  EXPECT_EQ(thread_of(archive.id, copied->mapping[0].destination), root->modseq);
  auto moved = store_->move(inbox.id, {3}, archive.id);
  ASSERT_TRUE(moved);
  EXPECT_EQ(thread_of(archive.id, moved->mapping[0].destination), orphan->modseq);
  // Another account knows nothing of alice's threads.
  Mailbox bob_inbox = box(bob, "INBOX");
  auto bobs = store_->append(bob_inbox.id, mail(8, "<f@x>", "<a@x>"));
  ASSERT_TRUE(bobs);
  EXPECT_EQ(thread_of(bob_inbox.id, 1), bobs->modseq);
}

// Of a message's references, the root and the nearest ancestors link its thread.
TEST(ThreadLinkKeys, OwnIdRootNearestAncestorsAndBytes) {
  NewMessage m = message(1);
  m.message_id = "<me@x>";
  std::string refs;
  for (int i = 1; i <= 25; ++i) refs += (i == 1 ? "" : " ") + ("<r" + std::to_string(i) + "@x>");
  m.thread_refs = refs;
  std::vector<std::string> keys = thread_link_keys(m);
  std::vector<std::string> want = {"<me@x>", "<r1@x>", "=" + blob(1).hex()};
  for (int i = 7; i <= 25; ++i) want.push_back("<r" + std::to_string(i) + "@x>");
  std::sort(want.begin(), want.end());
  EXPECT_EQ(keys, want);
  m.message_id = "";
  m.thread_refs = std::nullopt;
  EXPECT_EQ(thread_link_keys(m), std::vector<std::string>{"=" + blob(1).hex()});
}

// Quota (RFC 9208): every copy counts at its size; append, deliver and copy refuse what
// would pass a limit and change nothing; move adds nothing; expunge and delete give
// room; an account's own limits override the default, 0 meaning none.
TEST_P(StoreContract, QuotaCountsAndRefuses) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  Mailbox inbox = box(alice, "INBOX");
  Mailbox archive = box(alice, "Archive");
  Mailbox bobs = box(bob, "INBOX");
  EXPECT_EQ(*store_->quota(alice), QuotaState{});
  ASSERT_TRUE(store_->append(inbox.id, message(1)));     // 101 octets
  ASSERT_TRUE(store_->append(inbox.id, message(2)));     // 102
  ASSERT_TRUE(store_->copy(inbox.id, {1}, archive.id));  // 101 again
  EXPECT_EQ(store_->quota(alice)->used, (QuotaLimits{304, 3}));
  EXPECT_EQ(store_->quota(bob)->used, (QuotaLimits{0, 0}));

  store_->set_default_quota(QuotaLimits{400, 0});
  EXPECT_EQ(store_->quota(alice)->limits, (QuotaLimits{400, 0}));
  EXPECT_ERROR(store_->append(inbox.id, message(97)), ErrorKind::over_quota,
               "account alice@example.org would pass its storage quota of 400 octets");
  EXPECT_ERROR(store_->copy(inbox.id, {2}, archive.id), ErrorKind::over_quota,
               "account alice@example.org would pass its storage quota of 400 octets");
  // One delivery is all or nothing: bob has room, alice has not.
  EXPECT_ERROR(store_->deliver(message(97),
                               {DeliveryTarget{bobs.id, {}, {}}, DeliveryTarget{inbox.id, {}, {}}}),
               ErrorKind::over_quota,
               "account alice@example.org would pass its storage quota of 400 octets");
  EXPECT_EQ(store_->quota(bob)->used, (QuotaLimits{0, 0}));
  EXPECT_EQ(store_->quota(alice)->used, (QuotaLimits{304, 3}));
  EXPECT_EQ(uids_of(*store_->list_messages(inbox.id)), (std::vector<Uid>{1, 2}));
  // Exactly at the limit is allowed; a move adds nothing, however full.
  auto sized = [](int n, uint64_t size) {
    NewMessage m = message(n);
    m.size = size;
    return m;
  };
  ASSERT_TRUE(store_->append(inbox.id, sized(5, 95)));   // 399
  ASSERT_TRUE(store_->append(archive.id, sized(6, 1)));  // 400
  ASSERT_TRUE(store_->move(inbox.id, {1, 2}, archive.id));
  EXPECT_EQ(store_->quota(alice)->used, (QuotaLimits{400, 5}));

  // The account's own limits: a message count, storage unlimited.
  ASSERT_TRUE(store_->set_quota("Alice@Example.org", QuotaSetting{0, 5}));
  EXPECT_EQ(*store_->quota(alice),
            (QuotaState{QuotaSetting{0, 5}, QuotaLimits{0, 5}, QuotaLimits{400, 5}}));
  EXPECT_ERROR(store_->append(inbox.id, message(3)), ErrorKind::over_quota,
               "account alice@example.org would pass its message quota of 5 messages");
  // Expunge and delete give room at once.
  ASSERT_TRUE(store_->expunge(inbox.id, {3}));
  EXPECT_EQ(store_->quota(alice)->used, (QuotaLimits{305, 4}));
  ASSERT_TRUE(store_->append(inbox.id, message(3)));
  ASSERT_TRUE(store_->delete_mailbox(archive.id));
  EXPECT_EQ(store_->quota(alice)->used, (QuotaLimits{103, 1}));
  // Back to the default; unknown accounts.
  ASSERT_TRUE(store_->set_quota("alice@example.org", QuotaSetting{}));
  EXPECT_EQ(store_->quota(alice)->limits, (QuotaLimits{400, 0}));
  EXPECT_ERROR(store_->set_quota("nobody@example.org", QuotaSetting{}), ErrorKind::not_found,
               "user nobody@example.org does not exist");
  EXPECT_FALSE(store_->quota(AccountId(9999)));
  store_->set_default_quota(QuotaLimits{});
}

TEST_P(StoreContract, ChangeLog) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(store_->append(inbox.id, message(i)));
  ModSeq base = reload(inbox).highest_modseq;
  EXPECT_TRUE(store_->changes_since(inbox.id, base)->changed.empty());

  auto flagged = store_->update_flags(inbox.id, {2},
                                      FlagUpdate{FlagOperation::add, {SystemFlag::seen}, {}, {}});
  auto expunged = store_->expunge(inbox.id, {3});
  auto added = store_->append(inbox.id, message(5));

  auto changes = store_->changes_since(inbox.id, base);
  ASSERT_TRUE(changes);
  EXPECT_EQ(changes->highest_modseq, added->modseq);
  EXPECT_EQ(uids_of(changes->changed), (std::vector<Uid>{2, 5}));
  EXPECT_EQ(changes->changed[0].modseq, flagged->changed[0].modseq);
  EXPECT_EQ(changes->expunged, (std::vector<Expunged>{{3, (*expunged)[0].modseq}}));

  // Since the flag change: only the expunge and the append.
  auto later = store_->changes_since(inbox.id, flagged->changed[0].modseq);
  EXPECT_EQ(uids_of(later->changed), std::vector<Uid>{5});
  EXPECT_EQ(later->expunged.size(), 1u);
  auto none = store_->changes_since(inbox.id, added->modseq);
  EXPECT_TRUE(none->changed.empty());
  EXPECT_TRUE(none->expunged.empty());
}

TEST_P(StoreContract, DeliverToManyIsAllOrNothing) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  Mailbox a = box(alice, "INBOX");
  Mailbox b = box(bob, "INBOX");
  Mailbox b_junk = box(bob, "Junk");
  ASSERT_TRUE(store_->append(b.id, message(1)));

  NewMessage m = message(7);
  auto failed = store_->deliver(m, {{a.id, {}, {}}, {MailboxId(555555), {}, {}}});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::not_found);
  EXPECT_EQ(reload(a).messages, 0u);
  EXPECT_EQ(reload(a).uid_next, 1u);

  auto r = store_->deliver(
      m, {{a.id, {}, {}}, {b.id, {SystemFlag::seen}, Keywords{"$Junk"}}, {b_junk.id, {}, {}}});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].mailbox, a.id);
  EXPECT_EQ((*r)[0].uid, 1u);
  EXPECT_EQ((*r)[1].uid, 2u);
  EXPECT_EQ((*r)[2].uid, 1u);
  auto bobs = *store_->get_message(b.id, 2);
  EXPECT_EQ(bobs.blob, blob(7));
  EXPECT_EQ(bobs.flags, SystemFlags{SystemFlag::seen});
  EXPECT_EQ(bobs.keywords.items(), std::vector<std::string>{"$Junk"});
  EXPECT_TRUE(store_->get_message(a.id, 1)->flags.empty());
  EXPECT_EQ(*store_->referenced_blobs(), (std::unordered_set<BlobRef>{blob(1), blob(7)}));
}

// RFC 3502: several messages, one transaction; a failure adds none of them.
TEST_P(StoreContract, AppendAllIsAllOrNothing) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  ASSERT_TRUE(store_->append(inbox.id, message(1)));
  ModSeq before = reload(inbox).highest_modseq;

  auto bad = store_->append_all(inbox.id, {message(2), message(3, {}, Keywords{"bad word"})});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid);
  ASSERT_TRUE(store_->set_quota("alice@example.org", QuotaSetting{0, 2}));
  auto full = store_->append_all(inbox.id, {message(2), message(3)});
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().kind, ErrorKind::over_quota);
  EXPECT_EQ(reload(inbox).messages, 1u);
  EXPECT_EQ(reload(inbox).uid_next, 2u);
  EXPECT_EQ(reload(inbox).highest_modseq, before);
  auto missing = store_->append_all(MailboxId(555555), {message(2)});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);

  ASSERT_TRUE(store_->set_quota("alice@example.org", QuotaSetting{}));
  auto r = store_->append_all(inbox.id, {message(2, {SystemFlag::seen}), message(3)});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].uid, 2u);
  EXPECT_EQ((*r)[1].uid, 3u);
  EXPECT_LT((*r)[0].modseq, (*r)[1].modseq);
  EXPECT_EQ(reload(inbox).messages, 3u);
  EXPECT_EQ(reload(inbox).unseen, 2u);
  EXPECT_EQ(store_->get_message(inbox.id, 3)->blob, blob(3));
  EXPECT_TRUE(store_->append_all(inbox.id, {})->empty());
}

// RFC 8514 §3: a copy or a move gets its own save date in the destination; the source
// keeps its own, and no later change moves either.
TEST_P(StoreContract, SaveDateIsSetOnEveryWayIn) {
  AccountId alice = user("alice@example.org");
  Mailbox inbox = box(alice, "INBOX");
  Mailbox archive = box(alice, "Archive");
  ASSERT_TRUE(store_->append(inbox.id, message(1)));
  ASSERT_TRUE(store_->append(inbox.id, message(2)));
  auto saved = store_->get_message(inbox.id, 1)->save_date;
  ASSERT_TRUE(saved);
  ASSERT_TRUE(store_->update_flags(inbox.id, {1},
                                   FlagUpdate{FlagOperation::add, {SystemFlag::seen}, {}, {}}));
  EXPECT_EQ(store_->get_message(inbox.id, 1)->save_date, saved);
  ASSERT_TRUE(store_->copy(inbox.id, {1}, archive.id));
  ASSERT_TRUE(store_->move(inbox.id, {2}, archive.id));
  auto copies = *store_->list_messages(archive.id);
  ASSERT_EQ(copies.size(), 2u);
  for (const auto& m : copies) {
    ASSERT_TRUE(m.save_date);
    EXPECT_GE(*m.save_date, *saved);
  }
  EXPECT_EQ(store_->get_message(inbox.id, 1)->save_date, saved);
  auto delivered = store_->deliver(message(3), {{archive.id, {}, {}}});
  ASSERT_TRUE(delivered);
  EXPECT_TRUE(store_->get_message(archive.id, 3)->save_date);
}

// RFC 5464: annotations per account and scope (a mailbox or the server), names without
// regard to case, any octets as values, all or nothing, a limit per scope; a mailbox's
// modseq moves (RFC 7162 §3.2); rename keeps them, delete drops them.
TEST_P(StoreContract, MetadataPerScope) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  Mailbox work = *store_->create_mailbox(alice, "Work", MailboxRole::none);
  ModSeq before = reload(work).highest_modseq;
  std::string binary("a\0b\r\nc", 6);
  ASSERT_TRUE(store_->set_metadata(alice, work.id,
                                   {{"/private/Comment", "mine"}, {"/shared/x", binary}}, 10));
  EXPECT_GT(reload(work).highest_modseq, before);
  ASSERT_TRUE(store_->set_metadata(alice, std::nullopt, {{"/private/vendor/x/y", "srv"}}, 10));
  EXPECT_EQ(*store_->list_metadata(alice, work.id),
            (std::vector<MetadataEntry>{{"/private/Comment", "mine"}, {"/shared/x", binary}}));
  EXPECT_EQ(*store_->list_metadata(alice, std::nullopt),
            (std::vector<MetadataEntry>{{"/private/vendor/x/y", "srv"}}));
  EXPECT_TRUE(store_->list_metadata(bob, std::nullopt)->empty());
  // Another account's mailbox is not reachable.
  EXPECT_ERROR(store_->list_metadata(bob, work.id), ErrorKind::not_found,
               fmt::format("mailbox {} does not exist", work.id.value()));
  EXPECT_ERROR(store_->set_metadata(bob, work.id, {{"/private/a", "b"}}, 10), ErrorKind::not_found,
               fmt::format("mailbox {} does not exist", work.id.value()));
  // Same name in another case replaces the value and keeps the first spelling; NIL removes.
  ASSERT_TRUE(store_->set_metadata(alice, work.id,
                                   {{"/PRIVATE/comment", "new"}, {"/shared/x", std::nullopt}}, 10));
  EXPECT_EQ(*store_->list_metadata(alice, work.id),
            (std::vector<MetadataEntry>{{"/private/Comment", "new"}}));
  // Past the limit nothing changes.
  EXPECT_ERROR(store_->set_metadata(alice, work.id, {{"/private/a", "1"}, {"/private/b", "2"}}, 2),
               ErrorKind::limit, "more than 2 annotations on one mailbox or the server");
  EXPECT_EQ(store_->list_metadata(alice, work.id)->size(), 1u);
  // Rename keeps them; delete drops them, and a new mailbox of the name starts empty.
  ASSERT_TRUE(store_->rename_mailbox(work.id, "Job"));
  EXPECT_EQ(store_->list_metadata(alice, work.id)->size(), 1u);
  ASSERT_TRUE(store_->delete_mailbox(work.id));
  Mailbox again = *store_->create_mailbox(alice, "Job", MailboxRole::none);
  EXPECT_TRUE(store_->list_metadata(alice, again.id)->empty());
  EXPECT_EQ(store_->list_metadata(alice, std::nullopt)->size(), 1u);
}

TEST_P(StoreContract, RemovingAccountDropsBlobReferences) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  ASSERT_TRUE(store_->append(box(alice, "INBOX").id, message(1)));
  ASSERT_TRUE(store_->append(box(alice, "Sent").id, message(2)));
  ASSERT_TRUE(store_->append(box(bob, "INBOX").id, message(2)));
  ASSERT_TRUE(store_->remove_account("alice@example.org"));
  EXPECT_EQ(*store_->referenced_blobs(), std::unordered_set<BlobRef>{blob(2)});
  ASSERT_TRUE(store_->delete_mailbox(box(bob, "Trash").id));
  ASSERT_TRUE(store_->expunge(box(bob, "INBOX").id, {1}));
  EXPECT_TRUE(store_->referenced_blobs()->empty());
}

TEST_P(StoreContract, DataVersionMovesOnWritesOnly) {
  uint64_t v0 = *store_->data_version();
  AccountId alice = user("alice@example.org");
  uint64_t v1 = *store_->data_version();
  EXPECT_GT(v1, v0);
  (void)store_->list_mailboxes(alice);
  (void)store_->find_account("alice@example.org");
  EXPECT_EQ(*store_->data_version(), v1);
  ASSERT_TRUE(store_->append(box(alice, "INBOX").id, message(1)));
  EXPECT_GT(*store_->data_version(), v1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::Values("memory", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace postamt::store
