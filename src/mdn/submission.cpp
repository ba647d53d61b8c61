#include "mdn/submission.h"

#include <fmt/format.h>

#include "base/log.h"
#include "mdn/parse.h"
#include "mdn/policy.h"

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

}  // namespace

ClientReceiptCheck::ClientReceiptCheck(SubmissionDependencies deps) : deps_(std::move(deps)) {}

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
  decision.message_id = parsed->original_message_id;
  if (parsed->original_message_id.empty()) {
    decision.reason = "no-original-message-id";
    log::info(kLog, "account={} to={} client receipt relayed unrecorded: no Original-Message-ID",
              account_address, joined(recipients));
    return decision;
  }

  store::Store& store = *deps_.store;
  auto account = store.find_account(account_address);
  POSTAMT_TRY(account);
  auto overrides = store.list_policy_overrides();
  POSTAMT_TRY(overrides);
  const Policy policy = effective_policy(deps_.server_policy, *overrides,
                                         domain_of(account->address), account->address);
  auto copies = store.find_messages_by_message_id(account->id, parsed->original_message_id);
  POSTAMT_TRY(copies);

  store::NewSentReceipt record;
  record.account = account->id;
  record.message_id = parsed->original_message_id;
  if (!copies->empty()) record.message = copies->front();
  record.requester = recipients.empty() ? std::string() : recipients.front();
  record.disposition = std::string(to_string(parsed->disposition.type));
  record.path = store::ReceiptPath::client_submission;
  record.at = deps_.now();
  auto recorded = store.record_receipt(record, policy.uniqueness());
  POSTAMT_TRY(recorded);

  if (recorded->outcome == store::RecordOutcome::recorded) {
    decision.reason = copies->empty() ? "recorded-original-not-found" : "recorded";
    log::info(kLog, "account={} message_id={} to={} disposition={} client receipt: sent ({})",
              account->address, record.message_id, joined(recipients), record.disposition,
              copies->empty() ? "original not found" : "recorded");
    return decision;
  }
  // RFC 8098 §2.1: at most one receipt per message and recipient.
  const store::SentReceipt& first = recorded->receipt;
  decision.reason = "duplicate";
  decision.verdict = policy.duplicates == ReceiptDuplicates::reject ? ClientReceiptVerdict::reject
                                                                    : ClientReceiptVerdict::drop;
  if (decision.verdict == ClientReceiptVerdict::reject)
    decision.text = fmt::format("A read receipt was already sent for {}", record.message_id);
  log::info(kLog,
            "account={} message_id={} to={} client receipt: suppressed duplicate ({}), "
            "already sent by {} to {}",
            account->address, record.message_id, joined(recipients),
            decision.verdict == ClientReceiptVerdict::reject ? "rejected" : "dropped",
            store::to_string(first.path), first.requester);
  return decision;
}

}  // namespace postamt::mdn
