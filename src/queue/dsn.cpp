#include "queue/dsn.h"

#include <fmt/format.h>

#include "mime/date.h"

namespace postamt::queue {
namespace {

std::string rfc5322_date(TimePoint t) {
  return mime::format_rfc5322_date({to_unix(t), 0});
}

std::string_view action_name(DsnAction a) {
  switch (a) {
    case DsnAction::failed:
      return "failed";
    case DsnAction::relayed:
      return "relayed";
    case DsnAction::delayed:
      return "delayed";
  }
  return "failed";
}

bool starts_with_reply_code(std::string_view s) {
  return s.size() >= 3 && s[0] >= '2' && s[0] <= '5' && isdigit(static_cast<unsigned char>(s[1])) &&
         isdigit(static_cast<unsigned char>(s[2])) && (s.size() == 3 || s[3] == ' ');
}

// "rfc822;bob@x" as kept for ORCPT -> "rfc822; bob@x" (RFC 3464 §2.3.1 address-type ";"
// generic-address).
std::string orcpt_field(std::string_view orcpt) {
  size_t semi = orcpt.find(';');
  if (semi == std::string_view::npos) return fmt::format("rfc822; {}", orcpt);
  return fmt::format("{}; {}", orcpt.substr(0, semi), orcpt.substr(semi + 1));
}

std::string header_part(std::string_view body) {
  size_t end = body.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::string(body);
  return std::string(body.substr(0, end + 2));
}

}  // namespace

Result<delivery::OutboundMessage> build_dsn(const QueuedMessage& m,
                                            const std::vector<DsnRecipient>& recipients,
                                            const DsnOptions& options,
                                            const mime::RandomSource& random) {
  if (m.message.envelope_sender.empty())
    return Error{ErrorKind::invalid, "a message with a null sender never gets a DSN"};
  if (recipients.empty()) return Error{ErrorKind::invalid, "a DSN needs at least one recipient"};

  mime::ReportSpec spec;
  spec.report_type = "delivery-status";
  spec.machine_type = "message/delivery-status";

  std::vector<mime::ReportField> per_message;
  per_message.push_back({"Reporting-MTA", fmt::format("dns; {}", options.reporting_mta)});
  if (!m.message.envid.empty()) per_message.push_back({"Original-Envelope-Id", m.message.envid});
  per_message.push_back({"Arrival-Date", rfc5322_date(m.arrival)});
  spec.machine_groups.push_back(std::move(per_message));

  bool any_failed = false;
  std::string human;
  for (const DsnRecipient& dr : recipients) {
    if (dr.index >= m.message.recipients.size())
      return Error{ErrorKind::invalid, "DSN recipient out of range"};
    const delivery::OutboundRecipient& r = m.message.recipients[dr.index];
    const RecipientStatus& s = m.status[dr.index];
    std::vector<mime::ReportField> group;
    if (!r.orcpt.empty()) group.push_back({"Original-Recipient", orcpt_field(r.orcpt)});
    group.push_back({"Final-Recipient", fmt::format("rfc822; {}", r.address)});
    group.push_back({"Action", std::string(action_name(dr.action))});
    std::string status = s.status;
    if (status.empty()) status = dr.action == DsnAction::failed ? "5.0.0" : "2.0.0";
    group.push_back({"Status", status});
    if (!s.remote_mta.empty())
      group.push_back({"Remote-MTA", fmt::format("dns; {}", s.remote_mta)});
    if (!s.diagnostic.empty()) {
      // RFC 3464 §2.3.6: "smtp" only for what an SMTP server replied.
      if (starts_with_reply_code(s.diagnostic))
        group.push_back({"Diagnostic-Code", fmt::format("smtp; {}", s.diagnostic)});
      else
        group.push_back({"Diagnostic-Code", fmt::format("X-Postamt; {}", s.diagnostic)});
    }
    group.push_back({"Last-Attempt-Date", rfc5322_date(options.now)});
    if (dr.action == DsnAction::delayed && options.will_retry_until)
      group.push_back({"Will-Retry-Until", rfc5322_date(*options.will_retry_until)});
    spec.machine_groups.push_back(std::move(group));

    if (dr.action == DsnAction::failed) any_failed = true;
    human += fmt::format("<{}>: {}\r\n", r.address,
                         dr.action == DsnAction::failed    ? "delivery failed"
                         : dr.action == DsnAction::relayed ? "relayed to a server that does not "
                                                             "send delivery notifications"
                                                           : "delivery delayed, still trying");
    if (!s.diagnostic.empty()) human += fmt::format("    {}\r\n", s.diagnostic);
  }
  spec.human_text =
      fmt::format("This is the mail system at host {}.\r\n\r\n{}\r\n{}", options.reporting_mta,
                  any_failed ? "Your message could not be delivered to one or more recipients.\r\n"
                             : "This is a notice about your message; no action is required.\r\n",
                  human);

  switch (m.message.ret) {
    case delivery::Ret::headers:
      spec.original = mime::ReportOriginal::headers;
      spec.original_content = header_part(m.message.body);
      break;
    case delivery::Ret::full:
      spec.original = mime::ReportOriginal::full_message;
      spec.original_content = m.message.body;
      break;
    case delivery::Ret::unspecified:
      if (m.message.body.size() <= options.max_returned_body) {
        spec.original = mime::ReportOriginal::full_message;
        spec.original_content = m.message.body;
      } else {
        spec.original = mime::ReportOriginal::headers;
        spec.original_content = header_part(m.message.body);
      }
      break;
  }

  auto report = mime::build_report(spec, random);
  POSTAMT_TRY(report);

  for (char c : m.message.envelope_sender + options.reporting_mta)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return Error{ErrorKind::invalid, "control character in a DSN header"};
  bool any_delayed = false;
  for (const DsnRecipient& dr : recipients)
    any_delayed = any_delayed || dr.action == DsnAction::delayed;
  std::string_view subject = "Delivery Status Notification";
  if (any_failed)
    subject = "Undelivered Mail Returned to Sender";
  else if (any_delayed)
    subject = "Delayed Mail (still being retried)";
  delivery::OutboundMessage dsn;
  dsn.envelope_sender = "";
  delivery::OutboundRecipient to;
  to.address = m.message.envelope_sender;
  to.notify = delivery::Notify{true, false, false, false};
  dsn.recipients.push_back(std::move(to));
  dsn.body = fmt::format(
      "From: Mail Delivery System <MAILER-DAEMON@{host}>\r\n"
      "To: <{to}>\r\n"
      "Subject: {subject}\r\n"
      "Date: {date}\r\n"
      "Message-ID: <{id}.{time}@{host}>\r\n"
      "Auto-Submitted: auto-replied\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: {type}\r\n"
      "\r\n"
      "{body}",
      fmt::arg("host", options.reporting_mta), fmt::arg("to", m.message.envelope_sender),
      fmt::arg("subject", subject), fmt::arg("date", rfc5322_date(options.now)),
      fmt::arg("id", m.id), fmt::arg("time", to_unix(options.now)),
      fmt::arg("type", report->content_type), fmt::arg("body", report->body));
  return dsn;
}

}  // namespace postamt::queue
