#include "store/migrations/migrations.h"

namespace postamt::store {

namespace {

// Version 1: accounts, aliases, mailboxes, messages, the change log.
//
// meta holds store-wide counters: 'data_version' (bumped by every write transaction,
// polled for cross-process change detection) and 'next_uid_validity'.
// account.modseq is the account's MODSEQ counter (RFC 7162); mailbox.highest_modseq
// is the last value used in that mailbox. mailbox.messages/unseen are maintained by
// every write so that STATUS and SELECT read them without counting.
// message.keywords holds the keywords separated by single spaces (keywords are atoms,
// RFC 9051 §9, and cannot contain a space). expunged is the change log of removed
// uids for QRESYNC (RFC 7162 §3.2.5) and JMAP /changes.
constexpr std::string_view kInitial = R"sql(
CREATE TABLE meta (
  name TEXT PRIMARY KEY,
  value {BIGINT} NOT NULL
);
CREATE TABLE domain (
  name TEXT PRIMARY KEY
);
CREATE TABLE account (
  id {ID},
  address TEXT NOT NULL,
  address_key TEXT NOT NULL UNIQUE,
  domain TEXT NOT NULL REFERENCES domain(name),
  password_hash TEXT NOT NULL,
  modseq {BIGINT} NOT NULL DEFAULT 0
);
CREATE INDEX account_domain ON account(domain);
CREATE TABLE account_keyword (
  id {ID},
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  UNIQUE (account_id, name_key)
);
CREATE TABLE alias (
  address_key TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  domain TEXT NOT NULL REFERENCES domain(name)
);
CREATE INDEX alias_domain ON alias(domain);
CREATE TABLE alias_target (
  alias_key TEXT NOT NULL REFERENCES alias(address_key) ON DELETE CASCADE,
  position {BIGINT} NOT NULL,
  target TEXT NOT NULL,
  PRIMARY KEY (alias_key, position)
);
CREATE TABLE mailbox (
  id {ID},
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  subscribed {BIGINT} NOT NULL,
  uid_validity {BIGINT} NOT NULL,
  uid_next {BIGINT} NOT NULL,
  highest_modseq {BIGINT} NOT NULL,
  messages {BIGINT} NOT NULL DEFAULT 0,
  unseen {BIGINT} NOT NULL DEFAULT 0,
  UNIQUE (account_id, name)
);
CREATE TABLE message (
  mailbox_id {BIGINT} NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
  uid {BIGINT} NOT NULL,
  modseq {BIGINT} NOT NULL,
  flags {BIGINT} NOT NULL,
  keywords TEXT NOT NULL,
  internal_date {BIGINT} NOT NULL,
  size {BIGINT} NOT NULL,
  blob_ref TEXT NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX message_modseq ON message(mailbox_id, modseq);
CREATE TABLE expunged (
  mailbox_id {BIGINT} NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
  uid {BIGINT} NOT NULL,
  modseq {BIGINT} NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
);
INSERT INTO meta (name, value) VALUES ('data_version', 0);
)sql";

// Version 2: read receipts (docs/read-receipts.md).
//
// message.message_id is the normalised Message-ID ("" = none) and message.account_id
// the owning account (copied from the mailbox), indexed together so that every copy of
// a message in an account, and the original of a submitted receipt, are found quickly.
// sent_receipt is the ledger: `sequence` is 0 for the first receipt per (account,
// original) and UNIQUE with it, which makes "at most one receipt" hold across
// processes; the legacy duplicate behaviour records more with sequence 1, 2, ...
// original_key is the Message-ID, or "#mailbox/uid" for a message without one.
// receipt_policy holds per-domain and per-user overrides (subject_key lowercased).
constexpr std::string_view kReceipts = R"sql(
ALTER TABLE message ADD COLUMN account_id {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE message ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
UPDATE message SET account_id = (SELECT account_id FROM mailbox WHERE mailbox.id = message.mailbox_id);
CREATE INDEX message_account_message_id ON message(account_id, message_id);
CREATE TABLE sent_receipt (
  id {ID},
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  original_key TEXT NOT NULL,
  message_id TEXT NOT NULL,
  sequence {BIGINT} NOT NULL,
  requester TEXT NOT NULL,
  disposition TEXT NOT NULL,
  path TEXT NOT NULL,
  sent_at {BIGINT} NOT NULL,
  UNIQUE (account_id, original_key, sequence)
);
CREATE TABLE received_receipt (
  id {ID},
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  final_recipient TEXT NOT NULL,
  disposition TEXT NOT NULL,
  received_at {BIGINT} NOT NULL
);
CREATE INDEX received_receipt_message ON received_receipt(account_id, message_id);
CREATE TABLE receipt_policy (
  scope TEXT NOT NULL,
  subject_key TEXT NOT NULL,
  subject TEXT NOT NULL,
  account_id {BIGINT} REFERENCES account(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (scope, subject_key, name)
);
)sql";

// envelope_header keeps the few header fields IMAP ENVELOPE and header searches read
// (mime::envelope_header_lines), so those need not open the message file. NULL for
// messages stored before this migration: readers fall back to the message. The value
// is raw header bytes (8-bit, possibly not UTF-8): a backend whose TEXT checks the
// encoding (PostgreSQL) must store it as bytes.
constexpr std::string_view kEnvelopeHeader = R"sql(
ALTER TABLE message ADD COLUMN envelope_header TEXT;
)sql";

// Every IMAP command on a selected mailbox asks for the uids expunged since the session's
// modseq. The primary key (mailbox_id, uid) made that read every expunged row of the
// mailbox, and the log only grows: in the bench's mixed workload (one expunge per client
// loop) the lookups were 9% of the server's CPU after a few minutes.
constexpr std::string_view kExpungedModseq = R"sql(
CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);
)sql";

// How each sent receipt's original was identified (store::ReceiptMatch words). Records
// made before this version keep what their path implies: the server's own receipts were
// made for the message it had, and a client's receipt was only recorded by its
// Original-Message-ID.
constexpr std::string_view kReceiptMatch = R"sql(
ALTER TABLE sent_receipt ADD COLUMN matched_by TEXT NOT NULL DEFAULT 'message';
UPDATE sent_receipt SET matched_by = 'original-message-id' WHERE path = 'client_submission';
)sql";

// Subscriptions by name, not by mailbox (RFC 3501 §6.3.6: a subscription outlives its
// mailbox's deletion, and LIST (SUBSCRIBED) shows such a name as \NonExistent, RFC
// 5258 §3.1). The subscribed names carry over; the mailbox's own column goes.
constexpr std::string_view kSubscriptions = R"sql(
CREATE TABLE subscription (
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (account_id, name)
);
INSERT INTO subscription (account_id, name) SELECT account_id, name FROM mailbox WHERE subscribed <> 0;
ALTER TABLE mailbox DROP COLUMN subscribed;
)sql";

// IMAP4rev1 \Recent (RFC 3501 §2.3.2): the first uid no session has claimed yet. Mail
// that arrived before this version counts as seen by a session already.
constexpr std::string_view kFirstRecentUid = R"sql(
ALTER TABLE mailbox ADD COLUMN first_recent_uid {BIGINT} NOT NULL DEFAULT 1;
UPDATE mailbox SET first_recent_uid = uid_next;
)sql";

// thread_refs keeps the references THREAD=REFERENCES links a message by
// (mime::thread_references), so threading a large mailbox need not open every message
// file. NULL for messages stored before this version: readers fall back to the message.
constexpr std::string_view kThreadRefs = R"sql(
ALTER TABLE message ADD COLUMN thread_refs TEXT;
)sql";

// Quota (RFC 9208): what each mailbox's messages take, kept like its message count so
// that an account's use is a sum over its few mailboxes; and each account's own limits
// (NULL: the configured default, 0: none).
constexpr std::string_view kQuota = R"sql(
ALTER TABLE mailbox ADD COLUMN size {BIGINT} NOT NULL DEFAULT 0;
UPDATE mailbox SET size = (SELECT COALESCE(SUM(size), 0) FROM message WHERE mailbox_id = mailbox.id);
ALTER TABLE account ADD COLUMN quota_storage {BIGINT};
ALTER TABLE account ADD COLUMN quota_messages {BIGINT};
)sql";

// SAVEDATE (RFC 8514): when each message was saved in its mailbox, seconds since the
// epoch. NULL for messages stored before this version: nobody knows it.
constexpr std::string_view kSaveDate = R"sql(
ALTER TABLE message ADD COLUMN save_date {BIGINT};
)sql";

// METADATA (RFC 5464): an account's annotations, on one of its mailboxes (scope_id the
// mailbox's id) or on the server (scope_id 0). name_key is the name lower-cased (names
// compare ignoring case); the value is base64, so that any octets fit every dialect.
constexpr std::string_view kMetadata = R"sql(
CREATE TABLE metadata (
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  scope_id {BIGINT} NOT NULL,
  name_key TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (account_id, scope_id, name_key)
);
)sql";

// Threads (RFC 8474 THREADID, RFC 8621 §3): message.thread_id is the thread a message
// was put in when stored (store/api/rules.h thread_link_keys), NULL for messages stored
// before this version; thread_link maps each key of an account's messages to its thread.
constexpr std::string_view kThreads = R"sql(
ALTER TABLE message ADD COLUMN thread_id {BIGINT};
CREATE TABLE thread_link (
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  link TEXT NOT NULL,
  thread_id {BIGINT} NOT NULL,
  PRIMARY KEY (account_id, link)
);
)sql";

// JMAP (RFC 8620/8621).
// api_token: bearer tokens; only the SHA-256 of the secret is kept (hash, unique, so a
// request finds its token by one lookup).
// Account-wide change tracking: JMAP's state is account.modseq, so every change a client
// can see takes one. mailbox.modseq is the last change of the mailbox's own properties
// and mailbox.created_modseq its creation; message.created_modseq is the modseq a
// message got when stored in its mailbox (created vs. updated in /changes). 0 for rows
// from before this version. account.history_start: changes at or below it are unknown,
// so existing accounts start their history at their modseq now.
// account_expunged keeps every removal with its blob and thread (the per-mailbox
// expunged table dies with its mailbox, and a JMAP Email id derives from the blob);
// mailbox_tombstone every mailbox deletion. Both are read by (account_id, modseq), as
// is message.
constexpr std::string_view kJmap = R"sql(
CREATE TABLE api_token (
  id {ID},
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created {BIGINT} NOT NULL,
  UNIQUE (account_id, name)
);
ALTER TABLE account ADD COLUMN history_start {BIGINT} NOT NULL DEFAULT 0;
UPDATE account SET history_start = modseq;
ALTER TABLE mailbox ADD COLUMN modseq {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE mailbox ADD COLUMN created_modseq {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE message ADD COLUMN created_modseq {BIGINT} NOT NULL DEFAULT 0;
CREATE INDEX message_account_modseq ON message(account_id, modseq);
CREATE TABLE account_expunged (
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  mailbox_id {BIGINT} NOT NULL,
  uid {BIGINT} NOT NULL,
  modseq {BIGINT} NOT NULL,
  blob_ref TEXT NOT NULL,
  thread_id {BIGINT}
);
CREATE INDEX account_expunged_modseq ON account_expunged(account_id, modseq);
CREATE TABLE mailbox_tombstone (
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  mailbox_id {BIGINT} NOT NULL,
  uid_validity {BIGINT} NOT NULL,
  modseq {BIGINT} NOT NULL
);
CREATE INDEX mailbox_tombstone_modseq ON mailbox_tombstone(account_id, modseq);
)sql";

// JMAP EmailSubmission records (RFC 8621 §7, store/api/submissions.h). id is the account
// modseq the creation took (unique per account, never reused). Recipients are rows of
// their own in envelope order; route is "local", "remote" or "dropped". A destroyed
// record leaves a tombstone for EmailSubmission/changes, read by (account_id, modseq).
constexpr std::string_view kEmailSubmissions = R"sql(
CREATE TABLE email_submission (
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  id {BIGINT} NOT NULL,
  identity_id TEXT NOT NULL,
  email_id TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  mail_from TEXT NOT NULL,
  mail_from_parameters TEXT NOT NULL,
  send_at {BIGINT} NOT NULL,
  queue_id TEXT NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE TABLE email_submission_rcpt (
  account_id {BIGINT} NOT NULL,
  submission_id {BIGINT} NOT NULL,
  position {BIGINT} NOT NULL,
  address TEXT NOT NULL,
  parameters TEXT NOT NULL,
  route TEXT NOT NULL,
  PRIMARY KEY (account_id, submission_id, position),
  FOREIGN KEY (account_id, submission_id) REFERENCES email_submission(account_id, id)
    ON DELETE CASCADE
);
CREATE TABLE email_submission_tombstone (
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  submission_id {BIGINT} NOT NULL,
  modseq {BIGINT} NOT NULL
);
CREATE INDEX email_submission_tombstone_modseq ON email_submission_tombstone(account_id, modseq);
)sql";

// Webmail (docs/protocols/webmail.md): web_session holds signed-in browsers by the
// SHA-256 of their cookie secret; web_setting each user's webmail settings.
constexpr std::string_view kWebmail = R"sql(
CREATE TABLE web_session (
  id {ID},
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  hash TEXT NOT NULL UNIQUE,
  csrf_token TEXT NOT NULL,
  created {BIGINT} NOT NULL,
  last_used {BIGINT} NOT NULL
);
CREATE INDEX web_session_account ON web_session(account_id);
CREATE TABLE web_setting (
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (account_id, name)
);
)sql";

// JMAP PushSubscription records (RFC 8620 §7.2, store/api/push_subscriptions.h).
// credential_kind is "password", "token" or "session" with credential_id the token's or
// session's id (0 for the password): the credential that created the record, the only
// one that sees it, and the one whose revocation destroys it (found by the index).
// p256dh and auth are both NULL or both set; expires and types NULL mean never and
// every type; times are seconds since 1970.
constexpr std::string_view kPushSubscriptions = R"sql(
CREATE TABLE push_subscription (
  id {ID},
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  credential_kind TEXT NOT NULL,
  credential_id {BIGINT} NOT NULL,
  device_client_id TEXT NOT NULL,
  url TEXT NOT NULL,
  p256dh TEXT,
  auth TEXT,
  verification_code TEXT NOT NULL,
  verified {BIGINT} NOT NULL DEFAULT 0,
  expires {BIGINT},
  types TEXT,
  created {BIGINT} NOT NULL
);
CREATE INDEX push_subscription_credential
  ON push_subscription(account_id, credential_kind, credential_id);
)sql";

// Receipts the server refused to send (docs/read-receipts.md, "Receipts refused to
// forged senders"): the ledger's third kind of record, beside sent and received ones.
// message_id is "" for an original without one; path as in sent_receipt.
constexpr std::string_view kRefusedReceipts = R"sql(
CREATE TABLE refused_receipt (
  id {ID},
  account_id {BIGINT} NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  requester TEXT NOT NULL,
  path TEXT NOT NULL,
  reason TEXT NOT NULL,
  refused_at {BIGINT} NOT NULL
);
CREATE INDEX refused_receipt_message ON refused_receipt(account_id, message_id);
)sql";

// Message bytes in the database (store/sql/sql_blob_store.h), so that every node of a
// cluster reads the same blobs. blob_chunk holds the octets, cut into rows of at most the
// store's chunk size, numbered by seq from 0 within a content id. A content id is handed
// out by blob_upload (whose ids are never reused) when a blob starts to be written; the
// row stays while the pieces arrive (touched: the database clock's seconds at its last
// piece, for cleaning up after a crashed node) and is deleted when the blob is complete.
// blob names complete content by its SHA-256 (ref): its chunks are those of `content`;
// size in octets, chunks the number of rows; modified is the database clock's seconds at
// the last put() of this content (the garbage collection grace period counts from it).
constexpr std::string_view kBlobs = R"sql(
CREATE TABLE blob_upload (
  id {ID},
  touched {BIGINT} NOT NULL
);
CREATE INDEX blob_upload_touched ON blob_upload(touched);
CREATE TABLE blob (
  ref TEXT PRIMARY KEY,
  content {BIGINT} NOT NULL UNIQUE,
  size {BIGINT} NOT NULL,
  chunks {BIGINT} NOT NULL,
  modified {BIGINT} NOT NULL
);
CREATE TABLE blob_chunk (
  content {BIGINT} NOT NULL,
  seq {BIGINT} NOT NULL,
  data {BLOB} NOT NULL,
  PRIMARY KEY (content, seq)
);
)sql";

// Cluster-wide claims (store.h, "cluster claims"): who holds a name until when, in
// seconds since 1970 on the database's clock ({NOW}). The POP3 maildrop lock is
// "pop3:<account id>". No foreign key: a claim outlives nothing it names for longer than
// its lease.
constexpr std::string_view kClaims = R"sql(
CREATE TABLE claim (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  until {BIGINT} NOT NULL
);
CREATE INDEX claim_owner ON claim(owner);
)sql";

// The outbound queue in the database (store/api/queue_entries.h), used when several nodes
// share one PostgreSQL database (queue/store_queue.h): head + body is the queue's serialized
// message (queue/spool.h); next_attempt, held and quarantined repeat what the claim query
// selects on; claim_owner/claim_until (database clock seconds) say which node delivers it.
constexpr std::string_view kQueueEntries = R"sql(
CREATE TABLE queue_entry (
  id TEXT PRIMARY KEY,
  arrival {BIGINT} NOT NULL,
  next_attempt {BIGINT} NOT NULL,
  held {BIGINT} NOT NULL DEFAULT 0,
  quarantined {BIGINT} NOT NULL DEFAULT 0,
  claim_owner TEXT,
  claim_until {BIGINT},
  head {BLOB} NOT NULL,
  body {BLOB} NOT NULL
);
CREATE INDEX queue_entry_due ON queue_entry(next_attempt, id);
)sql";

constexpr Migration kMigrations[] = {
    {1, "accounts, aliases, mailboxes, messages, change log", kInitial},
    {2, "message ids, read receipt ledger, receipt policy overrides", kReceipts},
    {3, "envelope header lines kept with each message", kEnvelopeHeader},
    {4, "expunge log indexed by modseq", kExpungedModseq},
    {5, "how each sent receipt's original was identified", kReceiptMatch},
    {6, "subscriptions kept by name", kSubscriptions},
    {7, "first uid not yet seen as recent", kFirstRecentUid},
    {8, "thread references kept with each message", kThreadRefs},
    {9, "quota: mailbox sizes and account limits", kQuota},
    {10, "the date each message was saved in its mailbox", kSaveDate},
    {11, "annotations of mailboxes and the server", kMetadata},
    {12, "the thread of each message", kThreads},
    {13, "API tokens, account-wide change tracking", kJmap},
    {14, "JMAP email submissions", kEmailSubmissions},
    {15, "webmail sessions and settings", kWebmail},
    {16, "JMAP push subscriptions", kPushSubscriptions},
    {17, "receipts refused to senders that failed DMARC", kRefusedReceipts},
    {18, "message bytes kept in the database", kBlobs},
    {19, "the outbound queue in the database", kQueueEntries},
    {20, "cluster-wide claims (the POP3 maildrop lock)", kClaims},
};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

}  // namespace postamt::store
