// Store: accounts, aliases, mailboxes and messages in mail words (docs/architecture.md, Layers).
//
// Implementations: store/sql (over SQLite today, PostgreSQL later) and store/memory
// (tests). Callers name only this interface; src/app picks the backend.
//
// Threads and processes:
// - Every call BLOCKS (disk, locks). The server runs store calls on its store threads,
//   never on the network executor.
// - Every implementation is safe to call from several threads at once (the SQL store
//   serialises writes on one connection and runs reads on pooled reader connections).
// - Several processes may open the same data at once (the admin CLI while the server
//   runs). Nothing is cached across calls: each call sees every write committed by any
//   process before it started.
//
// Atomicity and durability: every write is one transaction; when a call returns a
// value, its effect is durable (SQLite: synchronous=FULL in WAL mode) and visible to
// every later call in any process. On error nothing changed.
//
// Errors (base/error.h), with plain-word messages (store/api/rules.h, store::errors):
//   invalid    malformed address, mailbox name, keyword, or a forbidden operation
//   not_found  the named domain, account, alias, mailbox or message does not exist
//   exists     the thing to create exists already
//   limit      alias expansion deeper than kMaxAliasDepth
//   over_quota a message would take an account past its quota (see quota())
//   temporary  the database stayed locked by another writer after retries
//   io         the database could not be read or written
//
// UIDs (RFC 9051 §2.3.1.1): uid_next only grows, also when the last message is
// expunged and across crashes, because it is stored with each message in one
// transaction. UIDVALIDITY is assigned at mailbox creation from a store-wide counter
// and never changes afterwards; a mailbox deleted and created again gets a new one.
//
// MODSEQ (RFC 7162): one counter per account; every change to a message (append,
// flag change, expunge, copy/move target) takes the next value, and the mailbox's
// highest_modseq is the last value used in it. So modseqs grow strictly per mailbox
// (what CONDSTORE needs) and per account (a JMAP state string). A new mailbox starts
// at the next account value.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/result.h"
#include "store/api/push_subscriptions.h"
#include "store/api/queue_entries.h"
#include "store/api/receipts.h"
#include "store/api/submissions.h"
#include "store/api/types.h"
#include "store/api/web_sessions.h"

namespace postamt::store {

// Alias expansion gives up beyond this many nested levels (ErrorKind::limit).
inline constexpr int kMaxAliasDepth = 10;

class Store {
 public:
  virtual ~Store() = default;

  // ---- domains: names are lowercased; listed in ascending order ----
  // exists if present already; invalid if not a domain name.
  virtual Result<void> add_domain(std::string_view domain) = 0;
  // not_found if absent; invalid ("domain x is still used by N accounts and M aliases")
  // while accounts or aliases are in it.
  virtual Result<void> remove_domain(std::string_view domain) = 0;
  virtual Result<std::vector<std::string>> list_domains() = 0;
  virtual Result<bool> domain_exists(std::string_view domain) = 0;

  // ---- accounts: addresses compare case-insensitively (model/address.h) ----
  // Creates the account with INBOX, Sent, Drafts, Trash, Junk and Archive (their roles,
  // subscribed) in one transaction. not_found "domain x does not exist" when the domain
  // is not local; exists when an account or an alias has the address.
  virtual Result<AccountId> create_account(std::string_view address,
                                           std::string_view password_hash) = 0;
  // Deletes the account with its mailboxes, messages, tokens and push subscriptions.
  // Their blobs become unreferenced (see referenced_blobs). not_found if absent.
  virtual Result<void> remove_account(std::string_view address) = 0;
  // Ordered by address (case-insensitive).
  virtual Result<std::vector<Account>> list_accounts() = 0;
  virtual Result<Account> find_account(std::string_view address) = 0;
  // A new password revokes the old one: the push subscriptions created with the password
  // (CredentialKind::password) are destroyed in the same transaction (RFC 8620 §7.2).
  virtual Result<void> set_password_hash(std::string_view address, std::string_view hash) = 0;
  // The stored hash for a login. not_found if no such account.
  virtual Result<std::string> password_hash(std::string_view address) = 0;

  // ---- quota (RFC 9208) ----
  // Every message counts once per mailbox it is in, at its size, against its account.
  // append(), deliver() and copy() refuse with over_quota ("account a@b would pass its
  // storage quota of N octets" / "... message quota of N messages"), changing nothing,
  // when the messages they add would take an account past a limit; move() within an
  // account adds nothing and is never refused; expunge and delete give room at once.
  // The check and the insert are one transaction, so concurrent writers (any process)
  // cannot together pass a limit.
  //
  // The limits of accounts without their own ([quota] in the configuration). Set once,
  // before the store is used from several threads.
  void set_default_quota(QuotaLimits limits) { default_quota_ = limits; }
  QuotaLimits default_quota() const { return default_quota_; }
  // Replaces the account's own limits. not_found for an unknown account.
  virtual Result<void> set_quota(std::string_view address, const QuotaSetting& setting) = 0;
  // Limits and use of the account. not_found for an unknown account.
  virtual Result<QuotaState> quota(AccountId account) = 0;

  // ---- aliases ----
  // The alias's domain must be local (not_found otherwise); targets may be local or
  // remote, at least one, each a valid address (invalid otherwise), duplicates
  // (case-insensitive) dropped. exists when an alias or an account has the address.
  virtual Result<void> add_alias(std::string_view address,
                                 const std::vector<std::string>& targets) = 0;
  virtual Result<void> remove_alias(std::string_view address) = 0;
  virtual Result<Alias> find_alias(std::string_view address) = 0;
  // Ordered by address (case-insensitive).
  virtual Result<std::vector<Alias>> list_aliases() = 0;

  // The final recipients for `address`: the account itself; an alias expanded
  // recursively (duplicates dropped, first occurrence kept); a remote address as is.
  // Targets in a local domain that name nothing are returned as unknown_local so that
  // delivery can bounce exactly those. Errors: not_found when `address` is in a local
  // domain and names no account or alias; invalid "alias loop: a -> b -> a" when an
  // alias reaches itself; limit beyond kMaxAliasDepth. Not atomic with respect to
  // concurrent alias changes (each step reads the current state).
  Result<std::vector<Recipient>> resolve(std::string_view address);

  // ---- mailboxes ----
  // Names: "/" is the hierarchy delimiter; "INBOX" is case-insensitive (stored as
  // "INBOX"), every other name case-sensitive. Ordered by name.
  virtual Result<std::vector<Mailbox>> list_mailboxes(AccountId account) = 0;
  virtual Result<Mailbox> find_mailbox(AccountId account, std::string_view name) = 0;
  virtual Result<Mailbox> find_mailbox_by_role(AccountId account, MailboxRole role) = 0;
  virtual Result<Mailbox> get_mailbox(MailboxId mailbox) = 0;
  // New mailbox, not subscribed (subscribing is the client's choice, RFC 3501 §6.3.6; only
  // the default mailboxes of a new account start subscribed), uid_next 1, fresh
  // UIDVALIDITY. Parents are not created.
  // exists if the name or (for role != none) the role is taken; invalid for a bad
  // name (empty, leading/trailing or double "/", control characters, '*' or '%').
  virtual Result<Mailbox> create_mailbox(AccountId account, std::string_view name,
                                         MailboxRole role) = 0;
  // Renames the mailbox and every mailbox below it ("a" -> "b" also moves "a/x" to
  // "b/x"); ids, UIDs and UIDVALIDITY stay. invalid for INBOX (RFC 9051 §6.3.6 gives
  // INBOX rename special semantics that the mail layer implements with move()), or
  // renaming below itself; exists if any resulting name is taken.
  virtual Result<void> rename_mailbox(MailboxId mailbox, std::string_view new_name) = 0;
  // Deletes the mailbox and its messages (children stay). invalid for INBOX.
  virtual Result<void> delete_mailbox(MailboxId mailbox) = 0;
  // IMAP4rev1 \Recent (RFC 3501 §2.3.2): exactly one session sees a new message as
  // recent. Atomically moves the mailbox's first_recent_uid past `last` and returns its
  // value before: the caller's recent messages are those with uids from it up to `last`
  // (none when it is above `last`, and then nothing is written).
  virtual Result<Uid> claim_recent(MailboxId mailbox, Uid last) = 0;
  // Subscriptions are names, not mailboxes (RFC 3501 §6.3.6): one outlives its mailbox's
  // deletion and applies again to a mailbox created later under that name; renaming a
  // mailbox takes the subscriptions of its name and of the names below it along (one
  // that would no longer be a valid name is dropped).
  // Mailbox::subscription says whether the mailbox's name is subscribed. Subscribing a
  // subscribed name, or unsubscribing one that is not, succeeds. invalid for a bad name
  // (as create_mailbox); not_found for an unknown account.
  virtual Result<void> set_subscription(AccountId account, std::string_view name,
                                        Subscription subscription) = 0;
  // The account's subscribed names, ascending (byte order), existing or not.
  virtual Result<std::vector<std::string>> list_subscriptions(AccountId account) = 0;

  // ---- metadata (IMAP METADATA, RFC 5464): an account's annotations on one of its
  // mailboxes, or on the server (mailbox nullopt) as that account sees it ----
  // Every entry of the scope, ascending by name ignoring ASCII case. not_found for a
  // mailbox that does not exist or is another account's.
  virtual Result<std::vector<MetadataEntry>> list_metadata(AccountId account,
                                                           std::optional<MailboxId> mailbox) = 0;
  // Applies the changes (names compare ignoring ASCII case; a name set again keeps its
  // first spelling) in one transaction. limit when the scope would then hold more than
  // `max_entries`: nothing changes. A mailbox's highest_modseq moves when an entry of it
  // changed (RFC 7162 §3.2). not_found as list_metadata(). Deleting a mailbox deletes its
  // entries; renaming keeps them.
  virtual Result<void> set_metadata(AccountId account, std::optional<MailboxId> mailbox,
                                    const std::vector<MetadataChange>& changes,
                                    size_t max_entries) = 0;

  // ---- messages ----
  // Adds one message. invalid for a bad keyword; not_found for a missing mailbox.
  virtual Result<Appended> append(MailboxId mailbox, const NewMessage& message) = 0;
  // Several messages into one mailbox in ONE transaction (IMAP MULTIAPPEND, RFC 3502):
  // all are added or none. uids ascend in the order of `messages`. Errors as append();
  // over_quota counts them together.
  virtual Result<std::vector<Appended>> append_all(MailboxId mailbox,
                                                   const std::vector<NewMessage>& messages) = 0;
  // One blob into many mailboxes (any accounts) in ONE transaction: either every target
  // gets the message or none does. `message.flags/keywords` apply to every target in
  // addition to the target's own. Results in the order of `targets`.
  virtual Result<std::vector<Appended>> deliver(const NewMessage& message,
                                                const std::vector<DeliveryTarget>& targets) = 0;
  // Ordered by uid.
  virtual Result<std::vector<MessageRecord>> list_messages(MailboxId mailbox) = 0;
  virtual Result<MessageRecord> get_message(MailboxId mailbox, Uid uid) = 0;
  // Changes flags of the messages with these uids (absent uids are ignored). A message
  // whose flags and keywords end up unchanged keeps its modseq; each changed message
  // gets the operation's new modseq. Messages failing unchanged_since stay untouched
  // and are listed in `modified`. $MDNSent is a one-way latch (rules.h): a message that
  // has it keeps it whatever the update says.
  virtual Result<FlagUpdateResult> update_flags(MailboxId mailbox, const std::vector<Uid>& uids,
                                                const FlagUpdate& update) = 0;
  // Removes the messages with these uids (absent ones ignored) and records each in the
  // change log with the operation's new modseq. Returns what was removed, by uid.
  virtual Result<std::vector<Expunged>> expunge(MailboxId mailbox,
                                                const std::vector<Uid>& uids) = 0;
  // Like expunge(), but removes only those of `uids` that carry \Deleted when the
  // transaction runs (IMAP EXPUNGE/CLOSE, RFC 9051 §6.4.3: a message another client
  // un-deleted meanwhile stays).
  virtual Result<std::vector<Expunged>> expunge_deleted(MailboxId mailbox,
                                                        const std::vector<Uid>& uids) = 0;
  // Copies the messages with these uids (absent ones ignored) to `destination` with
  // their flags, keywords and internal date; new uids in source-uid order.
  virtual Result<CopyResult> copy(MailboxId source, const std::vector<Uid>& uids,
                                  MailboxId destination) = 0;
  // copy() and expunge() from the source in one transaction (RFC 6851). The source may
  // be the destination: the messages get new uids and the old ones are expunged.
  virtual Result<CopyResult> move(MailboxId source, const std::vector<Uid>& uids,
                                  MailboxId destination) = 0;
  // Messages added or changed after `since`, and uids expunged after `since`.
  // Expunge records are kept for the life of the mailbox.
  virtual Result<MailboxChanges> changes_since(MailboxId mailbox, ModSeq since) = 0;
  // The envelope header lines kept with the messages of `mailbox` whose uid is in
  // [first, last], ascending by uid; messages stored without them are left out.
  // not_found if the mailbox does not exist.
  virtual Result<std::vector<EnvelopeHeader>> envelope_headers(MailboxId mailbox, Uid first,
                                                               Uid last) = 0;
  // Every keyword spelling used in this account so far, in first-use order. A keyword
  // is stored with the spelling under which the account first used it.
  virtual Result<std::vector<std::string>> known_keywords(AccountId account) = 0;

  // ---- read receipts (docs/read-receipts.md) ----
  // Every message of the account whose stored Message-ID equals `message_id` (compared
  // byte for byte with the normalised form), by mailbox id then uid; empty when none.
  // not_found for an unknown account; invalid when `message_id` is "".
  virtual Result<std::vector<MessageLocation>> find_messages_by_message_id(
      AccountId account, std::string_view message_id) = 0;
  // Records the receipt `receipt.account` sent for one original message and sets the
  // keyword $MDNSent (RFC 3503) on every copy of it in that account, in ONE transaction
  // (each changed copy gets a new modseq, as any flag change). The original is
  // `receipt.message_id` when not empty; otherwise the Message-ID stored with
  // `receipt.message`; a message without any is identified by that copy alone.
  // With one_per_recipient, a second record for the same (account, original) is refused
  // as outcome already_sent carrying the existing record (the keyword is still set on
  // every copy); a UNIQUE constraint keeps this true across processes. With
  // allow_duplicates, each call adds a record. `matched_by` is stored with the record as
  // given. An unmatched receipt (ReceiptMatch::unmatched, neither message_id nor message)
  // is always recorded, whatever `uniqueness`, sets no keyword, and is never the record
  // that makes another receipt already_sent.
  // Errors: not_found (account, or `message` not a message of that account); invalid
  // (neither message_id nor message given - or, for unmatched, one of them given -, empty
  // requester or disposition).
  virtual Result<RecordedReceipt> record_receipt(const NewSentReceipt& receipt,
                                                 ReceiptUniqueness uniqueness) = 0;
  // Records a receipt that arrived for mail `receipt.account` sent. not_found for an
  // unknown account; invalid for an empty message_id, final_recipient or disposition.
  virtual Result<ReceivedReceipt> record_received_receipt(const NewReceivedReceipt& receipt) = 0;
  // Records a receipt the server refused to send (NewRefusedReceipt). A refusal with the
  // same account, non-empty message_id, path, requester and reason as a recorded one is
  // not recorded again (the same message downloaded twice): the existing record is
  // returned. Sets no keyword. not_found for an unknown account; invalid for an empty
  // reason.
  virtual Result<RefusedReceipt> record_refused_receipt(const NewRefusedReceipt& receipt) = 0;
  // Sent, received and refused receipts, of one account or (nullopt) of all; not_found
  // for an unknown account.
  virtual Result<ReceiptLedger> list_receipts(std::optional<AccountId> account) = 0;

  // Receipt policy overrides. `subject` is a local domain (PolicyScope::domain) or an
  // account address (PolicyScope::user), matched case-insensitively and stored in its
  // normal form; key and value are 1-64 printable ASCII characters without spaces.
  // set replaces an existing value. Removing the account or domain removes its
  // overrides. Errors: not_found (no such domain / account; for unset also no such
  // override), invalid (key or value).
  virtual Result<void> set_policy_override(PolicyScope scope, std::string_view subject,
                                           std::string_view key, std::string_view value) = 0;
  virtual Result<void> unset_policy_override(PolicyScope scope, std::string_view subject,
                                             std::string_view key) = 0;
  // Ordered by scope (domain first), subject, key.
  virtual Result<std::vector<PolicyOverride>> list_policy_overrides() = 0;

  // ---- API tokens (bearer tokens for HTTP, `postamt token create|list|revoke`) ----
  // Errors: exists when the account already has a token of that name, or a token has
  // this hash (one secret, one token); invalid for a bad name or a hash that is not 64
  // lowercase hex digits (rules.h); not_found for an unknown account.
  virtual Result<ApiToken> create_token(AccountId account, std::string_view name,
                                        std::string_view hash) = 0;
  // Ordered by name (byte order). not_found for an unknown account.
  virtual Result<std::vector<ApiToken>> list_tokens(AccountId account) = 0;
  // not_found when the account has no token of that name (or does not exist). Effective
  // at once for every process: find_token() reads the store on every call. Removing the
  // account removes its tokens. The push subscriptions the token created are destroyed
  // in the same transaction (RFC 8620 §7.2 "MUST be destroyed").
  virtual Result<void> revoke_token(AccountId account, std::string_view name) = 0;
  // The token with this hash and its account, nullopt when none.
  virtual Result<std::optional<std::pair<ApiToken, Account>>> find_token(std::string_view hash) = 0;

  // ---- account-wide changes (JMAP /changes, RFC 8620 §5.2) ----
  // Every change a JMAP client can see takes a new account modseq: message writes (see
  // MODSEQ above), creating, renaming and deleting a mailbox, and a subscription change
  // (set_subscription when the name's state changes). Removals and mailbox deletions are
  // kept account-wide for the life of the account.
  // not_found for an unknown account.
  virtual Result<AccountChanges> account_changes(AccountId account, ModSeq since) = 0;
  // The account's modseq now (cheap). not_found for an unknown account.
  virtual Result<ModSeq> account_modseq(AccountId account) = 0;
  // Every message of the account, all mailboxes, by mailbox id then uid (JMAP
  // Email/query without inMailbox). not_found for an unknown account.
  virtual Result<std::vector<AccountMessage>> list_account_messages(AccountId account) = 0;

  // ---- JMAP EmailSubmission records (RFC 8621 §7, store/api/submissions.h) ----
  // Creating or destroying a record takes a new account modseq (so JMAP states move);
  // a destroyed record is kept as a tombstone for /changes. Records never change
  // otherwise. Removing the account removes them. Errors: not_found for an unknown
  // account or (destroy) a record that is not the account's; invalid for an empty email
  // id or no recipients.
  virtual Result<EmailSubmission> create_email_submission(const NewEmailSubmission& record) = 0;
  // The account's records, by id. not_found for an unknown account.
  virtual Result<std::vector<EmailSubmission>> list_email_submissions(AccountId account) = 0;
  // Returns the modseq of the destruction.
  virtual Result<ModSeq> destroy_email_submission(AccountId account, uint64_t id) = 0;
  // Records created and destroyed after `since` (a record created and destroyed after it
  // is listed in both). not_found for an unknown account.
  virtual Result<SubmissionChanges> email_submission_changes(AccountId account, ModSeq since) = 0;

  // ---- JMAP PushSubscription records (RFC 8620 §7.2, store/api/push_subscriptions.h) ----
  // Records are not account data: no account modseq moves (data_version does, as for
  // every write). A destroyed record is deleted at once, its url and keys with it (the
  // SQLite backend runs with secure_delete, so the freed space is overwritten). Removing
  // the account, revoking the token or changing the password that created a record
  // destroys it.
  // Errors: not_found for an unknown account, or (update, destroy) an id that is not a
  // record of this account and credential; limit (errors::push_subscriptions_full) when
  // the account has `max_per_account` records already (counted in the same transaction,
  // so concurrent creations cannot pass it); invalid for an empty device_client_id, url
  // or verification_code.
  virtual Result<PushSubscription> create_push_subscription(const NewPushSubscription& record,
                                                            uint32_t max_per_account) = 0;
  // The records `credential` created for the account, by id.
  virtual Result<std::vector<PushSubscription>> list_push_subscriptions(AccountId account,
                                                                        Credential credential) = 0;
  // Applies `update`; returns the record as stored afterwards.
  virtual Result<PushSubscription> update_push_subscription(
      AccountId account, Credential credential, uint64_t id,
      const PushSubscriptionUpdate& update) = 0;
  virtual Result<void> destroy_push_subscription(AccountId account, Credential credential,
                                                 uint64_t id) = 0;
  // For the push sender: deletes the record whatever its owner (the push service
  // answered "gone"); an absent id is not an error. Returns whether one was deleted.
  virtual Result<bool> remove_push_subscription(uint64_t id) = 0;
  // Every verified record whose expiry is after `now` (or that never expires), of every
  // account, by id: what the push sender may POST to.
  virtual Result<std::vector<PushSubscription>> list_active_push_subscriptions(int64_t now) = 0;
  // Deletes every record whose expiry is at or before `now`; returns how many.
  virtual Result<size_t> delete_expired_push_subscriptions(int64_t now) = 0;

  // ---- maintenance ----
  // Puts every message of the account without a thread (stored before store migration
  // 12) into one, as if stored now in uid order per mailbox (mailboxes by id), using
  // thread_link_keys (rules.h) from the stored Message-ID and thread references (a
  // message stored without thread references links by its Message-ID and BlobRef only).
  // A new thread takes a new account modseq as its id (unique within the account); the
  // messages keep their modseqs (a thread is not a flag change). Returns how many got
  // one; idempotent. not_found for an unknown account.
  virtual Result<size_t> assign_missing_threads(AccountId account) = 0;

  // ---- webmail sessions and settings (store/api/web_sessions.h) ----
  // Errors: exists when a session has this hash; invalid for a hash that is not 64
  // lowercase hex digits or an empty csrf token; not_found for an unknown account.
  virtual Result<WebSession> create_web_session(AccountId account, std::string_view hash,
                                                std::string_view csrf_token, int64_t now) = 0;
  // The session with this hash and its account, nullopt when none.
  virtual Result<std::optional<std::pair<WebSession, Account>>> find_web_session(
      std::string_view hash) = 0;
  // Records a use of the session (idle expiry counts from it); no error when it is gone.
  virtual Result<void> touch_web_session(uint64_t id, int64_t now) = 0;
  // Ends one session; no error when it is gone already.
  virtual Result<void> delete_web_session(uint64_t id) = 0;
  // Ends every session of the account ("sign out everywhere"); how many ended.
  virtual Result<uint64_t> delete_web_sessions(AccountId account) = 0;
  // Ends every session last used before `idle_before` or created before
  // `created_before`; how many ended.
  virtual Result<uint64_t> expire_web_sessions(int64_t idle_before, int64_t created_before) = 0;
  // The account's settings, by name. not_found for an unknown account.
  virtual Result<std::vector<WebSetting>> web_settings(AccountId account) = 0;
  // Sets (or with an empty value removes) one setting. invalid for an empty name or more
  // than 256 octets; not_found for an unknown account. Removing the account removes its
  // sessions and settings.
  virtual Result<void> set_web_setting(AccountId account, std::string_view name,
                                       std::string_view value) = 0;

  // ---- cluster claims: named, leased, cluster-wide (the POP3 maildrop lock) ----
  // A claim is a name (e.g. "pop3:42") held by one owner (a process: hostname, pid and
  // a random part) until a time on the DATABASE's clock, in whole seconds, so that nodes
  // with skewed clocks agree. It is held while now <= until; once now > until it is
  // expired and anyone may take it, so a claim lasts at least `lease` and at most about
  // one second more. The owner keeps its claims alive with renew_claims; a dead owner's
  // claims expire. Names and owners are compared octet for octet.
  //
  // Takes claim `name` for `owner` until now+lease (database clock), when it is free,
  // expired, or already `owner`'s (then the lease is extended). Returns false, changing
  // nothing, when another owner holds it. invalid for an empty name or owner or a lease
  // below one second.
  virtual Result<bool> try_claim(std::string_view name, std::string_view owner,
                                 std::chrono::seconds lease) = 0;
  // Extends every claim `owner` holds (expired ones too, unless another owner took them)
  // to now+lease; returns how many. invalid for an empty owner or a lease below 1 s.
  virtual Result<size_t> renew_claims(std::string_view owner, std::chrono::seconds lease) = 0;
  // Frees claim `name` if `owner` holds it; does nothing (and succeeds) when another
  // owner holds it or nobody does.
  virtual Result<void> release_claim(std::string_view name, std::string_view owner) = 0;
  // ---- outbound queue (store/api/queue_entries.h; queue/store_queue.h) ----
  // Entries are not account data: no modseq moves (data_version does, as for every
  // write). Claims are written only by the claim methods; every other write keeps them.
  // Errors beyond the store's usual ones: invalid for an empty id; exists when an entry
  // has the id (insert); not_found for an absent id.
  virtual Result<void> insert_queue_entry(const QueueEntry& entry) = 0;
  // Every entry's id, ascending (byte order).
  virtual Result<std::vector<std::string>> list_queue_entries() = 0;
  virtual Result<QueueEntry> get_queue_entry(std::string_view id, QueueRead read) = 0;
  // Reads give claim_owner/claim_until of a live claim only (queue_entries.h).
  // Read-modify-write in ONE write transaction: reads the whole entry, calls `change`,
  // then saves what it left in the entry (its id and claim fields are ignored), removes
  // the entry, or keeps it, as `change` returns. `change` may run more than once (a
  // transaction retried) and must not call the store. An error from `change` is returned
  // and nothing changes.
  virtual Result<void> update_queue_entry(
      std::string_view id, const std::function<Result<QueueChange>(QueueEntry&)>& change) = 0;
  virtual Result<void> remove_queue_entry(std::string_view id) = 0;
  // Claims for `owner`, until the store's clock + `lease`, up to `limit` entries that
  // are due (next_attempt <= due_by), not held, not quarantined, and unclaimed or whose
  // claim has ended (claim_until <= the store's clock). Ascending by (next_attempt, id);
  // returns their ids. On PostgreSQL the rows are selected FOR UPDATE SKIP LOCKED.
  virtual Result<std::vector<std::string>> claim_queue_entries(std::string_view owner,
                                                               int64_t due_by, size_t limit,
                                                               std::chrono::seconds lease) = 0;
  // Claims one entry whatever its due time, held or quarantined state: true when it was
  // unclaimed, its claim had ended, or `owner` held it already; false when another owner
  // holds a claim that has not ended.
  virtual Result<bool> claim_queue_entry(std::string_view id, std::string_view owner,
                                         std::chrono::seconds lease) = 0;
  // Extends `owner`'s claim to the store's clock + `lease`: true when `owner` still holds
  // it (also when its lease ended but nobody took it over); false when the entry is gone
  // or another owner holds it.
  virtual Result<bool> renew_queue_claim(std::string_view id, std::string_view owner,
                                         std::chrono::seconds lease) = 0;
  // Drops `owner`'s claim; nothing happens when the entry is gone or `owner` does not
  // hold it.
  virtual Result<void> release_queue_claim(std::string_view id, std::string_view owner) = 0;
  virtual Result<QueueSummary> queue_summary() = 0;

  // ---- change detection and maintenance ----
  // A store-wide counter that grows with every committed write by any process. Cheap;
  // poll it (IDLE, NOOP) and re-read mailboxes only when it moved.
  virtual Result<uint64_t> data_version() = 0;
  // Every blob some message refers to; for blob::collect_garbage.
  virtual Result<std::unordered_set<BlobRef>> referenced_blobs() = 0;

 protected:
  // Limits in effect for a setting under the default.
  QuotaLimits limits_of(const QuotaSetting& setting) const {
    return QuotaLimits{setting.storage.value_or(default_quota_.storage),
                       setting.messages.value_or(default_quota_.messages)};
  }

 private:
  QuotaLimits default_quota_;
};

}  // namespace postamt::store
