#include "jmap/engine/submission_send.h"

#include <chrono>
#include <set>
#include <variant>

#include <fmt/format.h>

#include "base/log.h"
#include "delivery/message_log.h"
#include "delivery/transaction.h"
#include "jmap/engine/set_response.h"
#include "mail/senders.h"
#include "mime/address.h"
#include "mime/date.h"
#include "mime/header.h"
#include "model/address.h"

namespace postamt::jmap {
namespace {

constexpr std::string_view kLog = "jmap";

std::vector<mime::Mailbox> mailboxes_of(const mime::HeaderView& header, std::string_view name) {
  std::vector<mime::Mailbox> out;
  for (const mime::HeaderField* field : header.find_all(name)) {
    for (const mime::Address& a : mime::parse_address_list(field->raw_value(header.buffer()))) {
      if (const auto* m = std::get_if<mime::Mailbox>(&a)) {
        out.push_back(*m);
      } else {
        for (const mime::Mailbox& member : std::get<mime::Group>(a).members) out.push_back(member);
      }
    }
  }
  return out;
}

// RFC 5321 §4.4: the trace field of the submission (the SMTP path adds its own).
std::string received_field(const CallContext& context) {
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return fmt::format("Received: by {} (Postamt JMAP, authenticated user {})\r\n\twith HTTP; {}\r\n",
                     mime::header_safe_text(context.services().hostname),
                     mime::header_safe_text(context.account().address),
                     mime::format_rfc5322_date(mime::DateTime{now, 0}));
}

json::object recipients_error(std::string_view type, std::string_view description,
                              const std::vector<std::string>& invalid) {
  json::object error = set_error_json(type, description);
  json::array list;
  for (const std::string& a : invalid) list.emplace_back(a);
  error["invalidRecipients"] = std::move(list);
  return error;
}

}  // namespace

std::optional<Envelope> derive_envelope(std::string_view message) {
  size_t end = 0;
  std::vector<mime::HeaderField> fields = mime::scan_header_block(message, &end);
  mime::HeaderView header(message, fields);
  std::vector<mime::Mailbox> from = mailboxes_of(header, "Sender");
  if (from.empty()) from = mailboxes_of(header, "From");
  if (from.empty()) return std::nullopt;
  Envelope envelope;
  envelope.mail_from = {from.front().addr_spec(), "null", store::SubmissionRoute::remote};
  std::set<std::string> seen;
  for (std::string_view name : {"To", "Cc", "Bcc"}) {
    for (const mime::Mailbox& m : mailboxes_of(header, name)) {
      std::string address = m.addr_spec();
      auto normal = address_key(address);
      std::string key = normal ? *normal : address;
      if (seen.insert(key).second)
        envelope.rcpt_to.push_back({address, "null", store::SubmissionRoute::remote});
    }
  }
  return envelope;
}

std::string without_bcc(std::string_view message) {
  size_t end = 0;
  std::vector<mime::HeaderField> fields = mime::scan_header_block(message, &end);
  std::string out;
  out.reserve(message.size());
  size_t at = 0;
  for (const mime::HeaderField& f : fields) {
    if (mime::HeaderView(message, std::span(&f, 1)).find_first("Bcc")) {
      out.append(message.substr(at, f.start - at));
      at = f.end;
    }
  }
  out.append(message.substr(at));
  return out;
}

std::optional<json::object> send_message(CallContext& context, std::string_view message,
                                         const Envelope& envelope, SendOutcome& outcome) {
  store::Store& store = context.store();
  const std::string& user = context.account().address;
  const delivery::Services* delivery = context.services().delivery;
  if (!delivery) return set_error_json("forbiddenToSend", "this server does not send mail");

  // RFC 8621 §7.5 forbiddenMailFrom: the envelope sender must be one of the account's
  // addresses ("" is the null reverse path of a read receipt, RFC 8098 §3).
  if (!envelope.mail_from.email.empty()) {
    auto owned = mail::owns_address(store, user, envelope.mail_from.email);
    if (!owned) return set_error_json("serverFail", "try again later");
    if (!*owned)
      return set_error_json(
          "forbiddenMailFrom",
          fmt::format("{} is not an address of {}", envelope.mail_from.email, user), {"envelope"});
  }
  // forbiddenFrom: every originator header address, as SMTP submission checks it.
  auto refusal = mail::check_originators(store, user, message);
  if (!refusal) return set_error_json("serverFail", "try again later");
  if (*refusal) return set_error_json("forbiddenFrom", **refusal);

  if (envelope.rcpt_to.empty()) return set_error_json("noRecipients", "no recipients");
  const delivery::Limits limits;
  if (envelope.rcpt_to.size() > limits.max_recipients)
    return set_error_json("tooManyRecipients",
                          fmt::format("at most {} recipients", limits.max_recipients));
  std::vector<std::string> invalid, recipients;
  for (const store::SubmissionAddress& r : envelope.rcpt_to) {
    if (!mime::parse_addr_spec_strict(r.email))
      invalid.push_back(r.email);
    else
      recipients.push_back(r.email);
  }
  if (!invalid.empty())
    return recipients_error("invalidRecipients", "malformed addresses", invalid);

  const std::string sent = without_bcc(message);
  outcome.rcpt_to = envelope.rcpt_to;
  if (delivery::SubmissionCheck* check = context.services().submission_check) {
    delivery::Submission submission{user, envelope.mail_from.email, &recipients, sent};
    auto decision = check->check(submission);
    if (!decision) {
      log::warning(kLog, "submission check for <{}> failed: {}", user, decision.error().message);
      return set_error_json("serverFail", "try again later");
    }
    if (decision->verdict == delivery::SubmissionVerdict::reject)
      return set_error_json("forbiddenToSend", decision->text);
    if (decision->verdict == delivery::SubmissionVerdict::drop) {
      log::info(kLog, "submission by <{}>: from=<{}>, nrcpt={}, status=dropped (nothing delivered)",
                user, envelope.mail_from.email, recipients.size());
      for (store::SubmissionAddress& r : outcome.rcpt_to) r.route = store::SubmissionRoute::dropped;
      return std::nullopt;
    }
  }

  delivery::Transaction transaction(*delivery, envelope.mail_from.email, limits);
  for (size_t i = 0; i < recipients.size(); ++i) {
    auto added = transaction.add_recipient(recipients[i]);
    if (!added) {
      switch (added.error().kind) {
        case ErrorKind::not_found:
        case ErrorKind::invalid:
          invalid.push_back(recipients[i]);
          continue;
        case ErrorKind::limit:
          return set_error_json("tooManyRecipients", added.error().message);
        case ErrorKind::permission:
          return set_error_json("forbiddenToSend", added.error().message);
        default:
          return set_error_json("serverFail", "try again later");
      }
    }
    outcome.rcpt_to[i].route =
        added->remote.empty() ? store::SubmissionRoute::local : store::SubmissionRoute::remote;
  }
  if (!invalid.empty())
    return recipients_error("invalidRecipients", "no such local recipients", invalid);
  transaction.set_body(received_field(context) + sent);
  auto committed = transaction.commit();
  if (!committed) {
    log::warning(kLog, "submission by <{}> failed: {}", user, committed.error().message);
    if (committed.error().kind == ErrorKind::over_quota)
      return set_error_json("overQuota", committed.error().message);
    if (committed.error().kind == ErrorKind::limit)
      return set_error_json("tooLarge", committed.error().message);
    return set_error_json("serverFail", "try again later");
  }
  outcome.queue_id = committed->queue_id;
  log::message(log::Level::info, kLog, committed->id, "submission by <{}>", user);
  delivery::log_committed(transaction, *committed);
  return std::nullopt;
}

}  // namespace postamt::jmap
