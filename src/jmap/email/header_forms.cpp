#include "jmap/email/header_forms.h"

#include <array>
#include <cstdio>

#include "base/strings.h"
#include "mail/unicode_text.h"
#include "mime/address.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/message_id.h"

namespace postamt::jmap {

namespace {

using Form = HeaderProperty::Form;

constexpr std::string_view kPrefix = "header:";

// RFC 5322 §3.6 and RFC 2369 §3: the fields whose forms §4.1.2 restricts.
constexpr std::array<std::string_view, 28> kDefinedFields = {"date",
                                                             "from",
                                                             "sender",
                                                             "reply-to",
                                                             "to",
                                                             "cc",
                                                             "bcc",
                                                             "message-id",
                                                             "in-reply-to",
                                                             "references",
                                                             "subject",
                                                             "comments",
                                                             "keywords",
                                                             "resent-date",
                                                             "resent-from",
                                                             "resent-sender",
                                                             "resent-to",
                                                             "resent-cc",
                                                             "resent-bcc",
                                                             "resent-message-id",
                                                             "return-path",
                                                             "received",
                                                             "list-help",
                                                             "list-unsubscribe",
                                                             "list-subscribe",
                                                             "list-post",
                                                             "list-owner",
                                                             "list-archive"};

bool in_list(std::string_view name, std::initializer_list<std::string_view> list) {
  for (std::string_view item : list)
    if (iequals(name, item)) return true;
  return false;
}

bool is_defined_field(std::string_view name) {
  for (std::string_view f : kDefinedFields)
    if (iequals(name, f)) return true;
  // §4.1.2.3 lists Resent-Reply-To among the address fields; it is not in RFC 5322.
  return false;
}

std::optional<Form> form_named(std::string_view name) {
  if (name == "Raw") return Form::raw;
  if (name == "Text") return Form::text;
  if (name == "Addresses") return Form::addresses;
  if (name == "GroupedAddresses") return Form::grouped_addresses;
  if (name == "MessageIds") return Form::message_ids;
  if (name == "Date") return Form::date;
  if (name == "URLs") return Form::urls;
  return std::nullopt;
}

json::value nullable_string(const std::string& s) {
  if (s.empty()) return nullptr;
  return json::string(s);
}

json::object email_address(const mime::Mailbox& m) {
  json::object o;
  // §4.1.2.3: the name is unfolded and trimmed.
  o["name"] = nullable_string(std::string(trim(sanitize_utf8(m.name))));
  o["email"] = sanitize_utf8(m.addr_spec());
  return o;
}

json::value text_form(std::string_view raw) {
  std::string text = sanitize_utf8(mime::decode_unstructured(raw));
  size_t lead = text.find_first_not_of(' ');
  text.erase(0, lead == std::string::npos ? text.size() : lead);
  auto nfc = mail::to_nfc(text);
  return json::string(nfc ? *nfc : text);
}

json::value addresses_form(std::string_view raw, Form form) {
  auto list = mime::parse_address_list(raw, mime::NameDecoding::rfc2047);
  json::array out;
  if (form == Form::addresses) {
    for (const auto& a : list) {
      if (const auto* m = std::get_if<mime::Mailbox>(&a)) {
        out.push_back(email_address(*m));
      } else {
        for (const auto& member : std::get<mime::Group>(a).members)
          out.push_back(email_address(member));
      }
    }
    return out;
  }
  // §4.1.2.4: consecutive mailboxes outside a group share one group with a null name.
  json::array loose;
  auto flush = [&] {
    if (loose.empty()) return;
    json::object g;
    g["name"] = nullptr;
    g["addresses"] = std::move(loose);
    out.push_back(std::move(g));
    loose = json::array();
  };
  for (const auto& a : list) {
    if (const auto* m = std::get_if<mime::Mailbox>(&a)) {
      loose.push_back(email_address(*m));
      continue;
    }
    flush();
    const auto& group = std::get<mime::Group>(a);
    json::array members;
    for (const auto& member : group.members) members.push_back(email_address(member));
    json::object g;
    g["name"] = nullable_string(std::string(trim(sanitize_utf8(group.name))));
    g["addresses"] = std::move(members);
    out.push_back(std::move(g));
  }
  flush();
  return out;
}

json::value message_ids_form(std::string_view raw) {
  auto ids = mime::message_ids_in(raw);
  if (ids.empty()) return nullptr;
  json::array out;
  for (const auto& id : ids) out.push_back(json::string(id.substr(1, id.size() - 2)));
  return out;
}

json::value date_form(std::string_view raw) {
  auto date = mime::parse_date(mime::unfold(raw));
  if (!date) return nullptr;
  return json::string(format_rfc3339(date->utc_seconds, date->offset_minutes));
}

// RFC 2369 §2: "<url>" items separated by commas, comments in parentheses allowed,
// whitespace inside the brackets ignored.
json::value urls_form(std::string_view raw) {
  std::string value = mime::unfold(raw);
  json::array out;
  size_t i = 0;
  while (i < value.size()) {
    char c = value[i];
    if (c == ' ' || c == '\t' || c == ',') {
      ++i;
    } else if (c == '(') {
      int depth = 0;
      for (; i < value.size(); ++i) {
        if (value[i] == '\\') {
          ++i;
        } else if (value[i] == '(') {
          ++depth;
        } else if (value[i] == ')' && --depth == 0) {
          ++i;
          break;
        }
      }
    } else if (c == '<') {
      size_t close = value.find('>', i);
      if (close == std::string::npos) return nullptr;
      std::string url;
      for (size_t k = i + 1; k < close; ++k)
        if (value[k] != ' ' && value[k] != '\t') url.push_back(value[k]);
      if (!url.empty()) out.push_back(json::string(sanitize_utf8(url)));
      i = close + 1;
    } else {
      // Text outside brackets ("NO" of List-Post, §3.4 of RFC 2369) is not a URL list.
      return nullptr;
    }
  }
  if (out.empty()) return nullptr;
  return out;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (and back).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

std::optional<int> digits(std::string_view s, size_t pos, size_t count) {
  if (pos + count > s.size()) return std::nullopt;
  int v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

bool form_allowed(std::string_view name, Form form) {
  if (form == Form::raw || !is_defined_field(name)) return true;
  switch (form) {
    case Form::raw:
      return true;
    case Form::text:
      return in_list(name, {"subject", "comments", "keywords", "list-id"});
    case Form::addresses:
    case Form::grouped_addresses:
      return in_list(
          name, {"from", "sender", "reply-to", "to", "cc", "bcc", "resent-from", "resent-sender",
                 "resent-reply-to", "resent-to", "resent-cc", "resent-bcc"});
    case Form::message_ids:
      return in_list(name, {"message-id", "in-reply-to", "references", "resent-message-id"});
    case Form::date:
      return in_list(name, {"date", "resent-date"});
    case Form::urls:
      return in_list(name, {"list-help", "list-unsubscribe", "list-subscribe", "list-post",
                            "list-owner", "list-archive"});
  }
  return false;
}

std::optional<HeaderProperty> parse_header_property(std::string_view property) {
  if (!property.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = property.substr(kPrefix.size());
  size_t colon = rest.find(':');
  HeaderProperty out;
  out.name = std::string(rest.substr(0, colon));
  out.property = std::string(property);
  if (out.name.empty()) return std::nullopt;
  for (char c : out.name)
    if (c < 33 || c > 126) return std::nullopt;
  if (colon != std::string_view::npos) {
    std::vector<std::string_view> suffixes = split(rest.substr(colon + 1), ':');
    size_t k = 0;
    // §4.1.3: ":as{form}" first, then ":all".
    if (k < suffixes.size() && suffixes[k].starts_with("as")) {
      auto form = form_named(suffixes[k].substr(2));
      if (!form) return std::nullopt;
      out.form = *form;
      ++k;
    }
    if (k < suffixes.size() && suffixes[k] == "all") {
      out.all = true;
      ++k;
    }
    if (k != suffixes.size()) return std::nullopt;
  }
  if (!form_allowed(out.name, out.form)) return std::nullopt;
  return out;
}

json::value header_value(std::string_view raw_value, Form form) {
  switch (form) {
    case Form::raw:
      return json::string(sanitize_utf8(raw_value));
    case Form::text:
      return text_form(raw_value);
    case Form::addresses:
    case Form::grouped_addresses:
      return addresses_form(raw_value, form);
    case Form::message_ids:
      return message_ids_form(raw_value);
    case Form::date:
      return date_form(raw_value);
    case Form::urls:
      return urls_form(raw_value);
  }
  return nullptr;
}

json::value header_property_value(const mime::HeaderView& header, const HeaderProperty& property) {
  auto fields = header.find_all(property.name);
  if (property.all) {
    json::array out;
    for (const auto* f : fields)
      out.push_back(header_value(f->raw_value(header.buffer()), property.form));
    return out;
  }
  if (fields.empty()) return nullptr;
  return header_value(fields.back()->raw_value(header.buffer()), property.form);
}

json::array raw_headers(const mime::HeaderView& header) {
  json::array out;
  for (const auto& f : header.fields()) {
    json::object h;
    h["name"] = sanitize_utf8(f.name(header.buffer()));
    h["value"] = sanitize_utf8(f.raw_value(header.buffer()));
    out.push_back(std::move(h));
  }
  return out;
}

std::string sanitize_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  bool in_bad_run = false;
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == 0) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t min = 0;
    if (c < 0x80) {
      len = 1;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
    }
    bool ok = len != 0 && i + len <= bytes.size();
    uint32_t cp = len == 1 ? c : (len == 2 ? c & 0x1F : (len == 3 ? c & 0x0F : c & 0x07));
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(bytes[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && len > 1 && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (!ok) {
      // §4.1.2.1: one U+FFFD per run of bad octets.
      if (!in_bad_run) out += "\xEF\xBF\xBD";
      in_bad_run = true;
      ++i;
      continue;
    }
    in_bad_run = false;
    out.append(bytes.substr(i, len));
    i += len;
  }
  return out;
}

std::string format_rfc3339(int64_t utc_seconds, int32_t offset_minutes) {
  int64_t local = utc_seconds + int64_t{offset_minutes} * 60;
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t secs = local - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d",
                        static_cast<long long>(y), m, d, static_cast<int>(secs / 3600),
                        static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (offset_minutes == 0) {
    out += 'Z';
  } else {
    int32_t a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
    out += buf;
  }
  return out;
}

std::optional<ParsedDate> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  auto year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  auto hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || s[4] != '-' || s[7] != '-' ||
      s[10] != 'T' || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  static constexpr int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (*month < 1 || *month > 12 || *day < 1 || *day > kDaysIn[*month - 1] || *hour > 23 ||
      *minute > 59 || *second > 60)
    return std::nullopt;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return std::nullopt;
  }
  int32_t offset = 0;
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    auto oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (!oh || !om || s[i + 3] != ':' || *oh > 23 || *om > 59) return std::nullopt;
    offset = (*oh * 60 + *om) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  int64_t days = days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  int64_t local = days * 86400 + *hour * 3600 + *minute * 60 + std::min(*second, 59);
  return ParsedDate{local - int64_t{offset} * 60, offset};
}

}  // namespace postamt::jmap
