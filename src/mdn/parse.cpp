#include "mdn/parse.h"

#include "base/strings.h"
#include "mime/charset.h"
#include "mime/content_type.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/message.h"
#include "mime/message_id.h"
#include "mime/transfer_encoding.h"

namespace postamt::mdn {
namespace {

Error invalid(std::string message) {
  return Error(ErrorKind::invalid, std::move(message));
}

// Removes RFC 5322 comments (nesting and quoted pairs honoured); an unterminated comment
// swallows the rest, which the grammar checks then reject.
std::string strip_comments(std::string_view value) {
  std::string out;
  int depth = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (depth > 0 && c == '\\') {
      ++i;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      out.push_back(c);
    }
  }
  return out;
}

// RFC 5321 atom characters, which is what disposition-modifier-extension uses.
bool is_atom(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127 ||
        std::string_view("()<>@,;:\\\".[]").find(c) != std::string_view::npos)
      return false;
  }
  return true;
}

bool is_disposition_notification(const mime::ContentType& type) {
  return type.type == "message" && type.subtype == "disposition-notification";
}

bool is_mdn_report(const mime::ContentType& type) {
  if (type.type != "multipart" || type.subtype != "report") return false;
  const std::string* report_type = type.param("report-type");
  return report_type != nullptr && iequals(*report_type, "disposition-notification");
}

// The single value of a field that may appear at most once; nullopt when absent.
Result<std::optional<std::string>> single(const mime::HeaderView& fields, std::string_view name) {
  const size_t n = fields.count(name);
  if (n > 1) return invalid(std::string(name) + " appears more than once");
  if (n == 0) return std::optional<std::string>();
  return std::optional<std::string>(*fields.value(name));
}

// RFC 5322 §3.6.4 "In-Reply-To:" / "References:" 1*msg-id CRLF: every msg-id of the
// (unfolded) value, normalised, in order; empty unless the whole value is such a list.
std::vector<std::string> msg_id_list(std::string_view value) {
  const std::string text = strip_comments(value);
  std::vector<std::string> ids;
  size_t i = 0;
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i == text.size()) return ids;
    const size_t close = text.find('>', i);
    if (text[i] != '<' || close == std::string::npos) return {};
    std::string id = mime::normalize_message_id(std::string_view(text).substr(i, close + 1 - i));
    if (id.empty()) return {};
    ids.push_back(std::move(id));
    i = close + 1;
  }
}

// The msg-ids of the one `name` field of a header; empty when absent or repeated.
std::vector<std::string> single_msg_id_list(const mime::HeaderView& header, std::string_view name) {
  if (header.count(name) != 1) return {};
  return msg_id_list(*header.value(name));
}

// The report part (RFC 8098 §3.1) of a multipart/report; report-type=
// disposition-notification, decoded; nullopt when there is none.
Result<std::string> notification_body(std::string_view message, const mime::Message& parsed) {
  const mime::Part& root = parsed.root();
  if (!is_mdn_report(root.content_type)) {
    return invalid("not a multipart/report; report-type=disposition-notification");
  }
  for (uint32_t index : parsed.children(root)) {
    const mime::Part& part = parsed.part(index);
    if (!is_disposition_notification(part.content_type)) continue;
    // RFC 8098 §3.1 wants 7bit, but a client may still have encoded the part.
    return mime::decode_body(message.substr(part.body_start, part.body_size()), part.encoding);
  }
  return invalid("no message/disposition-notification part");
}

constexpr size_t kMaxShownField = 998;     // RFC 5322 §2.1.1
constexpr size_t kMaxShownText = 1 << 20;  // what MDN/parse returns of the human part

// Like sanitise_line for each line, keeping the line breaks as LF.
std::string sanitise_text(std::string_view text) {
  std::string out;
  for (std::string_view line : split(text.substr(0, kMaxShownText), '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!out.empty()) out += '\n';
    out += sanitise_line(line, line.size() * 3);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::optional<std::string> shown_field(const mime::HeaderView& fields, std::string_view name) {
  if (fields.count(name) != 1) return std::nullopt;
  std::string value = sanitise_line(mime::unfold(*fields.value(name)), kMaxShownField);
  if (value.empty()) return std::nullopt;
  return value;
}

}  // namespace

Result<MdnReport> parse_mdn_report(std::string_view message) {
  const mime::Message parsed = mime::parse(message);
  auto body = notification_body(message, parsed);
  POSTAMT_TRY(body);
  const std::vector<mime::HeaderField> field_list = mime::scan_header_block(*body);
  const mime::HeaderView fields(*body, field_list);

  MdnReport report;
  auto final_recipient = single(fields, "Final-Recipient");
  POSTAMT_TRY(final_recipient);
  if (!final_recipient->has_value()) return invalid("Final-Recipient is missing");
  report.final_recipient = sanitise_line(mime::unfold(**final_recipient), kMaxShownField);
  if (report.final_recipient.find(';') == std::string::npos)
    return invalid("Final-Recipient has no address type");
  auto disposition = single(fields, "Disposition");
  POSTAMT_TRY(disposition);
  if (!disposition->has_value()) return invalid("Disposition is missing");
  auto parsed_disposition = parse_disposition(mime::unfold(**disposition));
  POSTAMT_TRY(parsed_disposition);
  report.disposition = std::move(*parsed_disposition);

  report.reporting_ua = shown_field(fields, "Reporting-UA");
  report.mdn_gateway = shown_field(fields, "MDN-Gateway");
  report.original_recipient = shown_field(fields, "Original-Recipient");
  if (fields.count("Original-Message-ID") == 1) {
    std::string id = mime::normalize_message_id(*fields.value("Original-Message-ID"));
    if (!id.empty()) report.original_message_id = std::move(id);
  }
  constexpr std::string_view kKnown[] = {
      "Reporting-UA", "MDN-Gateway", "Original-Recipient", "Final-Recipient", "Original-Message-ID",
      "Disposition",  "Error"};
  for (const mime::HeaderField& f : field_list) {
    const std::string_view name = f.name(*body);
    const std::string value = sanitise_line(mime::unfold(f.raw_value(*body)), kMaxShownField);
    if (iequals(name, "Error")) {
      report.errors.push_back(value);
      continue;
    }
    bool known = false;
    for (std::string_view k : kKnown) known = known || iequals(name, k);
    if (!known) report.extension_fields.emplace_back(sanitise_line(name, kMaxShownField), value);
  }

  const mime::Part& root = parsed.root();
  const mime::HeaderView header = parsed.header(root);
  if (header.count("Subject") == 1)
    report.subject =
        sanitise_line(mime::decode_unstructured(*header.value("Subject")), kMaxShownField);
  size_t children = 0;
  for (uint32_t index : parsed.children(root)) {
    ++children;
    const mime::Part& part = parsed.part(index);
    if (children == 1 && part.content_type.type == "text" && part.content_type.subtype == "plain") {
      const std::string raw =
          mime::decode_body(message.substr(part.body_start, part.body_size()), part.encoding);
      const std::string* charset = part.content_type.param("charset");
      auto text = mime::to_utf8(charset ? *charset : "us-ascii", raw);
      report.text_body = sanitise_text(text ? *text : raw);
    }
  }
  // RFC 8098 §3: the optional third part returns the original or its header.
  report.includes_original = children >= 3;
  return report;
}

bool is_mdn(std::string_view message) {
  const std::vector<mime::HeaderField> fields = mime::scan_header_block(message);
  auto value = mime::HeaderView(message, fields).value("Content-Type");
  if (!value) return false;
  auto type = mime::parse_content_type(*value);
  return type && is_mdn_report(*type);
}

Result<Disposition> parse_disposition(std::string_view value) {
  // disposition-mode OWS ";" OWS disposition-type [OWS "/" OWS modifier *("," modifier)]
  const std::string text = strip_comments(value);
  const size_t semi = text.find(';');
  if (semi == std::string::npos) return invalid("Disposition has no ';'");
  const std::string_view mode = std::string_view(text).substr(0, semi);
  const std::string_view rest = std::string_view(text).substr(semi + 1);
  const size_t mode_slash = mode.find('/');
  if (mode_slash == std::string_view::npos) return invalid("Disposition mode has no '/'");

  Disposition d;
  const std::string_view action = trim(mode.substr(0, mode_slash));
  const std::string_view sending = trim(mode.substr(mode_slash + 1));
  if (iequals(action, "manual-action")) {
    d.action_mode = ActionMode::manual;
  } else if (iequals(action, "automatic-action")) {
    d.action_mode = ActionMode::automatic;
  } else {
    return invalid("unknown Disposition action mode");
  }
  if (iequals(sending, "MDN-sent-manually")) {
    d.sending_mode = SendingMode::manual;
  } else if (iequals(sending, "MDN-sent-automatically")) {
    d.sending_mode = SendingMode::automatic;
  } else {
    return invalid("unknown Disposition sending mode");
  }

  const size_t type_slash = rest.find('/');
  const std::string_view type_word = trim(rest.substr(0, type_slash));
  auto type = parse_disposition_type(type_word);
  if (!type) return invalid("unknown Disposition type");
  d.type = *type;
  if (type_slash != std::string_view::npos) {
    for (std::string_view modifier : split(rest.substr(type_slash + 1), ',')) {
      modifier = trim(modifier);
      if (!is_atom(modifier)) return invalid("malformed Disposition modifier");
      d.modifiers.push_back(ascii_lower(modifier));
    }
  }
  return d;
}

Result<SubmittedMdn> parse_submitted_mdn(std::string_view message) {
  const mime::Message parsed = mime::parse(message);
  const mime::Part& root = parsed.root();
  auto notification = notification_body(message, parsed);
  POSTAMT_TRY(notification);
  const std::string& body = *notification;
  const std::vector<mime::HeaderField> field_list = mime::scan_header_block(body);
  const mime::HeaderView fields(body, field_list);

  SubmittedMdn mdn;
  auto final_recipient = single(fields, "Final-Recipient");
  if (!final_recipient) return final_recipient.error();
  if (!final_recipient->has_value()) return invalid("Final-Recipient is missing");
  const std::string& fr = **final_recipient;
  const size_t semi = fr.find(';');
  if (semi == std::string::npos || !iequals(trim(std::string_view(fr).substr(0, semi)), "rfc822")) {
    return invalid("Final-Recipient is not an rfc822 address");
  }
  auto mailbox = mime::parse_mailbox_strict(std::string_view(fr).substr(semi + 1));
  if (!mailbox) return invalid("Final-Recipient is not a valid address");
  mdn.final_recipient = mailbox->addr_spec();

  auto disposition = single(fields, "Disposition");
  if (!disposition) return disposition.error();
  if (!disposition->has_value()) return invalid("Disposition is missing");
  auto parsed_disposition = parse_disposition(**disposition);
  if (!parsed_disposition) return parsed_disposition.error();
  mdn.disposition = std::move(*parsed_disposition);

  auto original_id = single(fields, "Original-Message-ID");
  if (!original_id) return original_id.error();
  if (original_id->has_value()) {
    mdn.original_message_id = mime::normalize_message_id(**original_id);
    if (mdn.original_message_id.empty()) return invalid("Original-Message-ID is not a msg-id");
  }

  // RFC 8098 §3.2.3: with several Original-Recipient fields, act as if there were none.
  if (fields.count("Original-Recipient") == 1) {
    mdn.original_recipient = normalise_original_recipient(*fields.value("Original-Recipient"));
  }

  const mime::HeaderView header = parsed.header(root);
  const std::vector<std::string> in_reply_to = single_msg_id_list(header, "In-Reply-To");
  if (in_reply_to.size() == 1) mdn.in_reply_to = in_reply_to.front();
  const std::vector<std::string> references = single_msg_id_list(header, "References");
  if (!references.empty()) mdn.references_last = references.back();
  return mdn;
}

}  // namespace postamt::mdn
