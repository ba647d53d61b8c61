// MemoryStore: the whole Store contract (store/api/store.h) in process memory, for
// unit tests of upper layers. Same rules and error messages as the SQL store (the
// contract tests run against both); no durability, no sharing between processes.
// Thread-safe: one mutex around every call.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "store/api/store.h"

namespace postamt::store {

class MemoryStore final : public Store {
 public:
  MemoryStore() = default;

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
  struct AccountEntry {
    Account account;
    std::string password_hash;
    ModSeq modseq = 0;
    Keywords known_keywords;
    std::set<std::string> subscriptions;  // names; MailboxEntry::mailbox.subscription follows
    QuotaSetting quota;
    // (mailbox id or 0 for the server, lower-cased name) -> entry
    std::map<std::pair<int64_t, std::string>, MetadataEntry> metadata;
    std::map<std::string, uint64_t> thread_links;  // rules.h thread_link_keys -> thread
    ModSeq history_start = 0;                      // always 0: nothing predates a memory store
    std::map<std::string, ApiToken> tokens;        // by name
    std::vector<AccountExpunge> removals;          // every removed message, by modseq
    std::vector<MailboxTombstone> tombstones;      // every deleted mailbox, by modseq
    std::vector<EmailSubmission> submissions;      // by id
    std::vector<SubmissionChanges::Destroyed> destroyed_submissions;  // by modseq
    std::map<uint64_t, WebSession> web_sessions;                      // by id
    std::map<std::string, std::string> web_settings;                  // by name
    std::vector<PushSubscription> push_subscriptions;                 // by id
  };
  struct StoredHeader {
    std::optional<std::string> lines;
    std::optional<std::string> thread_refs;
  };
  struct MailboxEntry {
    Mailbox mailbox;
    std::map<Uid, MessageRecord> messages;
    // The envelope lines and thread references of messages stored with either.
    std::map<Uid, StoredHeader> headers;
    std::map<Uid, ModSeq> expunged;
  };

  AccountEntry* account_by_id(AccountId id);
  QuotaState quota_locked(const AccountEntry& account);
  // over_quota when `adding` passes the account's limits.
  Result<void> check_quota_locked(AccountId account, const QuotaLimits& adding);
  Result<MailboxEntry*> mailbox_entry(MailboxId id);
  MailboxEntry* mailbox_by_key(AccountId account, std::string_view name);
  Result<Mailbox> create_mailbox_locked(AccountId account, std::string_view name, MailboxRole role,
                                        Subscription subscription);
  ModSeq next_modseq(MailboxEntry& box);
  Keywords canonical_keywords(AccountId account, const Keywords& keywords);
  Appended add_message(MailboxEntry& box, MessageRecord record, const NewMessage& message);
  uint64_t next_web_session_id_ = 1;
  std::vector<Expunged> expunge_locked(MailboxEntry& box, const std::vector<Uid>& uids,
                                       ExpungeScope scope = ExpungeScope::listed);
  Result<CopyResult> copy_locked(MailboxId source, const std::vector<Uid>& uids,
                                 MailboxId destination, bool check_quota = true);
  static void recount(MailboxEntry& box);
  // Logs a removed message account-wide (AccountChanges::expunged).
  void record_removal(const MailboxEntry& box, const MessageRecord& message, ModSeq modseq);
  // A new account modseq, the mailbox's tombstone and its messages logged as removed.
  void record_mailbox_deletion(const MailboxEntry& box);
  FlagUpdateResult update_flags_locked(MailboxEntry& box, const std::vector<Uid>& uids,
                                       const FlagUpdate& update);
  std::vector<MessageLocation> locations_locked(AccountId account, std::string_view message_id);
  const Account* account_locked(AccountId id);
  void forget_account_receipts(AccountId id, const std::string& key);

  struct SentEntry {
    SentReceipt receipt;
    std::string original_key;
    int64_t sequence = 0;
  };
  // (scope, subject key, name) -> (subject as displayed, value)
  using PolicyKey = std::tuple<PolicyScope, std::string, std::string>;

  std::mutex mutex_;
  std::set<std::string> domains_;
  std::map<std::string, AccountEntry> accounts_;  // by address key
  std::map<std::string, Alias> aliases_;          // by address key
  std::map<int64_t, MailboxEntry> mailboxes_;     // by id
  int64_t next_account_id_ = 1;
  int64_t next_mailbox_id_ = 1;
  UidValidity next_uid_validity_ = 1;
  uint64_t data_version_ = 0;
  std::vector<SentEntry> sent_receipts_;
  std::vector<ReceivedReceipt> received_receipts_;
  std::vector<RefusedReceipt> refused_receipts_;
  int64_t next_receipt_id_ = 1;
  uint64_t next_token_id_ = 1;
  uint64_t next_push_subscription_id_ = 1;
  std::map<PolicyKey, std::pair<std::string, std::string>> policy_overrides_;
  struct Claim {
    std::string owner;
    int64_t until = 0;  // seconds since 1970, system clock
  };
  std::map<std::string, Claim, std::less<>> claims_;              // by name
  std::map<std::string, QueueEntry, std::less<>> queue_entries_;  // by id
};

}  // namespace postamt::store
