// Records of read receipts (docs/read-receipts.md, RFC 8098) and the per-domain / per-user
// receipt policy overrides, as the Store interface passes them. Plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/ids.h"

namespace postamt::store {

using ReceiptTime = std::chrono::sys_seconds;

// Who sent a receipt on behalf of a local recipient.
enum class ReceiptPath {
  server_on_download,  // Postamt itself, when a client downloaded the message
  client_submission,   // a mail client submitted an MDN through SMTP submission
  jmap,                // JMAP MDN/send (RFC 9007)
  webmail,
};
// "server_on_download", "client_submission", "jmap", "webmail".
std::string_view to_string(ReceiptPath path);
std::optional<ReceiptPath> parse_receipt_path(std::string_view word);

// How the original message of a sent receipt was identified (docs/read-receipts.md,
// "Receipts submitted by clients"). Each value has a stable word (to_string) that the
// ledger stores and the admin CLI shows.
enum class ReceiptMatch {
  message,              // "message": made for a message the server had in hand (its own
                        // receipt on download)
  original_message_id,  // "original-message-id": the receipt's Original-Message-ID
                        // (RFC 8098 §3.2.5), whether or not a copy is stored
  in_reply_to,          // "in-reply-to": no Original-Message-ID; the msg-id of its
                        // In-Reply-To names a message of the account
  references,           // "references": no Original-Message-ID; the last msg-id of its
                        // References names a message of the account
  unmatched,            // "unmatched": nothing names a message of the account; the record
                        // stands alone and never makes another receipt a duplicate
};
// "message", "original-message-id", "in-reply-to", "references", "unmatched".
std::string_view to_string(ReceiptMatch match);
std::optional<ReceiptMatch> parse_receipt_match(std::string_view word);

// A message of an account: where record_receipt() found or was told the original.
struct MessageLocation {
  MailboxId mailbox;
  Uid uid = 0;
  friend bool operator==(const MessageLocation&, const MessageLocation&) = default;
};

// What record_receipt() is asked to record: the receipt `account` sent for one original
// message, identified by its normalised Message-ID, or - when it has none - by the copy
// the receipt was sent for (`message`). An `unmatched` receipt names neither.
struct NewSentReceipt {
  AccountId account;
  std::string message_id;                  // normalised "<l@r>", or "" (then `message` required)
  std::optional<MessageLocation> message;  // the copy acted on, when known
  std::string requester;                   // the addr-spec the receipt went to
  std::string disposition;                 // RFC 8098 disposition-type word, e.g. "displayed"
  ReceiptPath path = ReceiptPath::server_on_download;
  ReceiptMatch matched_by = ReceiptMatch::message;
  ReceiptTime at{};
};

struct SentReceipt {
  int64_t id = 0;
  AccountId account;
  std::string account_address;
  std::string message_id;  // "" when the original had none
  std::string requester;
  std::string disposition;
  ReceiptPath path = ReceiptPath::server_on_download;
  ReceiptMatch matched_by = ReceiptMatch::message;
  ReceiptTime at{};
  friend bool operator==(const SentReceipt&, const SentReceipt&) = default;
};

// RFC 8098 §2.1 "at most one receipt per message and recipient", or the legacy
// behaviour that records (and so permits) more.
enum class ReceiptUniqueness { one_per_recipient, allow_duplicates };

enum class RecordOutcome {
  recorded,      // a new record; $MDNSent set on every copy
  already_sent,  // one_per_recipient and a record existed: `receipt` is that record
};

struct RecordedReceipt {
  RecordOutcome outcome = RecordOutcome::recorded;
  SentReceipt receipt;
  // Copies whose keywords changed now (they got $MDNSent with a new modseq), by mailbox
  // id then uid; copies that had it already are not listed.
  std::vector<MessageLocation> flagged;
};

// A receipt that arrived for mail a local user sent, matched by Original-Message-ID.
struct NewReceivedReceipt {
  AccountId account;            // the local user who sent the original
  std::string message_id;       // normalised Original-Message-ID, never ""
  std::string final_recipient;  // addr-spec of the remote recipient reporting
  std::string disposition;      // RFC 8098 disposition-type word
  ReceiptTime at{};
};

struct ReceivedReceipt {
  int64_t id = 0;
  AccountId account;
  std::string account_address;
  std::string message_id;
  std::string final_recipient;
  std::string disposition;
  ReceiptTime at{};
  friend bool operator==(const ReceivedReceipt&, const ReceivedReceipt&) = default;
};

// A receipt the server refused to send for a local recipient although the request allowed
// one (docs/read-receipts.md, "Receipts refused to forged senders"): nothing was sent and
// no $MDNSent set; the record says why.
struct NewRefusedReceipt {
  AccountId account;
  std::string message_id;  // the original's normalised Message-ID, or "" when it had none
  std::string requester;   // the addr-spec the receipt would have gone to ("" unknown)
  ReceiptPath path = ReceiptPath::server_on_download;  // who asked for the receipt
  std::string reason;  // plain words, e.g. "sender failed DMARC (p=quarantine)"
  ReceiptTime at{};
};

struct RefusedReceipt {
  int64_t id = 0;
  AccountId account;
  std::string account_address;
  std::string message_id;
  std::string requester;
  ReceiptPath path = ReceiptPath::server_on_download;
  std::string reason;
  ReceiptTime at{};
  friend bool operator==(const RefusedReceipt&, const RefusedReceipt&) = default;
};

struct ReceiptLedger {
  std::vector<SentReceipt> sent;          // by time, then id
  std::vector<ReceivedReceipt> received;  // by time, then id
  std::vector<RefusedReceipt> refused;    // by time, then id
};

// Receipt policy overrides. The store keeps keys and values as words; which keys and
// values are meaningful is the read-receipt layer's business (src/mdn/policy.h).
enum class PolicyScope { domain, user };
std::string_view to_string(PolicyScope scope);

struct PolicyOverride {
  PolicyScope scope = PolicyScope::domain;
  std::string subject;  // the domain (lowercased) or the account address (as stored)
  std::string key;
  std::string value;
  friend bool operator==(const PolicyOverride&, const PolicyOverride&) = default;
};

}  // namespace postamt::store
