// The delivery transaction (DESIGN.md §3): begin -> add_recipient -> body -> commit | abort.
//
// Every way mail enters Postamt (SMTP MX and submission, `postamt deliver`, later JMAP)
// goes through one Transaction, so that alias expansion, de-duplication and durability
// are decided in one place:
//   - add_recipient resolves aliases (store::Store::resolve) and remembers local accounts
//     and remote addresses; an account reached twice (directly and by an alias) gets
//     the message once;
//   - set_body takes the complete message bytes, including any trace header lines the
//     receiving protocol prepends (Return-Path, Received); CRLF line ends;
//   - commit stores the bytes ONCE in the blob store (fsynced) and delivers them into the
//     INBOX of every local account in ONE store transaction; only when commit returns
//     a value is the message durable for every local recipient (DESIGN.md §4.5: SMTP
//     answers 250 only after that).
//   - Remote recipients are returned by commit for the caller to queue; the transaction
//     never relays by itself.
// Destroying a Transaction that was not committed aborts it (nothing was written).
//
// Threads: blocking (store and blob calls); run on store threads. Not thread-safe:
// one Transaction is used by one session at a time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "store/api/store.h"

namespace postamt::delivery {

// Named limits (DESIGN.md §4.9).
struct Limits {
  size_t max_recipients = 100;  // addresses given to add_recipient (RFC 5321 §4.5.3.1.8)
};

// What one add_recipient call contributed.
struct AddedRecipient {
  std::vector<std::string> local;   // account addresses reached (after aliases)
  std::vector<std::string> remote;  // remote addresses reached (after aliases)
};

struct Delivered {
  std::string account;  // account address
  store::Appended where;
};

struct Committed {
  BlobRef blob;
  uint64_t size = 0;
  std::vector<Delivered> delivered;  // one per distinct local account, in first-added order
  std::vector<std::string> remote;   // distinct remote addresses, in first-added order
};

class Transaction {
 public:
  // `envelope_sender` is the reverse path without angle brackets ("" = null sender).
  Transaction(store::Store& store, blob::BlobStore& blobs, std::string envelope_sender,
              Limits limits = {});
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const std::string& envelope_sender() const { return envelope_sender_; }

  // Errors (nothing is added on error):
  //   not_found   a local address that names no account or alias ("550 5.1.1")
  //   limit       more than Limits::max_recipients addresses
  //   invalid     a malformed address, or an alias loop
  //   temporary / io  the store could not be read (try again later)
  // An alias target in a local domain that names nothing is dropped and logged (the
  // alias as a whole still accepts mail).
  Result<AddedRecipient> add_recipient(std::string_view address);

  // Number of add_recipient calls that succeeded.
  size_t recipient_count() const { return recipients_; }
  bool has_local_recipients() const { return !local_.empty(); }

  // The complete message (replaces any earlier body). Its top-level Message-ID is
  // parsed here (mime::message_id_of_message) and stored with every copy, so that read
  // receipts find all copies of a message (store::Store::find_messages_by_message_id).
  void set_body(std::string message);

  // Stores and delivers as described above. Requires at least one recipient
  // (ErrorKind::invalid otherwise). With only remote recipients nothing is stored here
  // and `delivered` is empty. Errors: io / temporary from the blob or store write; then
  // nothing was delivered to anyone. Commit at most once (ErrorKind::invalid after).
  // After the delivery, a read receipt is recorded as received for every local
  // recipient; failing to record it is logged ("mdn") and does not fail the commit,
  // a receipt that does not parse or lacks Original-Message-ID is not recorded.
  Result<Committed> commit();

  // Forgets recipients and body; the transaction can be reused (SMTP RSET).
  void reset();

 private:
  void record_received_receipts(const std::vector<Delivered>& delivered);

  struct Local {
    std::string address;
    AccountId account;
  };
  store::Store& store_;
  blob::BlobStore& blobs_;
  std::string envelope_sender_;
  Limits limits_;
  size_t recipients_ = 0;
  std::vector<Local> local_;
  std::vector<std::string> remote_;
  std::string body_;
  std::string message_id_;  // normalised, "" when the body has none
  bool committed_ = false;
};

}  // namespace postamt::delivery
