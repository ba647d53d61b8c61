#include "mdn/engine.h"

#include <fmt/format.h>

#include "base/log.h"
#include "delivery/message_log.h"
#include "delivery/transaction.h"
#include "mdn/dmarc_refusal.h"
#include "mdn/generate.h"
#include "mdn/policy.h"
#include "metrics/catalog.h"
#include "store/api/receipt_rules.h"

namespace postamt::mdn {
namespace {

std::string domain_of(std::string_view address) {
  const size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

// Legacy mode records every receipt, so the ledger alone does not stop the server from
// answering each download again: look for a receipt the server itself already sent.
Result<bool> server_sent_already(store::Store& store, AccountId account,
                                 const std::string& message_id) {
  if (message_id.empty()) return false;
  auto ledger = store.list_receipts(account);
  POSTAMT_TRY(ledger);
  for (const store::SentReceipt& r : ledger->sent) {
    if (r.path == store::ReceiptPath::server_on_download && r.message_id == message_id) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view to_string(DownloadOutcome outcome) {
  switch (outcome) {
    case DownloadOutcome::policy_off:
      return "policy-off";
    case DownloadOutcome::not_allowed:
      return "not-allowed";
    case DownloadOutcome::refused:
      return "refused";
    case DownloadOutcome::already_sent:
      return "already-sent";
    case DownloadOutcome::sent_local:
      return "sent-local";
    case DownloadOutcome::sent_remote:
      return "sent-remote";
    case DownloadOutcome::rate_limited:
      return "rate-limited";
    case DownloadOutcome::message_gone:
      return "message-gone";
  }
  return "policy-off";
}

Engine::Engine(EngineDependencies deps) : deps_(std::move(deps)) {}

void Engine::on_download(const mail::DownloadEvent& event) {
  deps_.run_blocking([this, event] {
    auto r = handle_download(event);
    if (!r) {
      log::error("mdn", "account={} uid={} receipt on download failed: {}", event.account_address,
                 event.uid, r.error().message);
      return;
    }
    const std::string where =
        fmt::format("account={} uid={} message_id={} requester={}", event.account_address,
                    event.uid, r->message_id.empty() ? "none" : r->message_id,
                    r->requester.empty() ? "none" : r->requester);
    switch (r->outcome) {
      case DownloadOutcome::policy_off:
        log::debug("mdn", "{} receipt on download: not sent (policy off)", where);
        break;
      case DownloadOutcome::not_allowed:
        // Mail without a request is the common case; everything else is a decision.
        if (r->reason == RequestReason::no_request)
          log::debug("mdn", "{} receipt on download: not sent (no-request)", where);
        else
          log::info("mdn", "{} receipt on download: not sent ({})", where, to_string(r->reason));
        break;
      case DownloadOutcome::refused:
        log::info("mdn", "{} receipt on download: refused ({})", where, r->refusal);
        break;
      case DownloadOutcome::already_sent:
        log::info("mdn", "{} receipt on download: suppressed duplicate (already sent)", where);
        break;
      case DownloadOutcome::rate_limited:
        log::info("mdn", "{} receipt on download: rate limited (max_remote_per_hour={})", where,
                  deps_.server_policy.max_remote_per_hour);
        break;
      case DownloadOutcome::message_gone:
        log::info("mdn", "{} receipt on download: not sent (message expunged before the decision)",
                  where);
        break;
      case DownloadOutcome::sent_local:
        log::info("mdn", "{} receipt on download: sent (delivered locally)", where);
        metrics::catalog().receipts.with({"server"}).inc();
        break;
      case DownloadOutcome::sent_remote:
        log::info("mdn", "{} receipt on download: sent (queued as {})", where, r->queue_id);
        metrics::catalog().receipts.with({"server"}).inc();
        break;
    }
  });
}

bool Engine::reserve_remote(AccountId account, std::chrono::sys_seconds now) {
  std::lock_guard lock(mutex_);
  auto& sent = remote_sent_[account];
  while (!sent.empty() && sent.front() <= now - std::chrono::hours(1)) sent.pop_front();
  if (sent.size() >= deps_.server_policy.max_remote_per_hour) return false;
  sent.push_back(now);
  return true;
}

void Engine::release_remote(AccountId account, std::chrono::sys_seconds at) {
  std::lock_guard lock(mutex_);
  auto& sent = remote_sent_[account];
  for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
    if (*it == at) {
      sent.erase(std::next(it).base());
      return;
    }
  }
}

Result<DownloadResult> Engine::handle_download(const mail::DownloadEvent& event) {
  store::Store& store = *deps_.delivery.store;
  DownloadResult result;
  auto overrides = store.list_policy_overrides();
  POSTAMT_TRY(overrides);
  const Policy policy = effective_policy(deps_.server_policy, *overrides,
                                         domain_of(event.account_address), event.account_address);
  if (policy.on_download == ReceiptOnDownload::off) {
    result.outcome = DownloadOutcome::policy_off;
    return result;
  }

  auto message = store.get_message(event.mailbox, event.uid);
  BlobRef blob = event.blob;
  if (message) {
    result.message_id = message->message_id;
    blob = message->blob;
  } else if (message.error().kind != ErrorKind::not_found) {
    return message.error();
  } else if (blob.empty()) {
    result.outcome = DownloadOutcome::message_gone;
    return result;
  }
  // A message the client deleted right after downloading it (POP3 RETR, DELE, QUIT) is
  // still answered from the bytes the event names; the ledger then keys it by the
  // Message-ID in those bytes.
  auto bytes = deps_.delivery.blobs->get(blob);
  POSTAMT_TRY(bytes);
  const Request request = detect_request(*bytes);
  if (!request.message_id.empty() && result.message_id.empty())
    result.message_id = request.message_id;
  if (!request.automatic_receipt_allowed()) {
    result.outcome = DownloadOutcome::not_allowed;
    result.reason = request.reason;
    return result;
  }
  // An allowed request names exactly one Disposition-Notification-To address, the one a
  // receipt goes to (RFC 8098 §3); every outcome from here on reports it, a suppressed
  // duplicate included.
  result.requester = request.requester->addr_spec();
  // RFC 8098 §6.1: "MDN processing should only be invoked once authenticity of an email
  // message is verified"; a message whose sender failed DMARC under an enforcing policy
  // gets none, whatever else would apply.
  if (auto refusal = dmarc_refusal(*bytes, deps_.hostname)) {
    store::NewRefusedReceipt record;
    record.account = event.account;
    record.message_id = result.message_id;
    record.requester = result.requester;
    record.path = store::ReceiptPath::server_on_download;
    record.reason = *refusal;
    record.at = deps_.now();
    auto recorded = store.record_refused_receipt(record);
    POSTAMT_TRY(recorded);
    result.outcome = DownloadOutcome::refused;
    result.refusal = std::move(*refusal);
    return result;
  }
  // RFC 3503 §3: a client that sent a receipt by itself (through another server, say)
  // sets $MDNSent; the ledger cannot know about that receipt, the keyword does.
  if (message && policy.one_per_recipient && message->keywords.contains(kMdnSentKeyword)) {
    result.outcome = DownloadOutcome::already_sent;
    return result;
  }
  // The stored Message-ID is the one find_messages_by_message_id() matches copies by.
  const std::string message_id = result.message_id;
  // Without the message and without a Message-ID, the ledger has nothing to key "at most
  // one" on: no receipt rather than a possible second one.
  if (!message && message_id.empty()) {
    result.outcome = DownloadOutcome::message_gone;
    return result;
  }
  if (!policy.one_per_recipient) {
    auto sent = server_sent_already(store, event.account, message_id);
    POSTAMT_TRY(sent);
    if (*sent) {
      result.outcome = DownloadOutcome::already_sent;
      return result;
    }
  }

  const DispositionType disposition = policy.on_download == ReceiptOnDownload::displayed
                                          ? DispositionType::displayed
                                          : DispositionType::dispatched;
  const std::chrono::sys_seconds now = deps_.now();
  GenerateOptions options;
  options.reporting_host = deps_.hostname;
  options.recipient_address = event.account_address;
  options.disposition = disposition;
  options.now_utc_seconds = now.time_since_epoch().count();
  auto mdn = generate_mdn(request, options, deps_.random);
  POSTAMT_TRY(mdn);

  // RFC 8098 §3: null envelope sender, addressed to the requester only; never a DSN
  // about the receipt itself.
  delivery::Transaction transaction(deps_.delivery, "");
  delivery::RecipientOptions never_notify;
  never_notify.notify = delivery::Notify{true, false, false, false};
  auto added = transaction.add_recipient(mdn->envelope_recipient, never_notify);
  POSTAMT_TRY(added);
  // Reserved before the ledger claim: a rate-limited receipt is not recorded, so the
  // user's own client may still answer the request.
  const bool remote = !added->remote.empty();
  if (remote && !reserve_remote(event.account, now)) {
    result.outcome = DownloadOutcome::rate_limited;
    return result;
  }

  store::NewSentReceipt record;
  record.account = event.account;
  record.message_id = message_id;
  if (message) record.message = store::MessageLocation{event.mailbox, event.uid};
  record.requester = mdn->envelope_recipient;
  record.disposition = std::string(to_string(disposition));
  record.path = store::ReceiptPath::server_on_download;
  record.at = now;
  auto recorded = store.record_receipt(record, policy.uniqueness());
  // Expunged between the lookup above and the claim (POP3 DELE, QUIT right after RETR):
  // the Message-ID alone keys the record then.
  if (!recorded && recorded.error().kind == ErrorKind::not_found && record.message &&
      !message_id.empty()) {
    record.message.reset();
    recorded = store.record_receipt(record, policy.uniqueness());
  }
  if (!recorded || recorded->outcome == store::RecordOutcome::already_sent) {
    if (remote) release_remote(event.account, now);
    POSTAMT_TRY(recorded);
    result.outcome = DownloadOutcome::already_sent;
    return result;
  }

  transaction.set_body(mdn->message);
  auto committed = transaction.commit();
  POSTAMT_TRY(committed);
  delivery::log_committed(transaction, *committed);
  result.outcome = DownloadOutcome::sent_local;
  if (!committed->queue_id.empty()) {
    result.outcome = DownloadOutcome::sent_remote;
    result.queue_id = committed->queue_id;
  }
  return result;
}

}  // namespace postamt::mdn
