#include "mdn/submission.h"

#include <fmt/format.h>

#include <utility>

#include "base/log.h"
#include "mdn/dmarc_refusal.h"
#include "mdn/parse.h"
#include "mdn/policy.h"
#include "metrics/catalog.h"

namespace postamt::mdn {
namespace {

constexpr std::string_view kLog = "mdn";

std::string domain_of(std::string_view address) {
  const size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

std::string joined(const std::vector<std::string>& addresses) {
  std::string out;
  for (const auto& a : addresses) out += (out.empty() ? "" : ",") + a;
  return out;
}

struct Original {
  store::ReceiptMatch matched_by = store::ReceiptMatch::unmatched;
  std::string message_id;                      // "" when unmatched
  std::vector<store::MessageLocation> copies;  // the account's copies of it, maybe none
};

// Which message of `account` the receipt is about. RFC 8098 §3.2.5: Original-Message-ID
// is present if and only if the original had a Message-ID, and then names it, so it
// decides even when no copy is stored. RFC 8098 §3 asks nothing of the receipt's own
// In-Reply-To or References, but clients that reply-construct their receipt fill them as
// for a reply (RFC 5322 §3.6.4: the parent's Message-ID, last in References). Such a
// receipt without Original-Message-ID broke §3.2.5 (the original had a Message-ID), so
// those fields are trusted only when they name a message the account holds.
Result<Original> find_original(store::Store& store, AccountId account, const SubmittedMdn& mdn) {
  Original out;
  if (!mdn.original_message_id.empty()) {
    out.matched_by = store::ReceiptMatch::original_message_id;
    out.message_id = mdn.original_message_id;
    auto copies = store.find_messages_by_message_id(account, out.message_id);
    POSTAMT_TRY(copies);
    out.copies = std::move(*copies);
    return out;
  }
  const std::pair<store::ReceiptMatch, const std::string*> candidates[] = {
      {store::ReceiptMatch::in_reply_to, &mdn.in_reply_to},
      {store::ReceiptMatch::references, &mdn.references_last},
  };
  std::string_view looked_up;
  for (const auto& [matched_by, id] : candidates) {
    if (id->empty() || *id == looked_up) continue;
    looked_up = *id;
    auto copies = store.find_messages_by_message_id(account, *id);
    POSTAMT_TRY(copies);
    if (copies->empty()) continue;
    out.matched_by = matched_by;
    out.message_id = *id;
    out.copies = std::move(*copies);
    return out;
  }
  return out;
}

}  // namespace

ClientReceiptCheck::ClientReceiptCheck(SubmissionDependencies deps) : deps_(std::move(deps)) {}

Result<std::optional<std::string>> ClientReceiptCheck::dmarc_refusal_of(
    const store::MessageLocation& copy) {
  auto message = deps_.store->get_message(copy.mailbox, copy.uid);
  // Expunged since it was found: nothing left to judge it by.
  if (!message && message.error().kind == ErrorKind::not_found) return std::optional<std::string>();
  POSTAMT_TRY(message);
  auto bytes = deps_.blobs->get(message->blob);
  POSTAMT_TRY(bytes);
  return dmarc_refusal(*bytes, deps_.hostname);
}

Result<delivery::SubmissionDecision> ClientReceiptCheck::check(
    const delivery::Submission& submission) {
  auto decision = decide(submission.user, *submission.recipients, submission.message);
  POSTAMT_TRY(decision);
  delivery::SubmissionDecision out;
  switch (decision->verdict) {
    case ClientReceiptVerdict::accept:
      out.verdict = delivery::SubmissionVerdict::accept;
      break;
    case ClientReceiptVerdict::drop:
      out.verdict = delivery::SubmissionVerdict::drop;
      break;
    case ClientReceiptVerdict::reject:
      out.verdict = delivery::SubmissionVerdict::reject;
      out.text = decision->text;
      break;
  }
  return out;
}

Result<ClientReceiptDecision> ClientReceiptCheck::decide(std::string_view account_address,
                                                         const std::vector<std::string>& recipients,
                                                         std::string_view message) {
  ClientReceiptDecision decision;
  if (!is_mdn(message)) {
    decision.reason = "not-a-receipt";
    return decision;
  }
  auto parsed = parse_submitted_mdn(message);
  if (!parsed) {
    decision.reason = "malformed";
    log::info(kLog, "account={} to={} client receipt relayed unchecked: malformed ({})",
              account_address, joined(recipients), parsed.error().message);
    return decision;
  }

  store::Store& store = *deps_.store;
  auto account = store.find_account(account_address);
  POSTAMT_TRY(account);
  auto overrides = store.list_policy_overrides();
  POSTAMT_TRY(overrides);
  const Policy policy = effective_policy(deps_.server_policy, *overrides,
                                         domain_of(account->address), account->address);
  auto original = find_original(store, account->id, *parsed);
  POSTAMT_TRY(original);
  decision.message_id = original->message_id;
  decision.matched_by = original->matched_by;

  // RFC 8098 §6.1: no receipt for a message whose sender failed DMARC under an enforcing
  // policy. Dropped, never rejected: the client did nothing wrong.
  if (!original->copies.empty()) {
    auto refusal = dmarc_refusal_of(original->copies.front());
    POSTAMT_TRY(refusal);
    if (*refusal) {
      store::NewRefusedReceipt refused;
      refused.account = account->id;
      refused.message_id = original->message_id;
      refused.requester = recipients.empty() ? std::string() : recipients.front();
      refused.path = store::ReceiptPath::client_submission;
      refused.reason = **refusal;
      refused.at = deps_.now();
      POSTAMT_TRY(store.record_refused_receipt(refused));
      decision.verdict = ClientReceiptVerdict::drop;
      decision.reason = "refused-dmarc";
      decision.refusal = **refusal;
      log::info(kLog,
                "account={} message_id={} to={} matched_by={} client receipt: refused (dropped), "
                "{}",
                account->address, original->message_id, joined(recipients),
                store::to_string(original->matched_by), decision.refusal);
      return decision;
    }
  }

  store::NewSentReceipt record;
  record.account = account->id;
  record.message_id = original->message_id;
  if (!original->copies.empty()) record.message = original->copies.front();
  record.requester = recipients.empty() ? std::string() : recipients.front();
  record.disposition = std::string(to_string(parsed->disposition.type));
  record.path = store::ReceiptPath::client_submission;
  record.matched_by = original->matched_by;
  record.at = deps_.now();
  auto recorded = store.record_receipt(record, policy.uniqueness());
  POSTAMT_TRY(recorded);

  const std::string where =
      fmt::format("account={} message_id={} to={} matched_by={}", account->address,
                  record.message_id.empty() ? "none" : record.message_id, joined(recipients),
                  store::to_string(record.matched_by));
  if (recorded->outcome == store::RecordOutcome::recorded) {
    std::string_view outcome = "recorded";
    decision.reason = "recorded";
    if (original->matched_by == store::ReceiptMatch::unmatched) {
      outcome = decision.reason = "unmatched";
    } else if (original->copies.empty()) {
      outcome = "original not found";
      decision.reason = "recorded-original-not-found";
    }
    log::info(kLog, "{} disposition={} client receipt: sent ({})", where, record.disposition,
              outcome);
    metrics::catalog().receipts.with({"client"}).inc();
    return decision;
  }
  // RFC 8098 §2.1: at most one receipt per message and recipient.
  const store::SentReceipt& first = recorded->receipt;
  decision.reason = "duplicate";
  decision.verdict = policy.duplicates == ReceiptDuplicates::reject ? ClientReceiptVerdict::reject
                                                                    : ClientReceiptVerdict::drop;
  if (decision.verdict == ClientReceiptVerdict::reject)
    decision.text = fmt::format("A read receipt was already sent for {}", record.message_id);
  log::info(kLog, "{} client receipt: suppressed duplicate ({}), already sent by {} to {}", where,
            decision.verdict == ClientReceiptVerdict::reject ? "rejected" : "dropped",
            store::to_string(first.path), first.requester);
  metrics::catalog()
      .receipts
      .with({decision.verdict == ClientReceiptVerdict::reject ? "duplicate_rejected"
                                                              : "duplicate_dropped"})
      .inc();
  return decision;
}

}  // namespace postamt::mdn
