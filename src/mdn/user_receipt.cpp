#include "mdn/user_receipt.h"

#include <fmt/format.h>

#include "base/log.h"
#include "delivery/message_log.h"
#include "mail/senders.h"
#include "mdn/dmarc_refusal.h"
#include "mdn/policy.h"
#include "mdn/request.h"

namespace postamt::mdn {
namespace {

constexpr std::string_view kLog = "mdn";

std::string domain_of(std::string_view address) {
  const size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

UserReceiptResult refused(UserReceiptOutcome outcome, std::string description) {
  UserReceiptResult r;
  r.outcome = outcome;
  r.description = std::move(description);
  return r;
}

}  // namespace

std::string_view to_string(UserReceiptOutcome outcome) {
  switch (outcome) {
    case UserReceiptOutcome::sent:
      return "sent";
    case UserReceiptOutcome::no_request:
      return "no-request";
    case UserReceiptOutcome::forbidden:
      return "forbidden";
    case UserReceiptOutcome::forbidden_from:
      return "forbidden-from";
    case UserReceiptOutcome::already_sent:
      return "already-sent";
    case UserReceiptOutcome::invalid:
      return "invalid";
  }
  return "invalid";
}

Result<UserReceiptResult> send_user_receipt(const UserReceiptDependencies& deps,
                                            const store::Account& account,
                                            const UserReceiptOriginal& original,
                                            ComposeOptions options, store::ReceiptPath path) {
  store::Store& store = *deps.delivery.store;
  const Request request = detect_request(original.bytes);
  const std::string message_id =
      original.message_id.empty() ? request.message_id : original.message_id;
  const std::string where =
      fmt::format("account={} message_id={} path={}", account.address,
                  message_id.empty() ? "none" : message_id, store::to_string(path));
  auto decline = [&](UserReceiptResult r) {
    log::info(kLog, "{} user receipt: not sent ({}: {})", where, to_string(r.outcome),
              r.description);
    return r;
  };
  if (request.reason == RequestReason::no_request ||
      request.reason == RequestReason::malformed_request) {
    UserReceiptResult r =
        refused(UserReceiptOutcome::no_request,
                fmt::format("the message has no valid Disposition-Notification-To ({})",
                            to_string(request.reason)));
    r.reason = request.reason;
    return decline(std::move(r));
  }
  if (!request.automatic_receipt_allowed()) {
    // RFC 8098 §2.1, the rules the server's own receipts follow.
    UserReceiptResult r = refused(UserReceiptOutcome::forbidden,
                                  fmt::format("no read receipt may be sent for this message ({})",
                                              to_string(request.reason)));
    r.reason = request.reason;
    return decline(std::move(r));
  }

  // RFC 8098 §6.1: no receipt for a message whose sender failed DMARC under an
  // enforcing policy (dmarc_refusal.h); the refusal is recorded in the ledger.
  if (auto refusal = dmarc_refusal(original.bytes, deps.hostname)) {
    store::NewRefusedReceipt record;
    record.account = account.id;
    record.message_id = message_id;
    record.requester = request.requester->addr_spec();
    record.path = path;
    record.reason = *refusal;
    record.at = deps.now();
    POSTAMT_TRY(store.record_refused_receipt(record));
    UserReceiptResult r =
        refused(UserReceiptOutcome::forbidden,
                fmt::format("no read receipt may be sent for this message ({})", *refusal));
    r.reason = request.reason;
    return decline(std::move(r));
  }

  auto overrides = store.list_policy_overrides();
  POSTAMT_TRY(overrides);
  const Policy policy =
      effective_policy(deps.server_policy, *overrides, domain_of(account.address), account.address);
  const std::string requester = request.requester->addr_spec();
  if (policy.one_per_recipient && original.has_mdn_sent) {
    return decline(
        refused(UserReceiptOutcome::already_sent, "$mdnsent keyword is already present"));
  }
  if (!options.final_recipient.empty()) {
    auto owned = mail::owns_address(store, account.address, options.final_recipient);
    POSTAMT_TRY(owned);
    if (!*owned) {
      return decline(refused(UserReceiptOutcome::forbidden_from,
                             fmt::format("finalRecipient {} is not an address of {}",
                                         options.final_recipient, account.address)));
    }
  }

  const std::chrono::sys_seconds now = deps.now();
  options.reporting_host = deps.hostname;
  options.recipient_address = account.address;
  options.now_utc_seconds = now.time_since_epoch().count();
  auto composed = compose_mdn(request, original.bytes, options, deps.random);
  if (!composed) {
    if (composed.error().kind != ErrorKind::invalid) return composed.error();
    return decline(refused(UserReceiptOutcome::invalid, composed.error().message));
  }

  // RFC 8098 §3: null envelope sender, addressed to the requester only; never a DSN
  // about the receipt itself.
  delivery::Transaction transaction(deps.delivery, "");
  delivery::RecipientOptions never_notify;
  never_notify.notify = delivery::Notify{true, false, false, false};
  auto added = transaction.add_recipient(composed->mdn.envelope_recipient, never_notify);
  POSTAMT_TRY(added);

  store::NewSentReceipt record;
  record.account = account.id;
  record.message_id = message_id;
  record.message = original.location;
  record.requester = requester;
  record.disposition = std::string(to_string(options.disposition.type));
  record.path = path;
  record.matched_by = store::ReceiptMatch::message;
  record.at = now;
  auto recorded = store.record_receipt(record, policy.uniqueness());
  POSTAMT_TRY(recorded);
  if (recorded->outcome == store::RecordOutcome::already_sent) {
    const store::SentReceipt& first = recorded->receipt;
    log::info(kLog, "{} to={} user receipt: suppressed duplicate, already sent by {} to {}", where,
              requester, store::to_string(first.path), first.requester);
    UserReceiptResult r =
        refused(UserReceiptOutcome::already_sent,
                fmt::format("a read receipt was already sent for this message ({})",
                            store::to_string(first.path)));
    return r;
  }

  transaction.set_body(composed->mdn.message);
  auto committed = transaction.commit();
  if (!committed) {
    log::error(kLog, "{} to={} user receipt: recorded but not delivered: {}", where, requester,
               committed.error().message);
    return committed.error();
  }
  delivery::log_committed(transaction, *committed);
  UserReceiptResult result;
  result.composed = std::move(*composed);
  result.queue_id = committed->queue_id;
  if (result.queue_id.empty())
    log::info(kLog, "{} to={} disposition={} user receipt: sent (delivered locally)", where,
              requester, record.disposition);
  else
    log::info(kLog, "{} to={} disposition={} user receipt: sent (queued as {})", where, requester,
              record.disposition, result.queue_id);
  return result;
}

}  // namespace postamt::mdn
