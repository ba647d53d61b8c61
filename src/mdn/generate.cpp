#include "mdn/generate.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "mime/address.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "model/address.h"

namespace postamt::mdn {
namespace {

constexpr size_t kMaxSubjectBytes = 200;
constexpr size_t kFoldColumn = 78;  // RFC 5322 §2.1.1 SHOULD

Error invalid(std::string message) {
  return Error(ErrorKind::invalid, std::move(message));
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one (overlong forms,
// surrogates and values above U+10FFFF included).
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  size_t n = 0;
  uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    return 0;
  }
  return n;
}

bool is_plain_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  // A literal "=?" would be read back as the start of an encoded word.
  return s.find("=?") == std::string_view::npos;
}

// Folds "Name: value" at spaces so that lines stay within kFoldColumn where a space
// allows it (RFC 5322 §2.2.3). The value holds no CR or LF.
std::string fold_field(std::string_view name, std::string_view value) {
  std::string out = std::string(name) + ":";
  size_t column = out.size();
  for (std::string_view word : split(value, ' ')) {
    if (column + 1 + word.size() > kFoldColumn && column > name.size() + 1) {
      out += "\r\n";
      column = 0;
    }
    out += ' ';
    out += word;
    column += 1 + word.size();
  }
  out += "\r\n";
  return out;
}

std::string subject_value(DispositionType type, std::string_view original_subject) {
  const std::string text = sanitise_line(original_subject, kMaxSubjectBytes);
  const std::string prefix = fmt::format("Read receipt ({}):", to_string(type));
  if (text.empty()) return prefix.substr(0, prefix.size() - 1);
  if (is_plain_ascii(text)) return prefix + " " + text;
  return prefix + " " + mime::encode_words_utf8(text);
}

std::string human_text(const Request& request, DispositionType type, std::string_view recipient) {
  std::string text =
      fmt::format("This is a receipt for the message you sent to {}.\n\n", recipient);
  const std::string subject = sanitise_line(request.subject, kMaxSubjectBytes);
  if (!subject.empty()) text += fmt::format("Subject: {}\n", subject);
  if (!request.message_id.empty()) text += fmt::format("Message-ID: {}\n", request.message_id);
  text += '\n';
  switch (type) {
    case DispositionType::displayed:
      text +=
          "The message was handed to the recipient's mail program to be displayed. This is "
          "no guarantee that it has been read or understood.\n";
      break;
    case DispositionType::dispatched:
      text +=
          "The recipient's mail program downloaded the message. The recipient may or may "
          "not see it later.\n";
      break;
    case DispositionType::processed:
      text += "The message was processed without being displayed to the recipient.\n";
      break;
    case DispositionType::deleted:
      text += "The message was deleted. The recipient may or may not have seen it.\n";
      break;
  }
  return text;
}

// RFC 8098 §3.2: the fields of the report part itself, which extension fields may not
// name (§3.3).
constexpr std::string_view kReportFields[] = {
    "Reporting-UA", "MDN-Gateway", "Original-Recipient", "Final-Recipient", "Original-Message-ID",
    "Disposition",  "Error"};

constexpr size_t kMaxFieldValueBytes = 998;  // RFC 5322 §2.1.1 line limit

bool is_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == ':') return false;  // RFC 5322 §3.6.8 ftext
  }
  return true;
}

bool is_field_text(std::string_view value) {
  if (value.size() > kMaxFieldValueBytes) return false;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) return false;
  }
  return true;
}

}  // namespace

std::string format_disposition(const Disposition& disposition) {
  return fmt::format(
      "{}/{}; {}",
      disposition.action_mode == ActionMode::manual ? "manual-action" : "automatic-action",
      disposition.sending_mode == SendingMode::manual ? "MDN-sent-manually"
                                                      : "MDN-sent-automatically",
      to_string(disposition.type));
}

std::string_view to_string(DispositionType type) {
  switch (type) {
    case DispositionType::displayed:
      return "displayed";
    case DispositionType::dispatched:
      return "dispatched";
    case DispositionType::processed:
      return "processed";
    case DispositionType::deleted:
      return "deleted";
  }
  return "displayed";
}

std::optional<DispositionType> parse_disposition_type(std::string_view word) {
  for (DispositionType t : {DispositionType::displayed, DispositionType::dispatched,
                            DispositionType::processed, DispositionType::deleted}) {
    if (iequals(word, to_string(t))) return t;
  }
  return std::nullopt;
}

std::string sanitise_line(std::string_view bytes, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < bytes.size()) {
    const size_t n = utf8_sequence(bytes, i);
    std::string replacement;
    if (n == 0) {
      replacement = "\xEF\xBF\xBD";  // U+FFFD
      i += 1;
    } else if (n == 1) {
      const auto c = static_cast<unsigned char>(bytes[i]);
      replacement.assign(1, (c < 0x20 || c == 0x7F) ? ' ' : bytes[i]);
      i += 1;
    } else {
      replacement.assign(bytes.substr(i, n));
      i += n;
    }
    if (out.size() + replacement.size() > max_bytes) break;
    out += replacement;
  }
  return std::string(trim(out));
}

Result<GeneratedMdn> generate_mdn(const Request& request, const GenerateOptions& options,
                                  const mime::RandomSource& random) {
  // RFC 8098 §2.1: without a matching Return-Path the user must be asked, and the
  // server cannot ask anyone.
  if (!request.automatic_receipt_allowed() || !request.requester) {
    return invalid(fmt::format("no automatic receipt allowed ({})", to_string(request.reason)));
  }
  auto host = normalize_domain(options.reporting_host);
  if (!host) return invalid("reporting host is not a host name");
  auto recipient = mime::parse_addr_spec_strict(options.recipient_address);
  if (!recipient) return invalid("recipient address is not a valid address");
  mime::Mailbox to_mailbox;
  to_mailbox.local_part = request.requester->local_part;
  to_mailbox.domain = request.requester->domain;
  auto to = mime::format_mailbox(to_mailbox);
  if (!to) return to.error();
  auto from = mime::format_mailbox(*recipient);
  if (!from) return from.error();

  std::string original_recipient = request.original_recipient;
  if (original_recipient.empty() && !options.orcpt.empty()) {
    original_recipient = normalise_original_recipient(options.orcpt);
  }

  mime::ReportSpec spec;
  spec.report_type = "disposition-notification";
  spec.machine_type = "message/disposition-notification";
  spec.human_text = human_text(request, options.disposition, *from);
  std::vector<mime::ReportField> fields;
  fields.push_back({"Reporting-UA", fmt::format("{}; Postamt", *host)});
  if (!original_recipient.empty()) fields.push_back({"Original-Recipient", original_recipient});
  fields.push_back({"Final-Recipient", "rfc822; " + recipient->addr_spec()});
  // RFC 8098 §3.2.5: present iff the original had a Message-ID.
  if (!request.message_id.empty()) fields.push_back({"Original-Message-ID", request.message_id});
  fields.push_back({"Disposition", fmt::format("automatic-action/MDN-sent-automatically; {}",
                                               to_string(options.disposition))});
  spec.machine_groups.push_back(std::move(fields));
  auto report = mime::build_report(spec, random);
  if (!report) return report.error();

  GeneratedMdn mdn;
  mdn.envelope_recipient = to_mailbox.addr_spec();
  // Two statements: the order of evaluation of function arguments is unspecified.
  const uint32_t high = random();
  const uint32_t low = random();
  mdn.message_id = fmt::format("<{:08x}{:08x}.{}@{}>", high, low, options.now_utc_seconds, *host);
  std::string& m = mdn.message;
  m += fmt::format("From: {}\r\n", *from);
  m += fmt::format("To: {}\r\n", *to);
  m += fold_field("Subject", subject_value(options.disposition, request.subject));
  m += fmt::format("Date: {}\r\n", mime::format_rfc5322_date({options.now_utc_seconds, 0}));
  m += fmt::format("Message-ID: {}\r\n", mdn.message_id);
  m += "MIME-Version: 1.0\r\n";
  // RFC 3834 §5: a receipt is an automatic response; it must not trigger more of them.
  m += "Auto-Submitted: auto-replied\r\n";
  m += fold_field("Content-Type", report->content_type);
  m += "\r\n";
  m += report->body;
  return mdn;
}

Result<ComposedMdn> compose_mdn(const Request& request, std::string_view original,
                                const ComposeOptions& options, const mime::RandomSource& random) {
  // RFC 8098 §2.1: the caller answers a request that allows no receipt; never build one.
  if (!request.automatic_receipt_allowed() || !request.requester) {
    return invalid(fmt::format("no receipt allowed ({})", to_string(request.reason)));
  }
  auto host = normalize_domain(options.reporting_host);
  if (!host) return invalid("reporting host is not a host name");
  auto account = mime::parse_addr_spec_strict(options.recipient_address);
  if (!account) return invalid("recipient address is not a valid address");
  auto final_recipient = options.final_recipient.empty()
                             ? account
                             : mime::parse_addr_spec_strict(options.final_recipient);
  if (!final_recipient) return invalid("finalRecipient is not a valid address");
  mime::Mailbox to_mailbox;
  to_mailbox.local_part = request.requester->local_part;
  to_mailbox.domain = request.requester->domain;
  auto to = mime::format_mailbox(to_mailbox);
  if (!to) return to.error();
  auto from = mime::format_mailbox(*account);
  if (!from) return from.error();

  ComposedMdn out;
  out.reporting_ua = options.reporting_ua.value_or(fmt::format("{}; Postamt", *host));
  if (out.reporting_ua.empty() || !is_field_text(out.reporting_ua))
    return invalid("reportingUA must be one line of printable text");
  for (const mime::ReportField& f : options.extension_fields) {
    if (!is_field_name(f.name)) return invalid("extension field name is not a field name");
    for (std::string_view own : kReportFields)
      if (iequals(f.name, own)) return invalid(fmt::format("{} is not an extension field", own));
    if (!is_field_text(f.value))
      return invalid(fmt::format("extension field {} must be one line of printable text", f.name));
  }
  out.final_recipient = "rfc822; " + final_recipient->addr_spec();
  out.original_recipient = request.original_recipient;
  out.original_message_id = request.message_id;
  const DispositionType type = options.disposition.type;
  if (options.subject) {
    out.subject = sanitise_line(*options.subject, kMaxSubjectBytes);
  } else {
    const std::string text = sanitise_line(request.subject, kMaxSubjectBytes);
    out.subject = fmt::format("Read receipt ({}):", to_string(type));
    if (text.empty())
      out.subject.pop_back();
    else
      out.subject += " " + text;
  }
  out.text_body = options.text_body.value_or(human_text(request, type, *from));

  mime::ReportSpec spec;
  spec.report_type = "disposition-notification";
  spec.machine_type = "message/disposition-notification";
  spec.human_text = out.text_body;
  std::vector<mime::ReportField> fields;
  fields.push_back({"Reporting-UA", out.reporting_ua});
  if (!out.original_recipient.empty())
    fields.push_back({"Original-Recipient", out.original_recipient});
  fields.push_back({"Final-Recipient", out.final_recipient});
  // RFC 8098 §3.2.5: present iff the original had a Message-ID.
  if (!out.original_message_id.empty())
    fields.push_back({"Original-Message-ID", out.original_message_id});
  fields.push_back({"Disposition", format_disposition(options.disposition)});
  for (const mime::ReportField& f : options.extension_fields) fields.push_back(f);
  spec.machine_groups.push_back(std::move(fields));
  if (options.include_original == IncludeOriginal::yes) {
    spec.original = mime::ReportOriginal::full_message;
    spec.original_content = std::string(original);
  }
  auto report = mime::build_report(spec, random);
  if (!report) return report.error();

  GeneratedMdn& mdn = out.mdn;
  mdn.envelope_recipient = to_mailbox.addr_spec();
  const uint32_t high = random();
  const uint32_t low = random();
  mdn.message_id = fmt::format("<{:08x}{:08x}.{}@{}>", high, low, options.now_utc_seconds, *host);
  std::string& m = mdn.message;
  m += fmt::format("From: {}\r\n", *from);
  m += fmt::format("To: {}\r\n", *to);
  m += fold_field("Subject",
                  is_plain_ascii(out.subject) ? out.subject : mime::encode_words_utf8(out.subject));
  m += fmt::format("Date: {}\r\n", mime::format_rfc5322_date({options.now_utc_seconds, 0}));
  m += fmt::format("Message-ID: {}\r\n", mdn.message_id);
  m += "MIME-Version: 1.0\r\n";
  // RFC 3834 §5: only a receipt sent without the user's action is an automatic response.
  if (options.disposition.sending_mode == SendingMode::automatic)
    m += "Auto-Submitted: auto-replied\r\n";
  m += fold_field("Content-Type", report->content_type);
  m += "\r\n";
  m += report->body;
  return out;
}

}  // namespace postamt::mdn
