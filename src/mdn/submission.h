// Read receipts that mail clients SUBMIT (RFC 8098 §3 MDNs sent through SMTP submission
// by an authenticated user): the receipt policy's `duplicates` and `one_per_recipient`
// applied before anything is delivered or queued (docs/read-receipts.md). It is the
// delivery::SubmissionCheck that src/app hands to every submission path.
//
// For a message that is a receipt (mdn::is_mdn), the check identifies the original in the
// user's mailboxes and CLAIMS the receipt in the ledger (store::Store::record_receipt,
// path client_submission, which also sets $MDNSent on every copy) before the caller
// relays it, recording how the original was matched (store::ReceiptMatch):
//   original-message-id  by its Original-Message-ID; an original that is not found is
//                        still recorded by that Message-ID and the receipt relayed;
//   in-reply-to          without Original-Message-ID: by the one msg-id of the
//                        receipt's In-Reply-To, when the user has such a message;
//   references           else by the last msg-id of its References, likewise;
//   unmatched            nothing names a message of the user: relayed, and recorded as
//                        a record of its own that never makes another a duplicate.
// When the ledger already holds a receipt for the original (one_per_recipient), the
// verdict is `duplicates`: drop (accept, deliver nothing) or reject. Everything else is
// accepted unchanged: plain mail, and a message that claims to be a receipt but does not
// parse (relayed as the client wrote it, not recorded).
// Forged senders (dmarc_refusal.h): a receipt for an original whose own
// Authentication-Results field says the sender failed DMARC under a reject or quarantine
// policy is dropped like a duplicate under duplicates = "drop" (accepted, nothing
// delivered, whatever `duplicates` says), recorded as a refusal in the ledger
// (path client_submission; no $MDNSent) and logged. Only an original found in the user's
// mailboxes can be checked.
// A $MDNSent keyword without a ledger record does not count: clients set it just before
// they submit their receipt (RFC 3503 §3).
//
// Claim first: if the caller then fails to deliver, the receipt is lost rather than ever
// sent twice (a client retry is then a duplicate).
//
// Threads: check() blocks (store calls); call it on a blocking thread. Thread-safe when
// the store is. Every decision is logged, one line under service "mdn".
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"
#include "base/result.h"
#include "blob/blob_store.h"
#include "delivery/submission_check.h"
#include "store/api/store.h"

namespace postamt::mdn {

enum class ClientReceiptVerdict {
  accept,  // deliver / relay as usual
  drop,    // answer success, deliver nothing (duplicates = "drop")
  reject,  // refuse with `text` (duplicates = "reject"); a policy refusal (SMTP 5.7.1)
};

struct ClientReceiptDecision {
  ClientReceiptVerdict verdict = ClientReceiptVerdict::accept;
  // Stable log word: "not-a-receipt", "malformed", "unmatched", "recorded",
  // "recorded-original-not-found", "duplicate", "refused-dmarc".
  std::string reason;
  // The original's normalised Message-ID as matched; "" when unmatched or not a receipt.
  std::string message_id;
  // How the original was matched; meaningful for unmatched, recorded* and duplicate.
  store::ReceiptMatch matched_by = store::ReceiptMatch::unmatched;
  std::string text;     // for reject: the human-readable refusal
  std::string refusal;  // for refused-dmarc: why, e.g. "sender failed DMARC (p=reject)"
};

struct SubmissionDependencies {
  store::Store* store = nullptr;
  blob::BlobStore* blobs = nullptr;  // the originals' bytes, for their Authentication-Results
  std::string hostname;              // the authserv-id of our own Authentication-Results
  Config::Receipts server_policy;
  std::function<std::chrono::sys_seconds()> now;
};

class ClientReceiptCheck final : public delivery::SubmissionCheck {
 public:
  // `deps.store`, `deps.blobs` and `deps.now` must be set.
  explicit ClientReceiptCheck(SubmissionDependencies deps);

  // Checks one complete message submitted by `account_address` (an account address,
  // authenticated) to `recipients` (envelope forward paths). Errors: the store's
  // (temporary/io: the caller answers "try again"); not_found when the account is gone.
  Result<ClientReceiptDecision> decide(std::string_view account_address,
                                       const std::vector<std::string>& recipients,
                                       std::string_view message);

  // delivery::SubmissionCheck: decide() for the submission, as a verdict.
  Result<delivery::SubmissionDecision> check(const delivery::Submission& submission) override;

 private:
  // dmarc_refusal() of one stored copy; nullopt also when it was expunged meanwhile.
  Result<std::optional<std::string>> dmarc_refusal_of(const store::MessageLocation& copy);

  SubmissionDependencies deps_;
};

}  // namespace postamt::mdn
