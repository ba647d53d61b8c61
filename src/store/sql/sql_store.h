// SqlStore: the Store contract (store/api/store.h) over a sql::Connection. The only
// implementation of the mail logic in SQL; backends differ only in their Connection
// and Dialect (store/sqlite, store/postgres).
//
// open() applies the pending migrations (store/migrations) in one write transaction,
// so two processes opening a fresh database at once apply each migration once.
//
// Threads: thread-safe. Writes are serialised on the one writer connection by a mutex.
// Reads run on the writer connection too, unless open() was given a way to open reader
// connections: then each read transaction borrows one from a pool (at most
// ReaderOptions::limit open at once), so reads never wait for a write's fsync — with
// SQLite's WAL a reader sees every transaction committed before it began. When no
// reader can be opened, reads fall back to the writer connection.
// Processes: every call runs in its own transaction and caches nothing, so writes by
// other processes are seen by the next call. Write transactions take the write lock
// at begin; when the database stays locked (ErrorKind::temporary after the
// connection's busy timeout, or a PostgreSQL connection lost before the commit), the
// whole transaction is retried up to kWriteAttempts times before the error is returned.
// A failed commit is never retried: it may have committed, and a retry could apply the
// change twice.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/api/store.h"
#include "store/sql/connection.h"
#include "store/sql/query.h"

namespace postamt::store::sql {

inline constexpr int kWriteAttempts = 3;

// Opens more connections to the same database for read transactions. Without
// `connect`, reads share the writer connection.
struct ReaderOptions {
  std::function<Result<std::unique_ptr<Connection>>()> connect;
  size_t limit = 8;
};

class SqlStore final : public Store {
 public:
  // Takes the writer connection; ErrorKind::io if a migration fails (nothing is applied
  // then), ErrorKind::invalid if the database has a schema version newer than this program.
  static Result<std::unique_ptr<SqlStore>> open(std::unique_ptr<Connection> connection,
                                                ReaderOptions readers = {});

  // The highest migration version applied.
  Result<int> schema_version();
  // How many migrations open() applied (0 when the schema was current already, or when
  // another process applied them first).
  int migrations_applied() const { return migrations_applied_; }

  // Runs `body` with the connection of a transaction of `mode`, for code that works on
  // tables rather than on mail (`postamt store copy`, store/sql/copy.h). The transaction
  // is the one every call gets: commits when `body` succeeds (a write bumps
  // data_version first), rolls back when it fails, and a write whose lock stayed busy
  // runs `body` again (up to kWriteAttempts). `body` must not commit or roll back.
  Result<void> with_transaction(TransactionMode mode,
                                const std::function<Result<void>(Connection&)>& body);

  Result<void> add_domain(std::string_view domain) override;
  Result<void> remove_domain(std::string_view domain) override;
  Result<std::vector<std::string>> list_domains() override;
  Result<bool> domain_exists(std::string_view domain) override;

  Result<AccountId> create_account(std::string_view address,
                                   std::string_view password_hash) override;
  Result<void> remove_account(std::string_view address) override;
  Result<std::vector<Account>> list_accounts() override;
  Result<Account> find_account(std::string_view address) override;
  Result<void> set_password_hash(std::string_view address, std::string_view hash) override;
  Result<std::string> password_hash(std::string_view address) override;
  Result<void> set_quota(std::string_view address, const QuotaSetting& setting) override;
  Result<QuotaState> quota(AccountId account) override;

  Result<void> add_alias(std::string_view address,
                         const std::vector<std::string>& targets) override;
  Result<void> remove_alias(std::string_view address) override;
  Result<Alias> find_alias(std::string_view address) override;
  Result<std::vector<Alias>> list_aliases() override;

  Result<std::vector<Mailbox>> list_mailboxes(AccountId account) override;
  Result<Mailbox> find_mailbox(AccountId account, std::string_view name) override;
  Result<Mailbox> find_mailbox_by_role(AccountId account, MailboxRole role) override;
  Result<Mailbox> get_mailbox(MailboxId mailbox) override;
  Result<Mailbox> create_mailbox(AccountId account, std::string_view name,
                                 MailboxRole role) override;
  Result<void> rename_mailbox(MailboxId mailbox, std::string_view new_name) override;
  Result<void> delete_mailbox(MailboxId mailbox) override;
  Result<Uid> claim_recent(MailboxId mailbox, Uid last) override;
  Result<void> set_subscription(AccountId account, std::string_view name,
                                Subscription subscription) override;
  Result<std::vector<std::string>> list_subscriptions(AccountId account) override;

  Result<std::vector<MetadataEntry>> list_metadata(AccountId account,
                                                   std::optional<MailboxId> mailbox) override;
  Result<void> set_metadata(AccountId account, std::optional<MailboxId> mailbox,
                            const std::vector<MetadataChange>& changes,
                            size_t max_entries) override;
  Result<Appended> append(MailboxId mailbox, const NewMessage& message) override;
  Result<std::vector<Appended>> append_all(MailboxId mailbox,
                                           const std::vector<NewMessage>& messages) override;
  Result<std::vector<Appended>> deliver(const NewMessage& message,
                                        const std::vector<DeliveryTarget>& targets) override;
  Result<std::vector<MessageRecord>> list_messages(MailboxId mailbox) override;
  Result<MessageRecord> get_message(MailboxId mailbox, Uid uid) override;
  Result<FlagUpdateResult> update_flags(MailboxId mailbox, const std::vector<Uid>& uids,
                                        const FlagUpdate& update) override;
  Result<std::vector<Expunged>> expunge(MailboxId mailbox, const std::vector<Uid>& uids) override;
  Result<std::vector<Expunged>> expunge_deleted(MailboxId mailbox,
                                                const std::vector<Uid>& uids) override;
  Result<CopyResult> copy(MailboxId source, const std::vector<Uid>& uids,
                          MailboxId destination) override;
  Result<CopyResult> move(MailboxId source, const std::vector<Uid>& uids,
                          MailboxId destination) override;
  Result<MailboxChanges> changes_since(MailboxId mailbox, ModSeq since) override;
  Result<std::vector<EnvelopeHeader>> envelope_headers(MailboxId mailbox, Uid first,
                                                       Uid last) override;
  Result<std::vector<std::string>> known_keywords(AccountId account) override;

  Result<std::vector<MessageLocation>> find_messages_by_message_id(
      AccountId account, std::string_view message_id) override;
  Result<RecordedReceipt> record_receipt(const NewSentReceipt& receipt,
                                         ReceiptUniqueness uniqueness) override;
  Result<ReceivedReceipt> record_received_receipt(const NewReceivedReceipt& receipt) override;
  Result<RefusedReceipt> record_refused_receipt(const NewRefusedReceipt& receipt) override;
  Result<ReceiptLedger> list_receipts(std::optional<AccountId> account) override;
  Result<void> set_policy_override(PolicyScope scope, std::string_view subject,
                                   std::string_view key, std::string_view value) override;
  Result<void> unset_policy_override(PolicyScope scope, std::string_view subject,
                                     std::string_view key) override;
  Result<std::vector<PolicyOverride>> list_policy_overrides() override;

  Result<ApiToken> create_token(AccountId account, std::string_view name,
                                std::string_view hash) override;
  Result<std::vector<ApiToken>> list_tokens(AccountId account) override;
  Result<void> revoke_token(AccountId account, std::string_view name) override;
  Result<std::optional<std::pair<ApiToken, Account>>> find_token(std::string_view hash) override;
  Result<AccountChanges> account_changes(AccountId account, ModSeq since) override;
  Result<ModSeq> account_modseq(AccountId account) override;
  Result<std::vector<AccountMessage>> list_account_messages(AccountId account) override;
  Result<size_t> assign_missing_threads(AccountId account) override;
  Result<EmailSubmission> create_email_submission(const NewEmailSubmission& record) override;
  Result<std::vector<EmailSubmission>> list_email_submissions(AccountId account) override;
  Result<ModSeq> destroy_email_submission(AccountId account, uint64_t id) override;
  Result<SubmissionChanges> email_submission_changes(AccountId account, ModSeq since) override;
  Result<PushSubscription> create_push_subscription(const NewPushSubscription& record,
                                                    uint32_t max_per_account) override;
  Result<std::vector<PushSubscription>> list_push_subscriptions(AccountId account,
                                                                Credential credential) override;
  Result<PushSubscription> update_push_subscription(AccountId account, Credential credential,
                                                    uint64_t id,
                                                    const PushSubscriptionUpdate& update) override;
  Result<void> destroy_push_subscription(AccountId account, Credential credential,
                                         uint64_t id) override;
  Result<bool> remove_push_subscription(uint64_t id) override;
  Result<std::vector<PushSubscription>> list_active_push_subscriptions(int64_t now) override;
  Result<size_t> delete_expired_push_subscriptions(int64_t now) override;

  Result<WebSession> create_web_session(AccountId account, std::string_view hash,
                                        std::string_view csrf_token, int64_t now) override;
  Result<std::optional<std::pair<WebSession, Account>>> find_web_session(
      std::string_view hash) override;
  Result<void> touch_web_session(uint64_t id, int64_t now) override;
  Result<void> delete_web_session(uint64_t id) override;
  Result<uint64_t> delete_web_sessions(AccountId account) override;
  Result<uint64_t> expire_web_sessions(int64_t idle_before, int64_t created_before) override;
  Result<std::vector<WebSetting>> web_settings(AccountId account) override;
  Result<void> set_web_setting(AccountId account, std::string_view name,
                               std::string_view value) override;

  Result<bool> try_claim(std::string_view name, std::string_view owner,
                         std::chrono::seconds lease) override;
  Result<size_t> renew_claims(std::string_view owner, std::chrono::seconds lease) override;
  Result<void> release_claim(std::string_view name, std::string_view owner) override;
  Result<void> insert_queue_entry(const QueueEntry& entry) override;
  Result<std::vector<std::string>> list_queue_entries() override;
  Result<QueueEntry> get_queue_entry(std::string_view id, QueueRead read) override;
  Result<void> update_queue_entry(
      std::string_view id, const std::function<Result<QueueChange>(QueueEntry&)>& change) override;
  Result<void> remove_queue_entry(std::string_view id) override;
  Result<std::vector<std::string>> claim_queue_entries(std::string_view owner, int64_t due_by,
                                                       size_t limit,
                                                       std::chrono::seconds lease) override;
  Result<bool> claim_queue_entry(std::string_view id, std::string_view owner,
                                 std::chrono::seconds lease) override;
  Result<bool> renew_queue_claim(std::string_view id, std::string_view owner,
                                 std::chrono::seconds lease) override;
  Result<void> release_queue_claim(std::string_view id, std::string_view owner) override;
  Result<QueueSummary> queue_summary() override;

  Result<uint64_t> data_version() override;
  Result<std::unordered_set<BlobRef>> referenced_blobs() override;

 private:
  explicit SqlStore(std::unique_ptr<Connection> connection) : writer_(std::move(connection)) {}

  // Runs `body` in a transaction: writes (and reads without a reader pool) on the writer
  // connection under its mutex, reads on a pooled reader. Commits on success (bumping
  // data_version for writes), rolls back on error, retries writes on temporary.
  Result<void> transact(TransactionMode mode, const std::function<Result<void>()>& body);
  Result<void> run_transaction(Connection& connection, TransactionMode mode,
                               const std::function<Result<void>()>& body);
  // A pooled reader: an idle one, a new one while fewer than the limit are open, or
  // else waits for one to come back. Errors: the factory's.
  Result<std::unique_ptr<Connection>> take_reader();
  class ReaderLease;
  // The connection of the transaction running on this thread (helpers below use it).
  Connection& db() { return *current_; }
  Result<void> apply_migrations();

  // Helpers below run inside transact().
  Result<Mailbox> load_mailbox(MailboxId id);
  Result<std::optional<Mailbox>> load_mailbox_by_name(AccountId account, std::string_view name);
  Result<Mailbox> insert_mailbox(AccountId account, std::string_view name, MailboxRole role,
                                 Subscription subscription);
  // Inside a transaction: not_found when the account does not exist.
  Result<void> check_account(AccountId account);
  // Inside a transaction: check_account, then column 0 (text) of every row of `sql`, whose
  // one parameter is the account id.
  Result<std::vector<std::string>> account_texts(AccountId account, std::string_view sql);
  // Inside a write transaction: adds or removes the subscription of `name`.
  Result<void> write_subscription(AccountId account, const std::string& name,
                                  Subscription subscription);
  // Inside a write transaction: the account's next modseq (store.h MODSEQ).
  Result<ModSeq> bump_account_modseq(AccountId account);
  // bump_account_modseq, and the mailbox's highest_modseq set to it.
  Result<ModSeq> next_modseq(const Mailbox& mailbox);
  // Inside a write transaction, before the mailbox row goes: its tombstone and every
  // message of it in the account-wide removal log, at a new account modseq.
  Result<void> record_mailbox_deletion(const Mailbox& mailbox);
  // Every message of the account (with modseq > since, when given), in `order` (an SQL
  // ORDER BY list).
  Result<std::vector<AccountMessage>> select_account_messages(AccountId account,
                                                              std::string_view order,
                                                              std::optional<ModSeq> since);
  Result<int64_t> metadata_scope(AccountId account, std::optional<MailboxId> mailbox);
  // The thread a new message of `account` joins, or `modseq` for a new thread; records
  // the message's keys (rules.h thread_link_keys). Inside a write transaction.
  Result<uint64_t> thread_of(AccountId account, const NewMessage& message, ModSeq modseq);
  // The oldest thread any of `keys` belongs to in the account; nullopt when none.
  Result<std::optional<uint64_t>> find_thread(AccountId account,
                                              const std::vector<std::string>& keys);
  // Links the keys not linked yet to `thread`.
  Result<void> link_thread(AccountId account, const std::vector<std::string>& keys,
                           uint64_t thread);
  Result<Keywords> canonical_keywords(AccountId account, const Keywords& keywords);
  Result<void> adjust_counts(MailboxId mailbox, int64_t messages, int64_t unseen, int64_t size = 0);
  // Inside a write transaction: over_quota when `adding` passes the account's limits.
  Result<void> check_quota_in(AccountId account, const QuotaLimits& adding);
  enum class Usage { always, when_limited };  // when_limited: `used` stays 0 without limits
  Result<QuotaState> quota_in(AccountId account, Usage usage);
  // `expected`: how many rows the caller expects (reserved up front; a hint only).
  Result<std::vector<MessageRecord>> select_messages(MailboxId mailbox, std::string_view where,
                                                     int64_t argument, size_t expected = 0);
  Result<std::vector<Appended>> insert_messages(const NewMessage& message,
                                                const std::vector<DeliveryTarget>& targets);
  Result<FlagUpdateResult> update_flags_in(const Mailbox& mailbox, const std::vector<Uid>& uids,
                                           const FlagUpdate& update);
  Result<std::vector<MessageLocation>> locations_by_message_id(AccountId account,
                                                               std::string_view message_id);
  Result<std::optional<std::string>> account_address(AccountId account);
  // The policy subject's key and stored form; not_found when it names nothing.
  struct PolicySubject {
    std::string key;
    std::string display;
    std::optional<int64_t> account_id;
  };
  Result<PolicySubject> policy_subject(PolicyScope scope, std::string_view subject);
  Result<std::vector<Expunged>> expunge_in(const Mailbox& mailbox, const std::vector<Uid>& uids,
                                           ExpungeScope scope = ExpungeScope::listed);
  Result<std::vector<Expunged>> expunge_scoped(MailboxId mailbox, const std::vector<Uid>& uids,
                                               ExpungeScope scope);
  enum class QuotaCheck { yes, no };  // no: a move, which adds nothing to the account
  Result<CopyResult> copy_in(MailboxId source, const std::vector<Uid>& uids, MailboxId destination,
                             QuotaCheck check = QuotaCheck::yes);
  Result<std::optional<int64_t>> account_id_by_key(const std::string& key);

  int migrations_applied_ = 0;
  static thread_local Connection* current_;
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  struct ReaderPool {
    std::function<Result<std::unique_ptr<Connection>>()> factory;
    size_t limit = 1;
    size_t open = 0;  // idle + borrowed
    std::vector<std::unique_ptr<Connection>> idle;
    std::mutex mutex;
    std::condition_variable returned;
  };
  ReaderPool readers_;
};

}  // namespace postamt::store::sql
