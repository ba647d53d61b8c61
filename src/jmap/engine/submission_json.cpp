#include "jmap/engine/submission_json.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>
#include <map>

#include "base/strings.h"
#include "jmap/email/blob_ids.h"
#include "jmap/proto/arguments.h"
#include "mime/message_id.h"
#include "model/address.h"

namespace postamt::jmap {
namespace {

// A receipt is stored in the sender's mailbox when the ledger records it, so its
// internal date lies within this window of the ledger's time.
constexpr std::chrono::seconds kReceiptWindow{120};

json::value parameters_json(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return nullptr;
  return v;
}

json::object address_json(const store::SubmissionAddress& a) {
  return {{"email", a.email}, {"parameters", parameters_json(a.parameters)}};
}

std::string key_of(std::string_view address) {
  auto key = address_key(address);
  return key ? *key : std::string(address);
}

// The lines of a report's machine-readable part, field name lowercased -> value, per
// block (RFC 3464 §2.1, RFC 8098 §3.1: blocks separated by blank lines).
std::vector<std::map<std::string, std::string>> report_blocks(std::string_view bytes) {
  std::vector<std::map<std::string, std::string>> blocks(1);
  size_t at = 0;
  while (at < bytes.size()) {
    size_t end = bytes.find('\n', at);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(at, end - at);
    at = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || line.front() == ' ' || line.front() == '\t') continue;
    std::string name = ascii_lower(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    blocks.back().emplace(std::move(name), std::string(value));
  }
  return blocks;
}

// "rfc822;bob@x" -> "bob@x".
std::string_view typed_address(std::string_view value) {
  size_t semi = value.find(';');
  return trim(semi == std::string_view::npos ? value : value.substr(semi + 1));
}

struct Reports {
  std::vector<std::string> dsn_blob_ids, mdn_blob_ids;
  std::map<std::string, std::string> failed;  // recipient key -> the DSN's status
  std::map<std::string, bool> displayed;      // recipient key -> a receipt arrived
};

// Bounces the queue sent for `queue_id` (queue/dsn.h: Message-ID "<queue id>.<time>@host")
// that reached one of the account's mailboxes.
void find_dsns(CallContext& context, const std::string& queue_id, Reports& reports) {
  if (queue_id.empty()) return;
  const std::string prefix = "<" + queue_id + ".";
  for (const EmailEntry& email : context.view().emails()) {
    const store::MessageRecord& record = email.first();
    if (!record.message_id.starts_with(prefix)) continue;
    auto bytes = context.blobs().get(record.blob);
    if (!bytes) continue;
    if (bytes->find("report-type=delivery-status") == std::string::npos) continue;
    reports.dsn_blob_ids.push_back(blob_id(record.blob));
    for (const auto& block : report_blocks(*bytes)) {
      auto recipient = block.find("final-recipient");
      auto action = block.find("action");
      if (recipient == block.end() || action == block.end()) continue;
      if (ascii_lower(action->second) != "failed") continue;
      auto status = block.find("status");
      reports.failed[key_of(typed_address(recipient->second))] =
          status == block.end() ? "5.0.0" : status->second;
    }
  }
}

// Read receipts the ledger recorded for the sent message (mdn/received.h), found among the
// account's messages by their Original-Message-ID.
void find_mdns(CallContext& context, const std::string& message_id, Reports& reports) {
  if (message_id.empty()) return;
  auto ledger = context.store().list_receipts(context.account().id);
  if (!ledger) return;
  std::vector<store::ReceiptTime> times;
  for (const store::ReceivedReceipt& r : ledger->received) {
    if (r.message_id != message_id) continue;
    reports.displayed[key_of(r.final_recipient)] = r.disposition == "displayed";
    times.push_back(r.at);
  }
  if (times.empty()) return;
  for (const EmailEntry& email : context.view().emails()) {
    const store::MessageRecord& record = email.first();
    bool near = std::any_of(times.begin(), times.end(), [&](store::ReceiptTime t) {
      return record.internal_date >= t - kReceiptWindow &&
             record.internal_date <= t + kReceiptWindow;
    });
    if (!near) continue;
    auto bytes = context.blobs().get(record.blob);
    if (!bytes || bytes->find("disposition-notification") == std::string::npos) continue;
    for (const auto& block : report_blocks(*bytes)) {
      auto original = block.find("original-message-id");
      if (original != block.end() && mime::normalize_message_id(original->second) == message_id) {
        reports.mdn_blob_ids.push_back(blob_id(record.blob));
        break;
      }
    }
  }
}

json::object delivery_status(CallContext& context, const store::EmailSubmission& record,
                             const Reports& reports) {
  std::map<std::string, delivery::QueuedRecipient> queued;
  bool in_queue = false;
  const delivery::Services* delivery = context.services().delivery;
  if (!record.queue_id.empty() && delivery && delivery->outbound) {
    auto state = delivery->outbound->queued_recipients(record.queue_id);
    if (state) {
      in_queue = true;
      for (delivery::QueuedRecipient& r : *state) queued[key_of(r.address)] = std::move(r);
    }
  }
  json::object out;
  for (const store::SubmissionAddress& r : record.rcpt_to) {
    std::string key = key_of(r.email);
    std::string_view delivered = "unknown";
    std::string reply;
    switch (r.route) {
      case store::SubmissionRoute::local:
        delivered = "yes";
        reply = "250 2.0.0 delivered";
        break;
      case store::SubmissionRoute::dropped:
        reply = "250 2.0.0 not sent: dropped by the submission policy";
        break;
      case store::SubmissionRoute::remote:
        if (auto failed = reports.failed.find(key); failed != reports.failed.end()) {
          delivered = "no";
          reply = "550 " + failed->second + " delivery failed";
        } else if (auto q = queued.find(key); in_queue && q != queued.end()) {
          const delivery::QueuedRecipient& s = q->second;
          delivered = s.state == delivery::QueuedState::sent     ? "yes"
                      : s.state == delivery::QueuedState::failed ? "no"
                                                                 : "queued";
          reply = s.diagnostic.empty() ? "250 2.0.0 queued" : s.diagnostic;
        } else {
          // Gone from the queue without a bounce naming it: delivered.
          delivered = "yes";
          reply = "250 2.0.0 delivered";
        }
        break;
    }
    auto shown = reports.displayed.find(key);
    out[r.email] = json::object{
        {"smtpReply", reply},
        {"delivered", delivered},
        {"displayed", shown != reports.displayed.end() && shown->second ? "yes" : "unknown"}};
  }
  return out;
}

}  // namespace

std::string submission_object_id(uint64_t id) {
  return "S" + std::to_string(id);
}

std::optional<uint64_t> parse_submission_object_id(std::string_view id) {
  if (id.size() < 2 || id.front() != 'S' || id[1] == '0') return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), value);
  if (ec != std::errc() || end != id.data() + id.size()) return std::nullopt;
  return value;
}

std::string account_identity_id(const CallContext& context) {
  return "I" + std::to_string(context.account().id.value());
}

json::object submission_json(CallContext& context, const store::EmailSubmission& record,
                             const GetArguments& get) {
  json::object out{{"id", submission_object_id(record.id)}};
  if (wants(get, "identityId")) out["identityId"] = record.identity_id;
  if (wants(get, "emailId")) out["emailId"] = record.email_id;
  if (wants(get, "threadId")) out["threadId"] = record.thread_id;
  if (wants(get, "envelope")) {
    json::array rcpt;
    for (const store::SubmissionAddress& r : record.rcpt_to) rcpt.push_back(address_json(r));
    out["envelope"] =
        json::object{{"mailFrom", address_json(record.mail_from)}, {"rcptTo", std::move(rcpt)}};
  }
  if (wants(get, "sendAt")) out["sendAt"] = format_utc_date(record.send_at);
  // Sent at once (maxDelayedSend 0): never pending, never canceled.
  if (wants(get, "undoStatus")) out["undoStatus"] = "final";
  bool want_status = wants(get, "deliveryStatus");
  bool want_dsn = wants(get, "dsnBlobIds");
  bool want_mdn = wants(get, "mdnBlobIds");
  if (!want_status && !want_dsn && !want_mdn) return out;
  Reports reports;
  if (want_status || want_dsn) find_dsns(context, record.queue_id, reports);
  if (want_status || want_mdn) find_mdns(context, record.message_id, reports);
  if (want_status) out["deliveryStatus"] = delivery_status(context, record, reports);
  auto ids = [](const std::vector<std::string>& list) {
    json::array a;
    for (const std::string& s : list) a.emplace_back(s);
    return a;
  };
  if (want_dsn) out["dsnBlobIds"] = ids(reports.dsn_blob_ids);
  if (want_mdn) out["mdnBlobIds"] = ids(reports.mdn_blob_ids);
  return out;
}

}  // namespace postamt::jmap
