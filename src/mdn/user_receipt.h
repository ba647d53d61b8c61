// Read receipts a USER asks the server to build and send for one of their messages
// (JMAP MDN/send, RFC 9007 §2.1; the webmail next), under the same rules as every other
// receipt (docs/read-receipts.md):
//   1. RFC 8098 §2.1 as for the server's own receipts (request.h): a message without a
//      usable Disposition-Notification-To gets `no_request`; one whose request may not be
//      answered (Return-Path missing or different, several addresses, list or
//      auto-submitted mail, the original itself a receipt or a bounce) `forbidden`.
//   1b. A message whose own Authentication-Results field says the sender failed DMARC
//      under a reject or quarantine policy (dmarc_refusal.h) gets `forbidden`, and the
//      refusal is recorded in the ledger (store::Store::record_refused_receipt).
//   2. The user's policy (policy.h): with one_per_recipient, a message that has $MDNSent
//      (set by any receipt, or by a client that sent one elsewhere, RFC 3503 §3) gets
//      `already_sent`.
//   3. finalRecipient, when the client chose one, must be an address the account owns
//      (RFC 9007 §5): else `forbidden_from`.
//   4. The receipt is CLAIMED in the ledger (store::Store::record_receipt, path as given,
//      which sets $MDNSent on every copy) before it is delivered; a ledger record for the
//      message (the server's receipt on download, a receipt submitted over SMTP, an
//      earlier MDN/send) makes it `already_sent` whatever `duplicates` says: nothing is
//      delivered. Claim first: a delivery that then fails loses the receipt, never
//      doubles it.
//   5. Delivered through a delivery::Transaction with a null envelope sender to the
//      requester: a local one's INBOX, else the outbound queue; durable before `sent`.
//
// Threads: blocking (store, blob and queue calls); run on a store thread. Thread-safe when
// the injected objects are. Every decision is logged, one line under service "mdn".
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "base/config.h"
#include "base/result.h"
#include "delivery/transaction.h"
#include "mdn/generate.h"
#include "store/api/store.h"

namespace postamt::mdn {

struct UserReceiptDependencies {
  delivery::Services delivery;  // store and blobs must be set; outbound for remote requesters
  Config::Receipts server_policy;
  // default Reporting-UA, the receipt's Message-ID, and the authserv-id of our own
  // Authentication-Results fields (dmarc_refusal.h)
  std::string hostname;
  std::function<std::chrono::sys_seconds()> now;
  mime::RandomSource random;
};

// The message a receipt is sent for, as the caller found it in the account.
struct UserReceiptOriginal {
  store::MessageLocation location;  // one copy of it
  std::string message_id;           // as stored ("" when none)
  bool has_mdn_sent = false;        // the copy has $MDNSent
  std::string_view bytes;           // the message as stored (with Return-Path)
};

enum class UserReceiptOutcome {
  sent,            // delivered or queued; `composed` says what was sent
  no_request,      // the message asks for no receipt (no or unusable DNT field)
  forbidden,       // RFC 8098 §2.1 allows no receipt for it (`reason`)
  forbidden_from,  // finalRecipient is not an address of the account
  already_sent,    // $MDNSent or a ledger record (one_per_recipient)
  invalid,         // a value the client chose cannot go into a receipt (`description`)
};
std::string_view to_string(UserReceiptOutcome outcome);

struct UserReceiptResult {
  UserReceiptOutcome outcome = UserReceiptOutcome::sent;
  RequestReason reason = RequestReason::allowed;
  std::string description;  // for every outcome but `sent`: words for the client
  ComposedMdn composed;     // for `sent`
  std::string queue_id;     // for `sent` to a remote requester
};

// Applies the rules above for `account` and sends the receipt. options.reporting_host and
// recipient_address are filled in here (hostname, the account's address), and
// options.now_utc_seconds from deps.now. Errors: the store's, the blob store's and the
// transaction's (temporary, io, not_found when the original was expunged meanwhile or
// the local requester no longer exists, permission when a remote requester cannot be
// reached without an outbound queue).
Result<UserReceiptResult> send_user_receipt(const UserReceiptDependencies& deps,
                                            const store::Account& account,
                                            const UserReceiptOriginal& original,
                                            ComposeOptions options, store::ReceiptPath path);

}  // namespace postamt::mdn
