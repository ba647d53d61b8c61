// The pure parts of mta_sts.h: the policy and TXT codecs, MX matching, the cache file.
#include <fmt/format.h>

#include "base/strings.h"
#include "queue/mta_sts.h"

namespace postamt::queue::mta_sts {

namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}
bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

// sts-ext-name / sts-policy-ext-name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
bool valid_field_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || !is_alnum(name[0])) return false;
  for (char c : name.substr(1))
    if (!is_alnum(c) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

// The length of the UTF-8 sequence (RFC 3629 §4) starting at s[i], 0 when it is not one.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto tail = [&](size_t k, unsigned char lo, unsigned char hi) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  unsigned char b = byte(i);
  if (b >= 0xC2 && b <= 0xDF) return tail(i + 1, 0x80, 0xBF) ? 2 : 0;
  if (b == 0xE0) return tail(i + 1, 0xA0, 0xBF) && tail(i + 2, 0x80, 0xBF) ? 3 : 0;
  if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF)
    return tail(i + 1, 0x80, 0xBF) && tail(i + 2, 0x80, 0xBF) ? 3 : 0;
  if (b == 0xED) return tail(i + 1, 0x80, 0x9F) && tail(i + 2, 0x80, 0xBF) ? 3 : 0;
  if (b == 0xF0)
    return tail(i + 1, 0x90, 0xBF) && tail(i + 2, 0x80, 0xBF) && tail(i + 3, 0x80, 0xBF) ? 4 : 0;
  if (b >= 0xF1 && b <= 0xF3)
    return tail(i + 1, 0x80, 0xBF) && tail(i + 2, 0x80, 0xBF) && tail(i + 3, 0x80, 0xBF) ? 4 : 0;
  if (b == 0xF4)
    return tail(i + 1, 0x80, 0x8F) && tail(i + 2, 0x80, 0xBF) && tail(i + 3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

// sts-policy-ext-value: sts-policy-vchar [*(%x20 / sts-policy-vchar) sts-policy-vchar],
// vchar = %x21-7E / UTF-8 multi-byte. Trailing WSP was already cut (the grammar's *WSP
// after a field); a value may not start with a space (the delimiter ate WSP).
bool valid_field_value(std::string_view value) {
  if (value.empty()) return false;
  for (size_t i = 0; i < value.size();) {
    auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x21 && c <= 0x7E) {
      ++i;
    } else if (c == 0x20) {
      ++i;
    } else if (c >= 0x80) {
      size_t n = utf8_sequence(value, i);
      if (n == 0) return false;
      i += n;
    } else {
      return false;
    }
  }
  return value.back() != ' ';
}

// RFC 5321 §4.1.2 Domain: sub-domains of letters, digits and inner hyphens, 1-63
// octets each, at most 253 in all. Underscores are accepted too (host names in real MX
// records carry them, and they do no harm in a comparison).
bool valid_domain(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (std::string_view label : split(name, '.')) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

std::string_view trim_wsp_right(std::string_view s) {
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}
std::string_view trim_wsp_left(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  return s;
}

Error bad_policy(size_t line, std::string_view why) {
  return Error{ErrorKind::invalid, fmt::format("policy line {}: {}", line, why)};
}

}  // namespace

std::string_view to_string(Mode mode) {
  switch (mode) {
    case Mode::enforce:
      return "enforce";
    case Mode::testing:
      return "testing";
    case Mode::none:
      return "none";
  }
  return "none";
}

Result<Policy> parse_policy(std::string_view body) {
  Policy policy;
  bool have_version = false, have_mode = false, have_max_age = false;
  size_t line_number = 0;
  while (!body.empty()) {
    ++line_number;
    size_t end = body.find('\n');
    std::string_view line = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
    // sts-policy-term = LF / CRLF
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad_policy(line_number, "no \":\"");
    std::string_view name = line.substr(0, colon);
    // sts-policy-field-delim = ":" *WSP, and *WSP after each field.
    std::string_view value = trim_wsp_right(trim_wsp_left(line.substr(colon + 1)));
    if (!valid_field_name(name))
      return bad_policy(line_number, fmt::format("\"{}\" is not a field name", name));
    if (!valid_field_value(value))
      return bad_policy(line_number, fmt::format("field {} has no valid value", name));
    policy.lines.emplace_back(fmt::format("{}: {}", name, value));
    // Field names and the version and mode values are case-sensitive (%s, RFC 7405).
    if (name == "version") {
      if (have_version) continue;  // §3.2: of a repeated field the first counts
      if (value != "STSv1")
        return bad_policy(line_number, fmt::format("version \"{}\" is not STSv1", value));
      have_version = true;
    } else if (name == "mode") {
      if (have_mode) continue;
      if (value == "enforce") {
        policy.mode = Mode::enforce;
      } else if (value == "testing") {
        policy.mode = Mode::testing;
      } else if (value == "none") {
        policy.mode = Mode::none;
      } else {
        return bad_policy(line_number,
                          fmt::format("mode \"{}\" is not enforce, testing or none", value));
      }
      have_mode = true;
    } else if (name == "max_age") {
      if (have_max_age) continue;
      // sts-policy-max-age-value = 1*10(DIGIT)
      bool digits = value.size() <= 10;
      for (char c : value) digits = digits && is_digit(c);
      if (!digits)
        return bad_policy(line_number, fmt::format("max_age \"{}\" is not 1-10 digits", value));
      uint64_t seconds = *parse_u64(value);
      policy.max_age = std::chrono::seconds(
          std::min<uint64_t>(seconds, static_cast<uint64_t>(kMaxMaxAge.count())));
      have_max_age = true;
    } else if (name == "mx") {
      // sts-policy-mx-value = ["*."] Domain
      std::string pattern = ascii_lower(value);
      std::string_view domain = pattern;
      if (domain.starts_with("*.")) domain.remove_prefix(2);
      if (!valid_domain(domain))
        return bad_policy(line_number, fmt::format("mx \"{}\" is not a host name pattern", value));
      policy.mx.push_back(std::move(pattern));
    }
    // Any other field is an extension: checked for syntax above, otherwise ignored.
  }
  if (!have_version) return Error{ErrorKind::invalid, "policy has no version field"};
  if (!have_mode) return Error{ErrorKind::invalid, "policy has no mode field"};
  if (!have_max_age) return Error{ErrorKind::invalid, "policy has no max_age field"};
  if (policy.mx.empty() && policy.mode != Mode::none)
    return Error{ErrorKind::invalid, "policy has no mx field"};
  return policy;
}

Result<std::string> parse_txt_id(std::string_view txt) {
  auto bad = [&](std::string_view why) {
    return Error{ErrorKind::invalid, fmt::format("TXT record: {}", why)};
  };
  // sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
  constexpr std::string_view kVersion = "v=STSv1";
  if (!txt.starts_with(kVersion)) return bad("does not begin with v=STSv1");
  std::string_view rest = txt.substr(kVersion.size());
  std::optional<std::string> id;
  bool any_field = false;
  while (!rest.empty()) {
    // sts-field-delim = *WSP ";" *WSP
    rest = trim_wsp_left(rest);
    if (rest.empty() || rest.front() != ';') return bad("fields must be separated by \";\"");
    rest = trim_wsp_left(rest.substr(1));
    if (rest.empty()) break;  // the optional final delimiter
    size_t end = 0;
    while (end < rest.size() && rest[end] != ';' && !is_wsp(rest[end])) ++end;
    std::string_view field = rest.substr(0, end);
    rest = rest.substr(end);
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) return bad(fmt::format("field \"{}\" has no \"=\"", field));
    std::string_view name = field.substr(0, eq), value = field.substr(eq + 1);
    any_field = true;
    if (name == "id") {
      // sts-id = %s"id=" 1*32(ALPHA / DIGIT)
      bool ok = !value.empty() && value.size() <= 32;
      for (char c : value) ok = ok && is_alnum(c);
      if (!ok) return bad(fmt::format("id \"{}\" is not 1-32 letters and digits", value));
      if (!id) id = std::string(value);  // §3.2: of repeated fields the first counts
      continue;
    }
    // sts-extension: name "=" 1*(%x21-3A / %x3C / %x3E-7E)
    if (!valid_field_name(name)) return bad(fmt::format("\"{}\" is not a field name", name));
    bool ok = !value.empty();
    for (char c : value) ok = ok && c >= 0x21 && c <= 0x7E && c != '=' && c != ';';
    if (!ok) return bad(fmt::format("field {} has no valid value", name));
  }
  if (!any_field || !id) return bad("no id field");
  return *id;
}

bool mx_matches(const Policy& policy, std::string_view mx_host) {
  std::string host = ascii_lower(mx_host);
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return false;
  for (const std::string& pattern : policy.mx) {
    if (pattern.starts_with("*.")) {
      // §4.1: the wildcard matches exactly the whole left-most label.
      std::string_view suffix = std::string_view(pattern).substr(1);  // ".example.net"
      if (host.size() <= suffix.size() || !host.ends_with(suffix)) continue;
      std::string_view label = std::string_view(host).substr(0, host.size() - suffix.size());
      if (label.find('.') == std::string_view::npos) return true;
    } else if (host == pattern) {
      return true;
    }
  }
  return false;
}

bool is_text_plain(std::string_view content_type) {
  std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  return iequals(media, "text/plain");
}

Result<std::string> normalize_domain(std::string_view domain) {
  std::string name = ascii_lower(domain);
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (!valid_domain(name))
    return Error{ErrorKind::invalid, fmt::format("{} is not an ASCII host name", domain)};
  return name;
}

std::string format_cache_file(const Policy& policy, TimePoint fetched) {
  std::string out =
      fmt::format("postamt-mta-sts 1\nid: {}\nfetched: {}\n\n", policy.id, to_unix(fetched));
  for (const std::string& line : policy.lines) out += line + "\n";
  return out;
}

Result<CacheFile> parse_cache_file(std::string_view text) {
  auto bad = [](std::string_view why) {
    return Error{ErrorKind::invalid, fmt::format("cache file: {}", why)};
  };
  constexpr std::string_view kMagic = "postamt-mta-sts 1\nid: ";
  if (!text.starts_with(kMagic)) return bad("unknown format");
  text.remove_prefix(kMagic.size());
  size_t end = text.find('\n');
  if (end == std::string_view::npos) return bad("no id line");
  std::string_view id = text.substr(0, end);
  text.remove_prefix(end + 1);
  constexpr std::string_view kFetched = "fetched: ";
  if (!text.starts_with(kFetched)) return bad("no fetched line");
  text.remove_prefix(kFetched.size());
  end = text.find("\n\n");
  if (end == std::string_view::npos) return bad("no blank line after the header");
  auto seconds = parse_u64(text.substr(0, end));
  if (!seconds || *seconds > 4102444800ull) return bad("fetched is not a time before 2100");
  auto txt_id = parse_txt_id(fmt::format("v=STSv1; id={}", id));
  if (!txt_id || *txt_id != id) return bad("the id is not 1-32 letters and digits");
  auto policy = parse_policy(text.substr(end + 2));
  if (!policy) return bad(policy.error().message);
  policy->id = std::string(id);
  return CacheFile{std::move(*policy), from_unix(static_cast<int64_t>(*seconds))};
}

}  // namespace postamt::queue::mta_sts
