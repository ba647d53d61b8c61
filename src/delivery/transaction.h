// The delivery transaction: begin -> add_recipient -> set_body -> commit | abort.
//
// Every way mail enters Postamt goes through one Transaction (SMTP MX and submission,
// `postamt deliver`, the server's own read receipts, bounces; JMAP submission next),
// so that alias expansion, de-duplication, trace fields, durability and the hand-over
// to the outbound queue are decided in one place:
//   - add_recipient resolves aliases (store::Store::resolve) and remembers local
//     accounts and remote addresses; an account reached twice (directly and by an
//     alias) gets the message once, a remote address is queued once;
//   - set_body takes the complete message as it travels on, including any trace fields
//     the receiving protocol prepends (SMTP's Received); CRLF line ends;
//   - commit stores the local copy's bytes ONCE in the blob store (fsynced) and
//     delivers them into the INBOX of every local account in ONE store transaction,
//     then hands the remote recipients to the outbound queue (durable too). Only when
//     commit returns a value is the message safe for every recipient, so a protocol
//     acknowledges it only then (SMTP 250; docs/architecture.md, "Durability").
//
// One failure rule: when the queue refuses the remote part after the local copies were
// committed, those copies are expunged again and commit fails. The sender's retry then
// yields one copy everywhere instead of a second local copy; nothing acknowledged is
// lost. (Should the withdrawal fail too, that is logged: a retry may then duplicate the
// local copy, which is better than losing the remote one.)
//
// Final delivery adds, to the local copy only (RFC 5321 §4.4): "Return-Path: <sender>"
// and, when every recipient that reached a local account gave the same ORCPT,
// "Original-Recipient" (RFC 3461 §4.2, RFC 8098 §2.3: one blob serves all of them).
//
// Each transaction has a queue id from its start (new_queue_id(), or the one its protocol
// gave with set_queue_id: the SMTP server's, logged at MAIL). The remote part is queued
// under it, so that one id names the message in every log line; log_committed() writes
// the Postfix-style lines of a commit under it (message_log.h).
//
// After a successful commit the DeliveryObserver (observer.h) hears of the local copies.
// Destroying a Transaction that was not committed aborts it (nothing was written).
//
// Threads: blocking (store, blob and queue calls); run on store threads. Not
// thread-safe: one Transaction is used by one session at a time.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "delivery/observer.h"
#include "delivery/outbound.h"
#include "store/api/store.h"

namespace postamt::delivery {

// What a transaction works with; everything pointed to outlives it. `outbound` null:
// the transaction cannot relay (add_recipient refuses remote addresses: `postamt
// deliver`, tests). `observer` null: nobody is told.
struct Services {
  store::Store* store = nullptr;
  blob::BlobStore* blobs = nullptr;
  OutboundQueue* outbound = nullptr;
  DeliveryObserver* observer = nullptr;
};

// Named limits (docs/architecture.md, limits).
struct Limits {
  size_t max_recipients = 100;  // addresses given to add_recipient (RFC 5321 §4.5.3.1.8)
};

// RFC 3461 §4.2 ORCPT as the client gave it, decoded.
struct OriginalRecipient {
  std::string addr_type;  // e.g. "rfc822"
  std::string address;
  friend bool operator==(const OriginalRecipient&, const OriginalRecipient&) = default;
};

// What a recipient's protocol said about it beyond the address.
struct RecipientOptions {
  std::optional<OriginalRecipient> orcpt;
  Notify notify;  // for the remote addresses it reaches
};

// What one add_recipient call contributed.
struct AddedRecipient {
  std::vector<std::string> local;   // account addresses reached (after aliases)
  std::vector<std::string> remote;  // remote addresses reached (after aliases)
};

struct Committed {
  std::string id;                    // the transaction's queue id (Transaction::queue_id)
  BlobRef blob;                      // the local copy's bytes; empty without local recipients
  uint64_t size = 0;                 // of the message as given to set_body
  std::vector<Delivered> delivered;  // one per distinct local account, in first-added order
  std::vector<std::string> remote;   // distinct remote addresses, in first-added order
  // Set when remote addresses were queued: `id`, unless the queue had to pick another
  // (delivery/outbound.h).
  std::string queue_id;
};

// A new random queue id: 12 characters of [0-9A-Z], like Postfix's long ids (60 bits;
// spool.h valid_queue_id accepts it). Thread-safe.
std::string new_queue_id();

class Transaction {
 public:
  // `envelope_sender` is the reverse path without angle brackets ("" = null sender).
  Transaction(const Services& services, std::string envelope_sender, Limits limits = {});
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const std::string& envelope_sender() const { return envelope_sender_; }

  // The id of this message in the log and the outbound queue; new_queue_id() until set.
  // Set it before commit (a valid queue id, 1..32 of [0-9A-Za-z], else the queue picks one).
  void set_queue_id(std::string id) { queue_id_ = std::move(id); }
  const std::string& queue_id() const { return queue_id_; }
  const std::string& body() const { return body_; }  // as given to set_body
  // When the transaction began (construction), for the log's delay=.
  std::chrono::steady_clock::time_point started() const { return started_; }

  // Errors (nothing is added on error):
  //   not_found   a local address that names no account or alias ("550 5.1.1")
  //   limit       more than Limits::max_recipients addresses
  //   invalid     a malformed address, or an alias loop
  //   permission  it reaches a remote address and the transaction cannot relay
  //               (Services::outbound is null); the message names the address
  //   temporary / io  the store could not be read (try again later)
  // An alias target in a local domain that names nothing is dropped and logged (the
  // alias as a whole still accepts mail).
  Result<AddedRecipient> add_recipient(std::string_view address, RecipientOptions options = {});

  // Number of add_recipient calls that succeeded.
  size_t recipient_count() const { return entries_.size(); }
  bool can_relay() const { return services_.outbound != nullptr; }

  // RFC 3461 §4.3 RET and §4.4 ENVID, for the queued copy.
  void set_dsn(Ret ret, std::string envid);

  // The complete message (replaces any earlier body).
  void set_body(std::string message);

  // Quarantine (RFC 7489 §6.6.4 "quarantine", decided by the MX's mail checks): local
  // copies go into each account's Junk mailbox (role junk; its INBOX when the account has
  // none), and the observer is told (DeliveredMessage::quarantined). Remote copies are
  // unaffected. Cleared by reset().
  void set_quarantine(bool on) { quarantine_ = on; }
  // The message came from outside (OutboundMessage::relayed): its queued copy is never
  // DKIM-signed. Cleared by reset().
  void set_relayed(bool on) { relayed_ = on; }
  bool quarantined() const { return quarantine_; }

  // Delivers and queues as described above. Requires at least one recipient
  // (ErrorKind::invalid otherwise). Errors: io / temporary from the blob store, the
  // store or the queue; quota (mail/quota.h): limit when the message is larger than a
  // local recipient's storage quota, over_quota when a local recipient's mailbox has no
  // room for it now (one full recipient stops the local delivery for all: one stored
  // copy serves them). Then no recipient has the message (local copies withdrawn,
  // unless the withdrawal failed too, which is logged).
  // Commit at most once (ErrorKind::invalid after).
  Result<Committed> commit();

  // Forgets recipients, DSN settings and body; the transaction can be reused (SMTP RSET).
  void reset();

 private:
  struct Entry {
    std::string address;  // as given
    RecipientOptions options;
    std::vector<AccountId> local;     // accounts it reached
    std::vector<std::string> remote;  // remote addresses it reached
  };
  struct Local {
    std::string address;
    AccountId account;
  };

  Result<std::vector<Delivered>> deliver_locally(std::string_view copy, BlobRef& blob);
  OutboundMessage outbound_message() const;
  void withdraw(const std::vector<Delivered>& delivered);
  std::string local_trace_fields() const;

  Services services_;
  std::string envelope_sender_;
  std::string queue_id_ = new_queue_id();
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  Limits limits_;
  std::vector<Entry> entries_;
  std::vector<Local> local_;
  std::vector<std::string> remote_;
  Ret ret_ = Ret::unspecified;
  std::string envid_;
  std::string body_;
  bool quarantine_ = false;
  bool relayed_ = false;
  bool committed_ = false;
};

}  // namespace postamt::delivery
