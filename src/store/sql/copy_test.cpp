// store/sql/copy.h over two SQLite stores: every kind of record survives the copy with
// its ids, UIDs and modseqs (compared through the Store API and by raw row counts), the
// table list names the whole schema in FOREIGN KEY order, and a store in use is never
// copied into.
#include "store/sql/copy.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"
#include "support/files.h"

namespace postamt::store::sql {
namespace {

using namespace std::chrono_literals;

BlobRef blob(int n) {
  return *BlobRef::parse(fmt::format("{:064x}", n));
}

NewMessage message(int n, std::string message_id, Keywords keywords = {}) {
  NewMessage m;
  m.blob = blob(n);
  m.size = static_cast<uint64_t>(100 + n);
  m.internal_date = InternalDate(1700000000s + n * 1s);
  m.keywords = std::move(keywords);
  m.message_id = std::move(message_id);
  // Raw 8-bit header bytes, as a message may carry (store migration 3).
  m.envelope_header = "Subject: caf\xe9 " + std::to_string(n) + "\r\n";
  m.thread_refs = "<root@example.org>";
  return m;
}

const std::string kAliceHash = "{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
const std::string kTokenHash(64, 'a');
const std::string kSessionHash(64, 'b');

class StoreCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = open("source.db");
    target_ = open("target.db");
  }
  std::unique_ptr<SqlStore> open(const std::string& name) {
    auto s = sqlite::open_sqlite_store(dir_.path(name));
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }
  Mailbox box(Store& s, AccountId account, std::string_view name) {
    auto m = s.find_mailbox(account, name);
    EXPECT_TRUE(m) << name;
    return m ? *m : Mailbox();
  }

  // One record of every kind the store keeps, with gaps in the ids (removed rows).
  void fill(Store& s) {
    ASSERT_TRUE(s.add_domain("example.org"));
    ASSERT_TRUE(s.add_domain("other.test"));
    auto alice = s.create_account("alice@example.org", kAliceHash);
    ASSERT_TRUE(alice) << alice.error().message;
    alice_ = *alice;
    ASSERT_TRUE(s.create_account("gone@example.org", "h"));
    auto bob = s.create_account("bob@other.test", "{SHA512-CRYPT}$6$salt$bob");
    ASSERT_TRUE(bob) << bob.error().message;
    bob_ = *bob;
    ASSERT_TRUE(s.remove_account("gone@example.org"));
    ASSERT_TRUE(s.set_quota("alice@example.org", QuotaSetting{50000, std::nullopt}));
    ASSERT_TRUE(s.add_alias("info@example.org", {"alice@example.org", "bob@other.test"}));

    Mailbox inbox = box(s, alice_, "INBOX");
    ASSERT_TRUE(s.create_mailbox(alice_, "Old", MailboxRole::none));
    auto created = s.create_mailbox(alice_, "Projects", MailboxRole::none);
    ASSERT_TRUE(created) << created.error().message;
    Mailbox archive = *created;
    ASSERT_TRUE(s.delete_mailbox(box(s, alice_, "Old").id));
    ASSERT_TRUE(s.set_subscription(alice_, "Lists/gone", Subscription::subscribed));
    ASSERT_TRUE(s.set_metadata(alice_, std::nullopt, {{"/private/comment", "server"}}, 10));
    ASSERT_TRUE(
        s.set_metadata(alice_, archive.id, {{"/shared/comment", std::string("\0\xff", 2)}}, 10));

    ASSERT_TRUE(s.append(inbox.id, message(1, "<one@example.org>", {"$Forwarded", "Work"})));
    ASSERT_TRUE(s.append(inbox.id, message(2, "<two@example.org>")));
    ASSERT_TRUE(s.append(inbox.id, message(3, "")));
    FlagUpdate seen;
    seen.flags = {SystemFlag::seen, SystemFlag::flagged};
    seen.keywords = {"Later"};
    ASSERT_TRUE(s.update_flags(inbox.id, {1, 2}, seen));
    ASSERT_TRUE(s.expunge(inbox.id, {3}));
    ASSERT_TRUE(s.copy(inbox.id, {1}, archive.id));
    ASSERT_TRUE(s.claim_recent(inbox.id, 2));
    Mailbox bob_inbox = box(s, bob_, "INBOX");
    ASSERT_TRUE(s.deliver(message(4, "<four@example.org>"),
                          {{inbox.id, SystemFlags{}, {}}, {bob_inbox.id, SystemFlags{}, {}}}));

    NewSentReceipt sent;
    sent.account = alice_;
    sent.message_id = "<one@example.org>";
    sent.requester = "carol@remote.test";
    sent.disposition = "displayed";
    sent.at = ReceiptTime(1700000100s);
    ASSERT_TRUE(s.record_receipt(sent, ReceiptUniqueness::one_per_recipient));
    ASSERT_TRUE(s.record_received_receipt(
        {alice_, "<sent@example.org>", "dave@remote.test", "deleted", ReceiptTime(1700000200s)}));
    ASSERT_TRUE(s.record_refused_receipt({bob_, "<four@example.org>", "eve@remote.test",
                                          ReceiptPath::server_on_download, "sender failed DMARC",
                                          ReceiptTime(1700000300s)}));
    ASSERT_TRUE(s.set_policy_override(PolicyScope::domain, "example.org", "duplicates", "drop"));
    ASSERT_TRUE(s.set_policy_override(PolicyScope::user, "bob@other.test", "on_download", "never"));

    ApiToken token = *s.create_token(alice_, "phone", kTokenHash);
    NewEmailSubmission submission;
    submission.account = alice_;
    submission.identity_id = "I1";
    submission.email_id = "Ma";
    submission.thread_id = "T1";
    submission.mail_from = {"alice@example.org", "null", SubmissionRoute::remote};
    submission.rcpt_to = {{"bob@other.test", "null", SubmissionRoute::local}};
    submission.send_at = 1700000400;
    ASSERT_TRUE(s.create_email_submission(submission));
    auto destroyed = s.create_email_submission(submission);
    ASSERT_TRUE(destroyed);
    ASSERT_TRUE(s.destroy_email_submission(alice_, destroyed->id));
    ASSERT_TRUE(s.create_web_session(alice_, kSessionHash, "csrf", 1700000500));
    ASSERT_TRUE(s.set_web_setting(alice_, "theme", "dark"));
    NewPushSubscription push;
    push.account = alice_;
    push.credential = {CredentialKind::token, static_cast<int64_t>(token.id)};
    push.device_client_id = "dev";
    push.url = "https://push.example.net/p";
    push.keys = PushKeys{"BCVx", "BTBZ"};
    push.verification_code = "0123456789abcdef";
    push.created = 1700000600;
    ASSERT_TRUE(s.create_push_subscription(push, 10));
  }

  // Everything a client or an admin can read, the same in both stores.
  void expect_same(Store& a, Store& b) {
    EXPECT_EQ(*a.list_domains(), *b.list_domains());
    auto accounts = *a.list_accounts();
    EXPECT_EQ(accounts, *b.list_accounts());
    EXPECT_EQ(*a.list_aliases(), *b.list_aliases());
    EXPECT_EQ(*a.list_policy_overrides(), *b.list_policy_overrides());
    auto ledger_a = *a.list_receipts(std::nullopt), ledger_b = *b.list_receipts(std::nullopt);
    EXPECT_EQ(ledger_a.sent, ledger_b.sent);
    EXPECT_EQ(ledger_a.received, ledger_b.received);
    EXPECT_EQ(ledger_a.refused, ledger_b.refused);
    EXPECT_EQ(*a.referenced_blobs(), *b.referenced_blobs());
    for (const Account& account : accounts) {
      SCOPED_TRACE(account.address);
      EXPECT_EQ(*a.password_hash(account.address), *b.password_hash(account.address));
      EXPECT_EQ(*a.quota(account.id), *b.quota(account.id));
      EXPECT_EQ(*a.account_modseq(account.id), *b.account_modseq(account.id));
      EXPECT_EQ(*a.list_subscriptions(account.id), *b.list_subscriptions(account.id));
      EXPECT_EQ(*a.known_keywords(account.id), *b.known_keywords(account.id));
      EXPECT_EQ(*a.list_metadata(account.id, std::nullopt),
                *b.list_metadata(account.id, std::nullopt));
      EXPECT_EQ(*a.list_tokens(account.id), *b.list_tokens(account.id));
      EXPECT_EQ(*a.list_email_submissions(account.id), *b.list_email_submissions(account.id));
      auto sub_a = *a.email_submission_changes(account.id, 0);
      auto sub_b = *b.email_submission_changes(account.id, 0);
      EXPECT_EQ(sub_a.destroyed, sub_b.destroyed);
      EXPECT_EQ(sub_a.history_start, sub_b.history_start);
      for (auto kind : {CredentialKind::password, CredentialKind::token}) {
        for (int64_t id : {0, 1}) {
          EXPECT_EQ(*a.list_push_subscriptions(account.id, {kind, id}),
                    *b.list_push_subscriptions(account.id, {kind, id}));
        }
      }
      EXPECT_EQ(*a.web_settings(account.id), *b.web_settings(account.id));
      auto changes_a = *a.account_changes(account.id, 0);
      auto changes_b = *b.account_changes(account.id, 0);
      EXPECT_EQ(changes_a.highest_modseq, changes_b.highest_modseq);
      EXPECT_EQ(changes_a.history_start, changes_b.history_start);
      EXPECT_EQ(changes_a.messages, changes_b.messages);
      EXPECT_EQ(changes_a.expunged, changes_b.expunged);
      EXPECT_EQ(changes_a.mailboxes, changes_b.mailboxes);
      EXPECT_EQ(changes_a.deleted_mailboxes, changes_b.deleted_mailboxes);
      auto mailboxes = *a.list_mailboxes(account.id);
      EXPECT_EQ(mailboxes, *b.list_mailboxes(account.id));
      for (const Mailbox& m : mailboxes) {
        SCOPED_TRACE(m.name);
        EXPECT_EQ(*a.list_messages(m.id), *b.list_messages(m.id));
        EXPECT_EQ(*a.list_metadata(account.id, m.id), *b.list_metadata(account.id, m.id));
        auto since_a = *a.changes_since(m.id, 0), since_b = *b.changes_since(m.id, 0);
        EXPECT_EQ(since_a.expunged, since_b.expunged);
        auto env_a = *a.envelope_headers(m.id, 1, m.uid_next);
        auto env_b = *b.envelope_headers(m.id, 1, m.uid_next);
        ASSERT_EQ(env_a.size(), env_b.size());
        for (size_t i = 0; i < env_a.size(); ++i) {
          EXPECT_EQ(env_a[i].uid, env_b[i].uid);
          EXPECT_EQ(env_a[i].lines, env_b[i].lines);
          EXPECT_EQ(env_a[i].thread_refs, env_b[i].thread_refs);
        }
      }
    }
  }

  postamt::testing::TempDir dir_;
  std::unique_ptr<SqlStore> source_;
  std::unique_ptr<SqlStore> target_;
  AccountId alice_, bob_;
};

TEST_F(StoreCopyTest, EveryRecordArrivesWithItsIds) {
  fill(*source_);
  if (HasFatalFailure()) return;
  const uint64_t source_version = *source_->data_version();

  auto copied = copy_store(*source_, *target_);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(copied->schema_version, *source_->schema_version());
  EXPECT_TRUE(copied->counts_match());
  ASSERT_EQ(copied->tables.size(), copied_tables().size());
  for (const TableCount& t : copied->tables) {
    // The fill above reaches every table: a new table needs a record here too.
    EXPECT_GT(t.source, 0) << t.table;
    EXPECT_EQ(t.source, t.target) << t.table;
  }
  EXPECT_EQ(copied->tables[0].table, "meta");
  EXPECT_EQ(copied->tables[0].source, 2);

  expect_same(*source_, *target_);
  EXPECT_EQ(target_->find_account("alice@example.org")->id, alice_);
  EXPECT_EQ(*target_->password_hash("alice@example.org"), kAliceHash);
  // The copy is one write of the target, which counts it like any other.
  EXPECT_EQ(*target_->data_version(), source_version + 1);
  auto session = target_->find_web_session(kSessionHash);
  ASSERT_TRUE(session && *session);
  EXPECT_EQ((*session)->second.id, alice_);
  EXPECT_EQ((*session)->first.csrf_token, "csrf");
  auto token = target_->find_token(kTokenHash);
  ASSERT_TRUE(token && *token);
  EXPECT_EQ((*token)->first.name, "phone");
  // "At most one receipt" holds across the move: the ledger's record came along.
  NewSentReceipt again;
  again.account = alice_;
  again.message_id = "<one@example.org>";
  again.requester = "carol@remote.test";
  again.disposition = "displayed";
  EXPECT_EQ(target_->record_receipt(again, ReceiptUniqueness::one_per_recipient)->outcome,
            RecordOutcome::already_sent);
}

TEST_F(StoreCopyTest, TheTargetGoesOnFromWhereTheSourceWas) {
  fill(*source_);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(copy_store(*source_, *target_));
  Mailbox inbox = box(*source_, alice_, "INBOX");
  Mailbox copied_inbox = box(*target_, alice_, "INBOX");
  EXPECT_EQ(copied_inbox, inbox);
  const ModSeq account_modseq = *source_->account_modseq(alice_);
  auto appended = target_->append(inbox.id, message(9, ""));
  ASSERT_TRUE(appended) << appended.error().message;
  EXPECT_EQ(appended->uid, inbox.uid_next);
  EXPECT_EQ(appended->modseq, account_modseq + 1);
  // A new mailbox gets the id and the UIDVALIDITY the source would have handed out next
  // (meta.next_uid_validity came along), and new accounts go on above the copied ones.
  auto theirs = source_->create_mailbox(alice_, "Next", MailboxRole::none);
  auto ours = target_->create_mailbox(alice_, "Next", MailboxRole::none);
  ASSERT_TRUE(theirs && ours);
  EXPECT_EQ(ours->uid_validity, theirs->uid_validity);
  EXPECT_EQ(ours->id, theirs->id);
  auto carol = target_->create_account("carol@example.org", "h");
  ASSERT_TRUE(carol);
  EXPECT_EQ(carol->value(), bob_.value() + 1);
}

TEST_F(StoreCopyTest, AnEmptySourceCopiesItsCounters) {
  EXPECT_TRUE(check_copy_target(*target_));
  auto copied = copy_store(*source_, *target_);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_TRUE(copied->counts_match());
  for (const TableCount& t : copied->tables) {
    EXPECT_EQ(t.source, t.table == "meta" ? 2 : 0) << t.table;
  }
}

TEST_F(StoreCopyTest, AStoreInUseIsNeverCopiedInto) {
  fill(*source_);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(target_->add_domain("example.org"));
  ASSERT_TRUE(target_->create_account("alice@example.org", "h"));
  ASSERT_TRUE(target_->create_account("bob@example.org", "h"));
  const uint64_t before = *target_->data_version();
  auto checked = check_copy_target(*target_);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().message,
            "the target store is not empty: it has 1 domain and 2 accounts; store copy fills "
            "only a new store");
  auto refused = copy_store(*source_, *target_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::invalid);
  EXPECT_EQ(refused.error().message,
            "the target store is not empty: it has 1 domain and 2 accounts; store copy fills "
            "only a new store");
  EXPECT_EQ(*target_->data_version(), before);
  EXPECT_EQ(target_->list_accounts()->size(), 2u);
}

TEST_F(StoreCopyTest, AnyRowOfTheTargetRefusesTheCopy) {
  // A row without a domain or an account (no FOREIGN KEY holds this one): still in use.
  ASSERT_TRUE(target_->with_transaction(TransactionMode::write, [](Connection& c) {
    return c.execute_script(
        "INSERT INTO receipt_policy (scope, subject_key, subject, account_id, name, value) "
        "VALUES ('domain', 'gone.test', 'gone.test', NULL, 'duplicates', 'drop')");
  }));
  auto refused = copy_store(*source_, *target_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "the target store is not empty: table receipt_policy has 1 row; store copy fills "
            "only a new store");
}

// Every table of the schema is either copied or named as left alone, and the copied
// ones come after every table they refer to.
TEST_F(StoreCopyTest, TheTableListCoversTheSchemaInForeignKeyOrder) {
  auto connection = sqlite::SqliteConnection::open(dir_.path("source.db"));
  ASSERT_TRUE(connection);
  std::set<std::string> schema;
  {
    auto q = Query::prepare(
        **connection,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\'");
    ASSERT_TRUE(q);
    while (*q->next()) schema.insert(q->text(0));
  }
  std::set<std::string> listed;
  for (std::string_view t : tables_not_copied()) listed.emplace(t);
  std::vector<std::string> order;
  for (const CopiedTable& t : copied_tables()) {
    EXPECT_TRUE(listed.emplace(t.name).second) << t.name << " is listed twice";
    order.emplace_back(t.name);
  }
  EXPECT_EQ(listed, schema);

  for (size_t i = 0; i < order.size(); ++i) {
    auto q = Query::prepare(**connection, fmt::format("PRAGMA foreign_key_list({})", order[i]));
    ASSERT_TRUE(q);
    while (*q->next()) {
      std::string parent = q->text(2);
      auto at = std::find(order.begin(), order.end(), parent);
      EXPECT_LT(at - order.begin(), static_cast<ptrdiff_t>(i))
          << order[i] << " refers to " << parent << ", which must come first";
    }
    // Ids::auto_assigned exactly for the tables with an AUTOINCREMENT id.
    auto sql = Query::prepare(**connection, "SELECT sql FROM sqlite_master WHERE name = ?");
    ASSERT_TRUE(sql);
    sql->bind(order[i]);
    ASSERT_TRUE(*sql->next());
    bool auto_id = sql->text(0).find("AUTOINCREMENT") != std::string::npos;
    EXPECT_EQ(copied_tables()[i].ids == Ids::auto_assigned, auto_id) << order[i];
  }
}

}  // namespace
}  // namespace postamt::store::sql
