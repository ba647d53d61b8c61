// Records the Store interface (store/api/store.h) passes in and out. Plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/blob_ref.h"
#include "model/flags.h"
#include "model/ids.h"
#include "model/mailbox_role.h"

namespace postamt::store {

using InternalDate = std::chrono::sys_seconds;

struct Account {
  AccountId id;
  std::string address;  // as created, domain lowercased (model/address.h)
  friend bool operator==(const Account&, const Account&) = default;
};

// Quota (RFC 9208) limits on an account's mail, over all its mailboxes. 0 = no limit.
struct QuotaLimits {
  uint64_t storage = 0;   // octets of all messages (each counted at its RFC822.SIZE)
  uint64_t messages = 0;  // number of messages
  friend bool operator==(const QuotaLimits&, const QuotaLimits&) = default;
};

// An account's own limits; nullopt follows the store's default (Store::default_quota).
struct QuotaSetting {
  std::optional<uint64_t> storage;
  std::optional<uint64_t> messages;
  friend bool operator==(const QuotaSetting&, const QuotaSetting&) = default;
};

struct QuotaState {
  QuotaSetting setting;  // as set for the account
  QuotaLimits limits;    // in effect: the setting, else the default
  QuotaLimits used;      // what the account's messages take now
  friend bool operator==(const QuotaState&, const QuotaState&) = default;
};

struct Alias {
  std::string address;
  std::vector<std::string> targets;  // in the order given
  friend bool operator==(const Alias&, const Alias&) = default;
};

enum class RecipientKind {
  local,          // an account of this server; `account` is set
  remote,         // a domain that is not local: relay it
  unknown_local,  // an alias target in a local domain that names no account or alias
};

struct Recipient {
  std::string address;
  RecipientKind kind = RecipientKind::local;
  AccountId account;  // valid only for RecipientKind::local
  friend bool operator==(const Recipient&, const Recipient&) = default;
};

enum class Subscription { unsubscribed, subscribed };

struct Mailbox {
  MailboxId id;
  AccountId account;
  std::string name;  // full hierarchical name, "/" delimited, UTF-8
  MailboxRole role = MailboxRole::none;
  Subscription subscription = Subscription::subscribed;
  UidValidity uid_validity = 0;
  Uid uid_next = 1;
  ModSeq highest_modseq = 0;
  uint32_t messages = 0;  // kept up to date on every write, so reading it is cheap
  uint32_t unseen = 0;    // messages without \Seen
  // IMAP4rev1 \Recent (RFC 3501 §2.3.2): messages from this uid on have not been claimed
  // by a session yet (Store::claim_recent).
  Uid first_recent_uid = 1;
  // The account MODSEQ of the last change to the mailbox's own properties (RFC 8621
  // §2.2 Mailbox/changes): its creation, a rename (also of a parent, which moves it),
  // a subscription of its name. Not moved by its messages (that is highest_modseq) nor
  // by metadata. 0 for mailboxes unchanged since store migration 13.
  ModSeq modseq = 0;
  // The account MODSEQ of its creation; 0 for mailboxes created before migration 13.
  ModSeq created_modseq = 0;
  friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

struct MessageRecord {
  Uid uid = 0;
  ModSeq modseq = 0;
  SystemFlags flags;
  Keywords keywords;
  InternalDate internal_date{};
  uint64_t size = 0;
  BlobRef blob;
  std::string message_id;  // normalised "<left@right>" (mime/message_id.h); "" = none
  // When the message was saved in this mailbox (RFC 8514 SAVEDATE): set by the store on
  // append, delivery, copy and move, never by a caller, never changed afterwards.
  // nullopt for messages stored before the store kept it.
  std::optional<InternalDate> save_date;
  // The thread the store put the message in when it was stored (thread_link_keys in
  // rules.h): the account's MODSEQ of the thread's first message, so unique within the
  // account, never changed afterwards, carried by copy and move. nullopt for messages
  // stored before the store kept threads.
  std::optional<uint64_t> thread;
  // The modseq the message got when it was stored in this mailbox (append, delivery,
  // copy, move), so JMAP /changes can tell created from updated (RFC 8620 §5.2); never
  // changed afterwards. 0 for messages stored before store migration 13.
  ModSeq created_modseq = 0;
  friend bool operator==(const MessageRecord&, const MessageRecord&) = default;
};

// What append() and deliver() store; the blob must already be durable in the blob store.
struct NewMessage {
  BlobRef blob;
  uint64_t size = 0;
  InternalDate internal_date{};
  SystemFlags flags;
  Keywords keywords;
  // The normalised Message-ID (mime::normalize_message_id), "" when the message has
  // none. Stored with every copy (copy/move carry it) so that read receipts find all
  // copies of a message and the original of a submitted receipt.
  std::string message_id;
  // The message's envelope header lines (mime::envelope_header_lines), kept so that
  // IMAP ENVELOPE and header searches need not read the message; nullopt = not kept
  // (then readers use the message itself). Copy and move carry it.
  std::optional<std::string> envelope_header;
  // The references the message is threaded by (mime::thread_references: normalised
  // msg-ids, space-separated, "" for none), kept so that THREAD=REFERENCES need not read
  // the message; nullopt = not kept. Copy and move carry it.
  std::optional<std::string> thread_refs;
};

// One message's envelope header lines, as envelope_headers() returns them, with its
// thread references when they were kept (messages stored before store migration 8 have
// none: readers then take them from the message).
struct EnvelopeHeader {
  Uid uid = 0;
  std::string lines;
  std::optional<std::string> thread_refs;
};

struct Appended {
  MailboxId mailbox;
  Uid uid = 0;
  ModSeq modseq = 0;
};

// One mailbox that receives a copy in deliver(); flags and keywords may differ per
// recipient (e.g. a filter marking it \Seen).
struct DeliveryTarget {
  MailboxId mailbox;
  SystemFlags flags;
  Keywords keywords;
};

struct FlagUpdateResult {
  // Messages whose flags changed, with their new state and modseq, ordered by uid.
  std::vector<MessageRecord> changed;
  // Uids that failed the UNCHANGEDSINCE test (RFC 7162 §3.1.3 "MODIFIED"), ordered.
  std::vector<Uid> modified;
};

struct UidMapping {
  Uid source = 0;
  Uid destination = 0;
  friend bool operator==(const UidMapping&, const UidMapping&) = default;
};

// For COPYUID / MOVE responses (RFC 4315 §3, RFC 6851 §4.3).
struct CopyResult {
  UidValidity destination_uid_validity = 0;
  std::vector<UidMapping> mapping;  // ordered by source uid
};

struct Expunged {
  Uid uid = 0;
  ModSeq modseq = 0;
  friend bool operator==(const Expunged&, const Expunged&) = default;
};

// Which of the listed messages an expunge removes.
enum class ExpungeScope { listed, deleted_only };

// Everything that happened in a mailbox after a given modseq (RFC 7162 §3.1, §3.2.5).
// An annotation (IMAP METADATA, RFC 5464 §3): its name as first set ("/private/comment")
// and its value, any octets.
struct MetadataEntry {
  std::string name;
  std::string value;
  friend bool operator==(const MetadataEntry&, const MetadataEntry&) = default;
};
// One change of set_metadata(): a value to set, or nullopt to remove the entry.
struct MetadataChange {
  std::string name;
  std::optional<std::string> value;
};

struct MailboxChanges {
  ModSeq highest_modseq = 0;
  std::vector<MessageRecord> changed;  // added or flag-changed, current state, by uid
  std::vector<Expunged> expunged;      // by uid
};

// ---- JMAP (RFC 8620, RFC 8621) ----

// A bearer token for HTTP (RFC 6750) of one account. The secret itself is never stored,
// only its hash.
struct ApiToken {
  uint64_t id = 0;
  AccountId account;
  std::string name;  // unique per account; rules.h check_token_name
  std::string hash;  // lowercase hex SHA-256 of the secret; rules.h check_token_hash
  InternalDate created{};
  friend bool operator==(const ApiToken&, const ApiToken&) = default;
};

// One message removed from a mailbox (expunge, the source side of a move, a deleted
// mailbox), kept account-wide after its mailbox is gone: JMAP's Email id is derived from
// the BlobRef (model/object_ids.h).
struct AccountExpunge {
  MailboxId mailbox;
  Uid uid = 0;
  ModSeq modseq = 0;  // of the removal
  BlobRef blob;
  std::optional<uint64_t> thread;
  friend bool operator==(const AccountExpunge&, const AccountExpunge&) = default;
};

// A deleted mailbox (RFC 8621 §2.2 Mailbox/changes "destroyed").
struct MailboxTombstone {
  MailboxId mailbox;
  UidValidity uid_validity = 0;
  ModSeq modseq = 0;  // of the deletion
  friend bool operator==(const MailboxTombstone&, const MailboxTombstone&) = default;
};

struct AccountMessage {
  MailboxId mailbox;
  MessageRecord record;
  friend bool operator==(const AccountMessage&, const AccountMessage&) = default;
};

// Everything a JMAP client of the account can see that changed after a modseq (RFC
// 8620 §5.2; RFC 8621 §2.2, §3.2, §4.3). The JMAP state is the account's MODSEQ.
struct AccountChanges {
  ModSeq highest_modseq = 0;  // the account's modseq now
  // Changes at or below this modseq are not known (history discarded, or the account's
  // data predates store migration 13): a caller asked for an older state must answer
  // cannotCalculateChanges. 0 for accounts created after migration 13.
  ModSeq history_start = 0;
  // Every message with record.modseq > since (added, copied, moved in, or flags
  // changed), any mailbox; by modseq, then mailbox id, then uid.
  std::vector<AccountMessage> messages;
  // Every removal with modseq > since; by modseq, then mailbox id, then uid.
  std::vector<AccountExpunge> expunged;
  // Every existing mailbox with modseq > since or highest_modseq > since (its messages
  // or counts changed); by id.
  std::vector<Mailbox> mailboxes;
  // Every deletion with modseq > since; by modseq, then mailbox id.
  std::vector<MailboxTombstone> deleted_mailboxes;
};

}  // namespace postamt::store
