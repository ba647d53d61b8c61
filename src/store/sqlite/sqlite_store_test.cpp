// SQLite specifics of the store: persistence across reopen, schema versions, the
// durability settings, two Store objects on one file (CLI and server), concurrent
// writers, a held lock, and a kill -9 in the middle of appends.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>

#include "store/migrations/migrations.h"
#include "store/sql/query.h"
#include "store/sqlite/sqlite_store.h"
#include "support/files.h"

namespace postamt::store::sqlite {
namespace {

// The rows every old-database test starts from: the UIDVALIDITY counter, example.org
// and alice as account 5.
constexpr std::string_view kOldAccount =
    "INSERT INTO meta VALUES ('next_uid_validity', 7);"
    "INSERT INTO domain VALUES ('example.org');"
    "INSERT INTO account (id, address, address_key, domain, password_hash, modseq) VALUES "
    "(5, 'alice@example.org', 'alice@example.org', 'example.org', 'h', 1);";

using namespace std::chrono_literals;

BlobRef blob(int n) {
  return *BlobRef::parse(fmt::format("{:064x}", n));
}
NewMessage message(int n) {
  return NewMessage{blob(n), 10, InternalDate(1700000000s), {}, {}, ""};
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_.path("mail.db"); }

  std::unique_ptr<sql::SqlStore> open(SqliteOptions options = {}) {
    auto s = open_sqlite_store(path_, options);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }
  // Creates alice@example.org and returns her INBOX.
  Mailbox setup(Store& store) {
    EXPECT_TRUE(store.add_domain("example.org"));
    auto alice = store.create_account("alice@example.org", "h");
    EXPECT_TRUE(alice);
    return *store.find_mailbox(*alice, "INBOX");
  }
  // Writes the database an older program would have: migrations up to `version` only,
  // then `rows` (SQL statements).
  void write_old_database(int version, const std::string& rows) {
    auto c = SqliteConnection::open(path_);
    ASSERT_TRUE(c);
    const sql::Dialect& d = (*c)->dialect();
    ASSERT_TRUE((*c)->execute_script(sql::translate(
        d,
        "CREATE TABLE schema_version (version {BIGINT} PRIMARY KEY, applied_at {BIGINT} NOT "
        "NULL)")));
    for (const Migration& m : migrations()) {
      if (m.version > version) break;
      ASSERT_TRUE((*c)->execute_script(sql::translate(d, m.sql))) << m.version;
      ASSERT_TRUE((*c)->execute_script(
          fmt::format("INSERT INTO schema_version VALUES ({}, 0)", m.version)));
    }
    ASSERT_TRUE((*c)->execute_script(rows));
  }
  int64_t count(const std::string& sql) {
    auto c = SqliteConnection::open(path_);
    auto q = sql::Query::prepare(**c, sql);
    EXPECT_TRUE(q) << q.error().message;
    return *q->single_int(-1);
  }

  postamt::testing::TempDir dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, DurabilitySettings) {
  auto c = SqliteConnection::open(path_);
  ASSERT_TRUE(c);
  auto text = [&](const char* pragma) {
    auto q = sql::Query::prepare(**c, pragma);
    EXPECT_TRUE(q->next().value());
    return q->text(0);
  };
  EXPECT_EQ(text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(text("PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(text("PRAGMA foreign_keys"), "1");
  EXPECT_EQ(text("PRAGMA secure_delete"), "2");  // FAST
  EXPECT_EQ(text("PRAGMA busy_timeout"), "5000");
}

TEST_F(SqliteStoreTest, ReopenKeepsUidsAndUidValidity) {
  Mailbox inbox;
  {
    auto store = open();
    inbox = setup(*store);
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(store->append(inbox.id, message(i)));
    ASSERT_TRUE(store->expunge(inbox.id, {2, 3}));
  }
  auto store = open();
  Mailbox again = *store->get_mailbox(inbox.id);
  EXPECT_EQ(again.uid_validity, inbox.uid_validity);
  EXPECT_EQ(again.uid_next, 4u);
  EXPECT_EQ(store->append(inbox.id, message(4))->uid, 4u);
}

TEST_F(SqliteStoreTest, MigrationsAppliedOnceAndNewerSchemaRefused) {
  { ASSERT_TRUE(open()); }
  auto store = open();
  const int latest = migrations().back().version;
  EXPECT_EQ(latest, 19);
  EXPECT_EQ(*store->schema_version(), latest);
  EXPECT_EQ(count("SELECT count(*) FROM schema_version"),
            static_cast<int64_t>(migrations().size()));
  store.reset();
  {
    auto c = SqliteConnection::open(path_);
    ASSERT_TRUE((*c)->execute_script("INSERT INTO schema_version VALUES (99, 0)"));
  }
  auto refused = open_sqlite_store(path_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::invalid);
  EXPECT_EQ(refused.error().message,
            "the database has schema version 99, newer than this program's 19");
}

// A database written by a version-1 program: migration 2 gives its messages their
// account and an empty Message-ID, and receipts work on it afterwards; migration 3
// leaves them without envelope header lines (readers use the message file).
TEST_F(SqliteStoreTest, MigrationTwoUpgradesVersionOneData) {
  write_old_database(
      1, std::string(kOldAccount) +
             "INSERT INTO mailbox (id, account_id, name, role, subscribed, uid_validity, uid_next, "
             "highest_modseq, messages, unseen) VALUES (9, 5, 'INBOX', 'inbox', 1, 7, 2, 1, 1, 1);"
             "INSERT INTO message VALUES (9, 1, 1, 0, '', 1700000000, 10, '" +
             blob(1).hex() + "');");
  if (HasFatalFailure()) return;
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->schema_version(), migrations().back().version);
  EXPECT_EQ(count("SELECT account_id FROM message WHERE mailbox_id = 9 AND uid = 1"), 5);
  EXPECT_TRUE(store->envelope_headers(MailboxId(9), 1, 1)->empty());
  EXPECT_EQ(store->get_message(MailboxId(9), 1)->message_id, "");
  NewMessage m = message(2);
  m.message_id = "<new@example.org>";
  ASSERT_TRUE(store->append(MailboxId(9), m));
  EXPECT_EQ(*store->find_messages_by_message_id(AccountId(5), "<new@example.org>"),
            (std::vector<MessageLocation>{{MailboxId(9), 2}}));
  NewSentReceipt r;
  r.account = AccountId(5);
  r.message = MessageLocation{MailboxId(9), 1};
  r.requester = "carol@remote.test";
  r.disposition = "displayed";
  auto recorded = store->record_receipt(r, ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(recorded) << recorded.error().message;
  EXPECT_EQ(recorded->flagged, (std::vector<MessageLocation>{{MailboxId(9), 1}}));
}

// A database written by a version-5 program kept the subscription on the mailbox row:
// migration 6 keeps the subscribed names as subscriptions, and the mailbox table works
// without the old column; migration 7 starts \Recent after the existing messages.
TEST_F(SqliteStoreTest, MigrationSixKeepsSubscribedNames) {
  write_old_database(
      5, std::string(kOldAccount) +
             "INSERT INTO mailbox (id, account_id, name, role, subscribed, uid_validity, uid_next, "
             "highest_modseq, messages, unseen) VALUES (9, 5, 'INBOX', 'inbox', 1, 7, 1, 1, 0, 0),"
             "(10, 5, 'Lists', 'none', 0, 8, 1, 1, 0, 0), (11, 5, 'Lists/a', 'none', 1, 9, 3, 1, "
             "0, 0);");
  if (HasFatalFailure()) return;
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->list_subscriptions(AccountId(5)),
            (std::vector<std::string>{"INBOX", "Lists/a"}));
  EXPECT_EQ(store->get_mailbox(MailboxId(10))->subscription, Subscription::unsubscribed);
  EXPECT_EQ(store->get_mailbox(MailboxId(11))->subscription, Subscription::subscribed);
  // Migration 7: mail from before it counts as seen by a session (no \Recent).
  EXPECT_EQ(store->get_mailbox(MailboxId(11))->first_recent_uid, 3u);
  auto made = store->create_mailbox(AccountId(5), "New", MailboxRole::none);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->subscription, Subscription::unsubscribed);
}

// Migration 9 counts what the mailboxes of a version-8 database hold, so quotas apply to
// mail that was there before; accounts follow the default.
TEST_F(SqliteStoreTest, MigrationNineSizesExistingMailboxes) {
  write_old_database(
      8, std::string(kOldAccount) +
             "INSERT INTO mailbox (id, account_id, name, role, uid_validity, uid_next, "
             "highest_modseq, messages, unseen) VALUES (9, 5, 'INBOX', 'inbox', 7, 3, 1, 2, 0),"
             "(10, 5, 'Archive', 'archive', 8, 2, 1, 1, 0), (11, 5, 'Empty', 'none', 9, 1, 1, 0, "
             "0);"
             "INSERT INTO message (mailbox_id, uid, modseq, flags, keywords, internal_date, size, "
             "blob_ref, account_id, message_id) VALUES (9, 1, 1, 0, '', 0, 1000, 'a', 5, ''),"
             "(9, 2, 1, 0, '', 0, 234, 'b', 5, ''), (10, 1, 1, 0, '', 0, 66, 'a', 5, '');");
  if (HasFatalFailure()) return;
  auto store = open();
  ASSERT_TRUE(store);
  store->set_default_quota(QuotaLimits{2000, 0});
  auto quota = store->quota(AccountId(5));
  ASSERT_TRUE(quota) << quota.error().message;
  EXPECT_EQ(*quota, (QuotaState{QuotaSetting{}, QuotaLimits{2000, 0}, QuotaLimits{1300, 3}}));
  ASSERT_TRUE(store->expunge(MailboxId(9), {1}));
  EXPECT_EQ(store->quota(AccountId(5))->used, (QuotaLimits{300, 2}));
  // Migration 10: nobody knows when these were saved (RFC 8514 SAVEDATE NIL); a copy
  // made now has a save date.
  EXPECT_FALSE(store->get_message(MailboxId(9), 2)->save_date);
  ASSERT_TRUE(store->copy(MailboxId(9), {2}, MailboxId(11)));
  EXPECT_TRUE(store->get_message(MailboxId(11), 1)->save_date);
  // Migration 12: messages stored before it have no thread (RFC 8474 THREADID NIL), and
  // their copies none either; a message stored now has one.
  EXPECT_FALSE(store->get_message(MailboxId(9), 2)->thread);
  EXPECT_FALSE(store->get_message(MailboxId(11), 1)->thread);
}

// A database written by a version-4 program, with a receipt of each path in its ledger:
// migration 5 upgrades it in place. The server's receipt keeps "message", the client's
// (only ever recorded by Original-Message-ID then) gets "original-message-id", and
// neither the records nor "at most one" change; new records carry what they are given.
TEST_F(SqliteStoreTest, MigrationFiveRecordsHowVersionFourReceiptsWereMatched) {
  write_old_database(
      4, std::string(kOldAccount) +
             "INSERT INTO sent_receipt (id, account_id, original_key, message_id, sequence, "
             "requester, disposition, path, sent_at) VALUES "
             "(1, 5, '<a@x>', '<a@x>', 0, 'bob@example.org', 'displayed', 'server_on_download', "
             "1700000000),"
             "(2, 5, '<b@x>', '<b@x>', 0, 'carol@remote.test', 'dispatched', 'client_submission', "
             "1700000060);");
  if (HasFatalFailure()) return;
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->schema_version(), migrations().back().version);
  auto ledger = store->list_receipts(std::nullopt);
  ASSERT_TRUE(ledger) << ledger.error().message;
  EXPECT_EQ(ledger->sent,
            (std::vector<SentReceipt>{
                {1, AccountId(5), "alice@example.org", "<a@x>", "bob@example.org", "displayed",
                 ReceiptPath::server_on_download, ReceiptMatch::message, ReceiptTime(1700000000s)},
                {2, AccountId(5), "alice@example.org", "<b@x>", "carol@remote.test", "dispatched",
                 ReceiptPath::client_submission, ReceiptMatch::original_message_id,
                 ReceiptTime(1700000060s)},
            }));
  NewSentReceipt again;
  again.account = AccountId(5);
  again.message_id = "<b@x>";
  again.requester = "carol@remote.test";
  again.disposition = "displayed";
  again.path = ReceiptPath::client_submission;
  again.matched_by = ReceiptMatch::in_reply_to;
  auto refused = store->record_receipt(again, ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(refused) << refused.error().message;
  EXPECT_EQ(refused->outcome, RecordOutcome::already_sent);
  EXPECT_EQ(refused->receipt, ledger->sent[1]);
  again.message_id = "<c@x>";
  auto recorded = store->record_receipt(again, ReceiptUniqueness::one_per_recipient);
  ASSERT_TRUE(recorded) << recorded.error().message;
  EXPECT_EQ(recorded->receipt.matched_by, ReceiptMatch::in_reply_to);
  EXPECT_EQ(count("SELECT count(*) FROM sent_receipt WHERE matched_by = 'in-reply-to'"), 1);
}

// The query changes_since() runs for every IMAP command on a selected mailbox must find
// the recent expunges through (mailbox_id, modseq), not read the mailbox's whole log.
TEST_F(SqliteStoreTest, RecentExpungesAreFoundThroughTheModseqIndex) {
  auto store = open();
  ASSERT_TRUE(store);
  auto c = SqliteConnection::open(path_);
  auto q = sql::Query::prepare(**c,
                               "EXPLAIN QUERY PLAN SELECT uid, modseq FROM expunged WHERE "
                               "mailbox_id = 1 AND modseq > 5 ORDER BY uid");
  ASSERT_TRUE(q) << q.error().message;
  std::string plan;
  while (*q->next()) plan += q->text(3) + "\n";
  EXPECT_NE(plan.find("USING INDEX expunged_modseq (mailbox_id=? AND modseq>?)"), std::string::npos)
      << plan;
}

// A database written by a version-12 program: migration 13 starts each account's JMAP
// history at its modseq then, knows no creation modseq of older mailboxes and messages,
// and assign_missing_threads() threads the messages stored before migration 12 as if
// stored now, in uid order per mailbox, without touching their modseqs.
TEST_F(SqliteStoreTest, MigrationThirteenStartsHistoryAndThreadsOldMessages) {
  auto row = [](int box, int uid, int modseq, int blob_n, std::string id, std::string refs,
                std::string thread) {
    return fmt::format("({}, {}, {}, 0, '', 1700000000, 10, '{}', 5, '{}', NULL, {}, NULL, {})",
                       box, uid, modseq, blob(blob_n).hex(), id, refs, thread);
  };
  write_old_database(
      12,
      "INSERT INTO meta VALUES ('next_uid_validity', 7);"
      "INSERT INTO domain VALUES ('example.org');"
      "INSERT INTO account (id, address, address_key, domain, password_hash, modseq) VALUES "
      "(5, 'alice@example.org', 'alice@example.org', 'example.org', 'h', 7);"
      "INSERT INTO mailbox (id, account_id, name, role, uid_validity, uid_next, "
      "highest_modseq, messages, unseen, size) VALUES (9, 5, 'INBOX', 'inbox', 7, 4, 7, 3, "
      "3, 30), (10, 5, 'Archive', 'archive', 8, 4, 6, 3, 3, 30);"
      "INSERT INTO message (mailbox_id, uid, modseq, flags, keywords, internal_date, size, "
      "blob_ref, account_id, message_id, envelope_header, thread_refs, save_date, thread_id) "
      "VALUES " +
          row(9, 1, 3, 1, "<a@x>", "NULL", "NULL") + "," +
          row(9, 2, 4, 2, "<b@x>", "'<a@x>'", "NULL") + "," + row(9, 3, 7, 4, "<z@x>", "''", "7") +
          "," + row(10, 1, 5, 1, "", "NULL", "NULL") + "," +
          row(10, 2, 6, 3, "<c@x>", "NULL", "NULL") + "," +
          row(10, 3, 2, 5, "<y@x>", "'<z@x>'", "NULL") +
          ";"
          "INSERT INTO thread_link VALUES (5, '<z@x>', 7), (5, '=" +
          blob(4).hex() + "', 7);");
  if (HasFatalFailure()) return;
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->schema_version(), migrations().back().version);
  auto changes = store->account_changes(AccountId(5), 0);
  ASSERT_TRUE(changes) << changes.error().message;
  EXPECT_EQ(changes->highest_modseq, 7u);
  EXPECT_EQ(changes->history_start, 7u);
  EXPECT_EQ(changes->messages.size(), 6u);
  EXPECT_TRUE(changes->expunged.empty());
  Mailbox inbox = *store->get_mailbox(MailboxId(9));
  EXPECT_EQ(inbox.modseq, 0u);
  EXPECT_EQ(inbox.created_modseq, 0u);
  EXPECT_EQ(inbox.highest_modseq, 7u);
  EXPECT_EQ(store->get_message(MailboxId(9), 1)->created_modseq, 0u);
  EXPECT_FALSE(store->get_message(MailboxId(9), 1)->thread);

  EXPECT_EQ(*store->assign_missing_threads(AccountId(5)), 5u);
  auto thread = [&](int box, Uid uid) { return store->get_message(MailboxId(box), uid)->thread; };
  auto modseq_of = [&](int box, Uid uid) {
    return store->get_message(MailboxId(box), uid)->modseq;
  };
  // 9/1 starts a thread at the next account modseq; its reply and its bytes join it;
  // 10/2 starts another; 10/3 joins the thread stored after migration 12.
  EXPECT_EQ(thread(9, 1), std::optional<uint64_t>(8));
  EXPECT_EQ(thread(9, 2), std::optional<uint64_t>(8));
  EXPECT_EQ(thread(9, 3), std::optional<uint64_t>(7));
  EXPECT_EQ(thread(10, 1), std::optional<uint64_t>(8));
  EXPECT_EQ(thread(10, 2), std::optional<uint64_t>(9));
  EXPECT_EQ(thread(10, 3), std::optional<uint64_t>(7));
  EXPECT_EQ(modseq_of(9, 1), 3u);
  EXPECT_EQ(modseq_of(9, 2), 4u);
  EXPECT_EQ(modseq_of(10, 1), 5u);
  EXPECT_EQ(modseq_of(10, 2), 6u);
  EXPECT_EQ(modseq_of(10, 3), 2u);
  EXPECT_EQ(*store->account_modseq(AccountId(5)), 9u);
  EXPECT_TRUE(store->account_changes(AccountId(5), 7)->messages.empty());
  // Idempotent.
  EXPECT_EQ(*store->assign_missing_threads(AccountId(5)), 0u);
  EXPECT_EQ(*store->account_modseq(AccountId(5)), 9u);
  // New mail links to the backfilled threads, and knows its creation.
  NewMessage reply = message(6);
  reply.message_id = "<r@x>";
  reply.thread_refs = "<c@x>";
  auto appended = store->append(MailboxId(9), reply);
  ASSERT_TRUE(appended);
  EXPECT_EQ(appended->modseq, 10u);
  EXPECT_EQ(thread(9, 4), std::optional<uint64_t>(9));
  EXPECT_EQ(store->get_message(MailboxId(9), 4)->created_modseq, 10u);
  // Removals of old messages are recorded with their (backfilled) thread.
  ASSERT_TRUE(store->expunge(MailboxId(9), {2}));
  EXPECT_EQ(store->account_changes(AccountId(5), 10)->expunged,
            (std::vector<AccountExpunge>{{MailboxId(9), 2, 11, blob(2), 8}}));
  // An account created now has its whole history.
  auto bob = store->create_account("bob@example.org", "h");
  ASSERT_TRUE(bob);
  EXPECT_EQ(store->account_changes(*bob, 0)->history_start, 0u);
}

// account_changes() reads the account's messages, removals and mailbox deletions after a
// modseq through (account_id, modseq) indexes, not the whole tables.
TEST_F(SqliteStoreTest, AccountChangesUseTheAccountModseqIndexes) {
  auto store = open();
  ASSERT_TRUE(store);
  auto c = SqliteConnection::open(path_);
  auto plan_of = [&](const std::string& sql) {
    auto q = sql::Query::prepare(**c, "EXPLAIN QUERY PLAN " + sql);
    EXPECT_TRUE(q) << q.error().message;
    std::string plan;
    while (*q->next()) plan += q->text(3) + "\n";
    return plan;
  };
  std::string plan = plan_of("SELECT uid FROM message WHERE account_id = 1 AND modseq > 5");
  EXPECT_NE(plan.find("USING INDEX message_account_modseq (account_id=? AND modseq>?)"),
            std::string::npos)
      << plan;
  plan = plan_of("SELECT uid FROM account_expunged WHERE account_id = 1 AND modseq > 5");
  EXPECT_NE(plan.find("USING INDEX account_expunged_modseq (account_id=? AND modseq>?)"),
            std::string::npos)
      << plan;
  plan = plan_of("SELECT mailbox_id FROM mailbox_tombstone WHERE account_id = 1 AND modseq > 5");
  EXPECT_NE(plan.find("USING INDEX mailbox_tombstone_modseq (account_id=? AND modseq>?)"),
            std::string::npos)
      << plan;
}

// A token revoked by the admin CLI is refused by the running server at once.
TEST_F(SqliteStoreTest, RevokedTokenIsGoneForTheOtherProcess) {
  auto server = open();
  auto cli = open();
  setup(*cli);
  AccountId alice = cli->find_account("alice@example.org")->id;
  std::string secret_hash(64, 'e');
  ASSERT_TRUE(cli->create_token(alice, "phone", secret_hash));
  ASSERT_TRUE(*server->find_token(secret_hash));
  ASSERT_TRUE(cli->revoke_token(alice, "phone"));
  EXPECT_EQ(*server->find_token(secret_hash), std::nullopt);
}

// Webmail sessions in SQL: found by hash with their account, touched, expired, ended
// by "sign out everywhere" in another process, and removed with the account.
TEST_F(SqliteStoreTest, WebSessionsAndSettingsLiveInTheDatabase) {
  auto server = open();
  auto cli = open();
  setup(*cli);
  AccountId alice = cli->find_account("alice@example.org")->id;
  auto a = server->create_web_session(alice, std::string(64, 'a'), "csrf-a", 100);
  auto b = server->create_web_session(alice, std::string(64, 'b'), "csrf-b", 100);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(server->create_web_session(alice, std::string(64, 'a'), "x", 100).error().kind,
            ErrorKind::exists);
  EXPECT_EQ(server->create_web_session(alice, "short", "x", 100).error().kind, ErrorKind::invalid);
  auto found = server->find_web_session(std::string(64, 'a'));
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->first, *a);
  EXPECT_EQ((*found)->second.address, "alice@example.org");
  ASSERT_TRUE(server->touch_web_session(a->id, 500));
  ASSERT_TRUE(server->touch_web_session(a->id, 400));  // never moves back
  EXPECT_EQ((*server->find_web_session(std::string(64, 'a')))->first.last_used, 500);
  // b was last used at 100: idle expiry before 200 ends it, a stays.
  EXPECT_EQ(*server->expire_web_sessions(200, 0), 1u);
  EXPECT_EQ(*server->find_web_session(std::string(64, 'b')), std::nullopt);
  EXPECT_EQ(*cli->delete_web_sessions(alice), 1u);
  EXPECT_EQ(*server->find_web_session(std::string(64, 'a')), std::nullopt);

  ASSERT_TRUE(server->set_web_setting(alice, "language", "de"));
  ASSERT_TRUE(server->set_web_setting(alice, "language", "en"));
  EXPECT_EQ(*cli->web_settings(alice), (std::vector<WebSetting>{{"language", "en"}}));
  ASSERT_TRUE(server->create_web_session(alice, std::string(64, 'c'), "csrf-c", 100));
  ASSERT_TRUE(cli->remove_account("alice@example.org"));
  EXPECT_EQ(*server->find_web_session(std::string(64, 'c')), std::nullopt);
}

TEST_F(SqliteStoreTest, TwoStoresSeeEachOthersWrites) {
  auto server = open();
  auto cli = open();
  uint64_t seen = *server->data_version();
  // The admin CLI creates a user while the server runs.
  Mailbox inbox = setup(*cli);
  EXPECT_GT(*server->data_version(), seen);
  auto alice = server->find_account("alice@example.org");
  ASSERT_TRUE(alice);
  EXPECT_EQ(server->find_mailbox(alice->id, "INBOX")->id, inbox.id);
  ASSERT_TRUE(server->append(inbox.id, message(1)));
  EXPECT_EQ(cli->get_mailbox(inbox.id)->messages, 1u);
  ASSERT_TRUE(cli->set_password_hash("alice@example.org", "new"));
  EXPECT_EQ(*server->password_hash("alice@example.org"), "new");
}

// Two stores on one file (as two processes) appending at once never pass a quota
// together: the check and the insert are one write transaction.
TEST_F(SqliteStoreTest, ConcurrentWritersStayWithinTheQuota) {
  Mailbox inbox = setup(*open());
  {
    auto store = open();
    ASSERT_TRUE(store->set_quota("alice@example.org", QuotaSetting{std::nullopt, 30}));
  }
  constexpr int kEach = 25;
  int accepted[2] = {0, 0}, refused[2] = {0, 0};
  std::thread writers[2];
  for (int w = 0; w < 2; ++w) {
    writers[w] = std::thread([&, w] {
      auto store = open_sqlite_store(path_);
      if (!store) return;
      for (int i = 0; i < kEach; ++i) {
        auto r = (*store)->append(inbox.id, message(i));
        if (r)
          ++accepted[w];
        else if (r.error().kind == ErrorKind::over_quota)
          ++refused[w];
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(accepted[0] + accepted[1], 30);
  EXPECT_EQ(refused[0] + refused[1], 2 * kEach - 30);
  auto store = open();
  EXPECT_EQ(store->get_mailbox(inbox.id)->messages, 30u);
  EXPECT_EQ(store->quota(store->get_mailbox(inbox.id)->account)->used, (QuotaLimits{300, 30}));
}

TEST_F(SqliteStoreTest, ConcurrentWritersGetDistinctUids) {
  Mailbox inbox = setup(*open());
  constexpr int kEach = 25;
  std::vector<Result<Appended>> results[2];
  std::thread writers[2];
  for (int w = 0; w < 2; ++w) {
    writers[w] = std::thread([&, w] {
      auto store = open_sqlite_store(path_);
      if (!store) return;
      for (int i = 0; i < kEach; ++i) results[w].push_back((*store)->append(inbox.id, message(i)));
    });
  }
  for (auto& t : writers) t.join();
  std::set<Uid> uids;
  for (auto& list : results) {
    ASSERT_EQ(list.size(), static_cast<size_t>(kEach));
    for (auto& r : list) {
      ASSERT_TRUE(r) << r.error().message;
      uids.insert(r->uid);
    }
  }
  EXPECT_EQ(uids.size(), 2u * kEach);
  EXPECT_EQ(*uids.begin(), 1u);
  EXPECT_EQ(*uids.rbegin(), 2u * kEach);
  auto store = open();
  EXPECT_EQ(store->get_mailbox(inbox.id)->messages, 2u * kEach);
  EXPECT_EQ(store->get_mailbox(inbox.id)->uid_next, 2u * kEach + 1);
}

// One store object shared by threads (as the server uses it): reads run on pooled
// reader connections while a writer appends, and every read sees a committed state
// that only grows; a read after a write on another thread sees that write.
TEST_F(SqliteStoreTest, ReadersRunBesideTheWriterAndSeeCommittedState) {
  auto store = open();
  Mailbox inbox = setup(*store);
  constexpr int kAppends = 60;
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread readers[4];
  for (auto& reader : readers) {
    reader = std::thread([&] {
      size_t seen = 0;
      while (!done.load()) {
        auto list = store->list_messages(inbox.id);
        auto box = store->get_mailbox(inbox.id);
        if (!list || !box || list->size() < seen || box->messages < list->size()) ++bad;
        if (list) seen = list->size();
      }
    });
  }
  for (int i = 0; i < kAppends; ++i) {
    auto appended = store->append(inbox.id, message(i));
    ASSERT_TRUE(appended) << appended.error().message;
    std::optional<size_t> after;
    std::thread([&] {
      if (auto list = store->list_messages(inbox.id)) after = list->size();
    }).join();
    EXPECT_EQ(after, static_cast<size_t>(i + 1));
  }
  done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(store->get_mailbox(inbox.id)->messages, static_cast<uint32_t>(kAppends));
}

// A read does not wait for a write that is stuck on the database lock (here held by
// another process's connection): it runs on a reader connection.
TEST_F(SqliteStoreTest, ReadsDoNotWaitForABlockedWriter) {
  SqliteOptions patient;
  patient.busy_timeout = 20s;
  auto store = open(patient);
  Mailbox inbox = setup(*store);
  auto other = SqliteConnection::open(path_);
  ASSERT_TRUE(other);
  ASSERT_TRUE((*other)->begin(sql::TransactionMode::write));  // the write lock
  std::atomic<bool> appended{false};
  std::thread writer([&] {
    EXPECT_TRUE(store->append(inbox.id, message(1)));
    appended = true;
  });
  std::this_thread::sleep_for(100ms);  // lets the writer reach the lock (order only)
  auto list = store->list_messages(inbox.id);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_TRUE(list->empty());
  EXPECT_FALSE(appended.load());  // the read finished while the write still waited
  ASSERT_TRUE((*other)->commit());
  writer.join();
  EXPECT_TRUE(appended.load());
  EXPECT_EQ(store->list_messages(inbox.id)->size(), 1u);
}

// Two connections (as two processes would) race to record a receipt for each of
// several messages: exactly one record per message wins, the other sees already_sent.
TEST_F(SqliteStoreTest, ConcurrentReceiptsRecordAtMostOnePerMessage) {
  Mailbox inbox = setup(*open());
  constexpr int kMessages = 20;
  {
    auto store = open();
    for (int i = 0; i < kMessages; ++i) {
      NewMessage m = message(i);
      m.message_id = fmt::format("<m{}@remote.test>", i);
      ASSERT_TRUE(store->append(inbox.id, m));
    }
  }
  std::vector<Result<RecordedReceipt>> results[2];
  std::thread writers[2];
  for (int w = 0; w < 2; ++w) {
    writers[w] = std::thread([&, w] {
      auto store = open_sqlite_store(path_);
      if (!store) return;
      for (int i = 0; i < kMessages; ++i) {
        NewSentReceipt r;
        r.account = inbox.account;
        r.message_id = fmt::format("<m{}@remote.test>", i);
        r.requester = "carol@remote.test";
        r.disposition = "displayed";
        r.path = w == 0 ? ReceiptPath::server_on_download : ReceiptPath::client_submission;
        results[w].push_back((*store)->record_receipt(r, ReceiptUniqueness::one_per_recipient));
      }
    });
  }
  for (auto& t : writers) t.join();
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_EQ(results[0].size(), static_cast<size_t>(kMessages));
    ASSERT_EQ(results[1].size(), static_cast<size_t>(kMessages));
    ASSERT_TRUE(results[0][i]) << results[0][i].error().message;
    ASSERT_TRUE(results[1][i]) << results[1][i].error().message;
    const int recorded = (results[0][i]->outcome == RecordOutcome::recorded) +
                         (results[1][i]->outcome == RecordOutcome::recorded);
    EXPECT_EQ(recorded, 1) << i;
    EXPECT_EQ(results[0][i]->receipt.id, results[1][i]->receipt.id) << i;
  }
  EXPECT_EQ(count("SELECT count(*) FROM sent_receipt"), kMessages);
}

TEST_F(SqliteStoreTest, HeldWriteLockIsTemporaryAndChangesNothing) {
  Mailbox inbox = setup(*open());
  auto holder = SqliteConnection::open(path_);
  ASSERT_TRUE((*holder)->begin(sql::TransactionMode::write));
  auto store = open(SqliteOptions{std::chrono::milliseconds(20)});
  auto r = store->append(inbox.id, message(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::temporary);
  EXPECT_EQ(r.error().message, "statement failed: database is locked");
  // Readers are not blocked by a writer in WAL mode.
  EXPECT_EQ(store->get_mailbox(inbox.id)->messages, 0u);
  (*holder)->rollback();
  EXPECT_EQ(store->append(inbox.id, message(1))->uid, 1u);
}

// A child appends and reports each uid only after append() returned; the parent kills
// it with SIGKILL mid-stream, reopens, and must find every reported message.
TEST_F(SqliteStoreTest, ReportedAppendsSurviveKill9) {
  Mailbox inbox = setup(*open());
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto store = open_sqlite_store(path_);
    if (!store) ::_exit(2);
    for (int i = 1;; ++i) {
      auto r = (*store)->append(inbox.id, message(i));
      if (!r) ::_exit(3);
      uint32_t uid = r->uid;
      if (::write(fds[1], &uid, sizeof uid) != sizeof uid) ::_exit(4);
    }
  }
  ::close(fds[1]);
  std::vector<Uid> reported;
  while (reported.size() < 15) {
    uint32_t uid = 0;
    ASSERT_EQ(::read(fds[0], &uid, sizeof uid), static_cast<ssize_t>(sizeof uid));
    reported.push_back(uid);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  uint32_t uid = 0;
  while (::read(fds[0], &uid, sizeof uid) == static_cast<ssize_t>(sizeof uid)) {
    reported.push_back(uid);
  }
  ::close(fds[0]);

  auto store = open();
  for (size_t i = 0; i < reported.size(); ++i) {
    auto m = store->get_message(inbox.id, reported[i]);
    ASSERT_TRUE(m) << "uid " << reported[i] << ": " << m.error().message;
    EXPECT_EQ(m->blob, blob(static_cast<int>(i) + 1));
  }
  Mailbox after = *store->get_mailbox(inbox.id);
  EXPECT_GT(after.uid_next, reported.back());
  EXPECT_EQ(after.uid_validity, inbox.uid_validity);
  // The next uid follows whatever was committed, reported or not.
  EXPECT_EQ(store->append(inbox.id, message(0))->uid, after.uid_next);
}

}  // namespace
}  // namespace postamt::store::sqlite
