#include "vacation/rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "base/base64.h"
#include "base/strings.h"
#include "mime/address.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/message_id.h"

namespace postamt::vacation {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trimmed_token(std::string_view value) {
  // The first token of a value such as "auto-replied; owner-email=..." or "bulk".
  std::string v = lower(mime::unfold(value));
  size_t end = v.find_first_of("; \t(");
  return v.substr(0, end);
}

bool is_daemon_address(std::string_view address) {
  std::string local = lower(address.substr(0, address.rfind('@')));
  static constexpr std::array kDaemons = {"mailer-daemon", "listserv", "majordomo"};
  for (std::string_view d : kDaemons)
    if (local == d) return true;
  return local.starts_with("owner-") || local.ends_with("-request");
}

bool has_any(const mime::HeaderView& header, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return header.find_first(n) != nullptr; });
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Printable text for Subject: control characters become spaces; non-ASCII as RFC 2047
// words (RFC 5230 §4.3: "if and only if non-ASCII characters are present").
std::string subject_value(std::string_view utf8) {
  std::string safe = mime::header_safe_text(utf8);
  return is_ascii(safe) ? safe : mime::encode_words_utf8(safe);
}

// msg-ids separated by folding white space, each line under 78 octets where possible.
std::string id_list_field(std::string_view name, const std::vector<std::string>& ids) {
  std::string out(name);
  out += ":";
  size_t line = out.size();
  for (const std::string& id : ids) {
    if (line + 1 + id.size() > 78 && line > name.size() + 1) {
      out += "\r\n";
      line = 0;
    }
    out += " ";
    out += id;
    line += 1 + id.size();
  }
  return out + "\r\n";
}

std::string with_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (!out.ends_with("\r\n")) out += "\r\n";
  return out;
}

bool seven_bit_clean(std::string_view crlf_text) {
  size_t line = 0;
  for (char c : crlf_text) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0 || u >= 0x80) return false;
    line = c == '\n' ? 0 : line + 1;
    if (line > 998) return false;
  }
  return true;
}

std::string base64_lines(std::string_view bytes) {
  std::string encoded = base64::encode(bytes);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) {
    out += encoded.substr(i, 76);
    out += "\r\n";
  }
  return out;
}

// One text part: its header fields and body.
std::string text_part(std::string_view subtype, std::string_view text) {
  std::string body = with_crlf(text);
  std::string out = fmt::format("Content-Type: text/{}; charset=utf-8\r\n", subtype);
  if (seven_bit_clean(body)) return out + "Content-Transfer-Encoding: 7bit\r\n\r\n" + body;
  return out + "Content-Transfer-Encoding: base64\r\n\r\n" + base64_lines(body);
}

}  // namespace

std::string_view to_string(Screen screen) {
  switch (screen) {
    case Screen::answer:
      return "answer";
    case Screen::null_sender:
      return "null sender";
    case Screen::daemon_sender:
      return "sender is a daemon or list address";
    case Screen::auto_submitted:
      return "auto-submitted";
    case Screen::mailing_list:
      return "mailing list";
    case Screen::bulk_precedence:
      return "bulk precedence";
  }
  return "?";
}

Screen screen_message(std::string_view envelope_sender, const mime::HeaderView& header) {
  if (envelope_sender.empty()) return Screen::null_sender;
  if (is_daemon_address(envelope_sender)) return Screen::daemon_sender;
  for (const mime::HeaderField* f : header.find_all("Auto-Submitted"))
    if (trimmed_token(f->raw_value(header.buffer())) != "no") return Screen::auto_submitted;
  if (has_any(header, {"List-Id", "List-Help", "List-Subscribe", "List-Unsubscribe", "List-Post",
                       "List-Owner", "List-Archive"}))
    return Screen::mailing_list;
  for (const mime::HeaderField* f : header.find_all("Precedence")) {
    std::string p = trimmed_token(f->raw_value(header.buffer()));
    if (p == "bulk" || p == "list" || p == "junk") return Screen::bulk_precedence;
  }
  return Screen::answer;
}

std::vector<std::string> addressed_to(const mime::HeaderView& header) {
  std::vector<std::string> out;
  for (const mime::HeaderField& f : header.fields()) {
    std::string name = lower(f.name(header.buffer()));
    if (name != "to" && name != "cc" && name != "bcc" && name != "resent-to" &&
        name != "resent-cc" && name != "resent-bcc")
      continue;
    for (const mime::Address& a :
         mime::parse_address_list(mime::unfold(f.raw_value(header.buffer())))) {
      if (const auto* m = std::get_if<mime::Mailbox>(&a))
        out.push_back(m->addr_spec());
      else
        for (const mime::Mailbox& member : std::get<mime::Group>(a).members)
          out.push_back(member.addr_spec());
    }
  }
  return out;
}

std::string build_reply(const ReplySpec& spec, const mime::HeaderView& original) {
  std::string subject;
  if (spec.settings.subject && !spec.settings.subject->empty()) {
    subject = *spec.settings.subject;
  } else if (auto raw = original.find_first("Subject")) {
    subject = "Auto: " + mime::decode_unstructured(raw->raw_value(original.buffer()));
  } else {
    subject = "Automated reply";  // RFC 5230 §5.3
  }
  std::string out;
  out += "From: <" + mime::header_safe_text(spec.from) + ">\r\n";
  out += "To: <" + mime::header_safe_text(spec.to) + ">\r\n";
  out += "Subject: " + subject_value(subject) + "\r\n";
  out += "Date: " + mime::format_rfc5322_date({spec.now, 0}) + "\r\n";
  out += "Message-ID: " + spec.message_id + "\r\n";
  // RFC 5230 §5.8; RFC 5322 §3.6.4 for References.
  std::string original_id = mime::message_id_of(original);
  if (!original_id.empty()) {
    out += "In-Reply-To: " + original_id + "\r\n";
    std::vector<std::string> refs;
    std::string parents = mime::thread_references(original);
    for (size_t i = 0; i < parents.size();) {
      size_t end = parents.find(' ', i);
      if (end == std::string::npos) end = parents.size();
      refs.push_back(parents.substr(i, end - i));
      i = end + 1;
    }
    refs.push_back(original_id);
    out += id_list_field("References", refs);
  }
  out += "Auto-Submitted: auto-replied\r\n";  // RFC 5230 §5.6, RFC 3834 §5
  out += "MIME-Version: 1.0\r\n";
  const Settings& s = spec.settings;
  std::string text = s.text_body   ? *s.text_body
                     : s.html_body ? std::string()
                                   : std::string(kDefaultReplyText);
  if (!s.html_body) return out + text_part("plain", text);
  // RFC 2046 §5.1.4: the plainer alternative first.
  std::string boundary = "=_vacation_" + spec.message_id.substr(1, spec.message_id.find('@') - 1);
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n" + text_part("plain", text);
  out += "--" + boundary + "\r\n" + text_part("html", *s.html_body);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace postamt::vacation
