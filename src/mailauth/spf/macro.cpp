#include "mailauth/spf/macro.h"

#include <algorithm>
#include <vector>

namespace postamt::spf {
namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_delimiter(char c) {
  return std::string_view(".-+,/_=").find(c) != std::string_view::npos;
}

// One "%{...}" after the '%': letter, digits, 'r', delimiters, '}'.
struct Expand {
  char letter = 0;    // as written (upper case = URL-escape)
  size_t digits = 0;  // 0 = all parts
  bool reverse = false;
  std::string delimiters;  // empty = "."
  size_t length = 0;       // bytes consumed after the '%'
};

// Reads the macro at text[0] == '%'. For "%%", "%_" and "%-" letter stays 0 and
// `delimiters` holds the literal expansion.
Result<Expand> read_macro(std::string_view text, MacroUse use) {
  if (text.size() < 2) return Error(ErrorKind::invalid, "'%' at the end of a macro-string");
  Expand e;
  switch (text[1]) {
    case '%':
      e.delimiters = "%";
      e.length = 2;
      return e;
    case '_':
      e.delimiters = " ";
      e.length = 2;
      return e;
    case '-':
      e.delimiters = "%20";
      e.length = 2;
      return e;
    case '{':
      break;
    default:
      // §7.3: a '%' not followed by '{', '%', '-' or '_' is a syntax error.
      return Error(ErrorKind::invalid, std::string("'%' followed by '") + text[1] + "'");
  }
  size_t i = 2;
  if (i >= text.size()) return Error(ErrorKind::invalid, "unterminated macro");
  e.letter = text[i++];
  const char lower = static_cast<char>(e.letter | 0x20);
  if (!is_alpha(e.letter) ||
      std::string_view("slodiphcrtv").find(lower) == std::string_view::npos) {
    return Error(ErrorKind::invalid, std::string("unknown macro letter '") + e.letter + "'");
  }
  if (use == MacroUse::domain_spec && (lower == 'c' || lower == 'r' || lower == 't')) {
    // §7.2: c, r and t are allowed only in "exp" text.
    return Error(ErrorKind::invalid,
                 std::string("macro letter '") + e.letter + "' outside exp text");
  }
  bool had_digits = false;
  while (i < text.size() && is_digit(text[i])) {
    had_digits = true;
    // Anything above 127 labels means "all of them"; cap to keep the arithmetic small.
    e.digits = std::min<size_t>(e.digits * 10 + static_cast<size_t>(text[i] - '0'), 1000);
    ++i;
  }
  // §7.3: if a DIGIT is specified, the value MUST be nonzero.
  if (had_digits && e.digits == 0) return Error(ErrorKind::invalid, "zero digit transformer");
  if (i < text.size() && (text[i] == 'r' || text[i] == 'R')) {
    e.reverse = true;
    ++i;
  }
  while (i < text.size() && is_delimiter(text[i])) e.delimiters += text[i++];
  if (i >= text.size() || text[i] != '}') return Error(ErrorKind::invalid, "malformed macro");
  e.length = i + 1;
  return e;
}

std::string url_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    // RFC 3986 §2.3 unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
    if (is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
  return out;
}

std::string value_of(char lower, const MacroValues& v) {
  switch (lower) {
    case 's':
      return v.sender;
    case 'l':
      return v.local_part;
    case 'o':
      return v.sender_domain;
    case 'd':
      return v.domain;
    case 'i':
      return v.ip.dotted();
    case 'p':
      return v.validated_name ? v.validated_name() : "unknown";
    case 'v':
      return std::string(v.ip.version_name());
    case 'h':
      return v.helo;
    case 'c':
      return v.ip.to_string();
    case 'r':
      return v.receiver.empty() ? "unknown" : v.receiver;
    case 't':
      return std::to_string(v.now);
    default:
      return "";
  }
}

std::string transform(const std::string& value, const Expand& e) {
  if (e.digits == 0 && !e.reverse && e.delimiters.empty()) return value;
  const std::string delimiters = e.delimiters.empty() ? std::string(".") : e.delimiters;
  // §7.3: split on any of the delimiters; empty parts are kept.
  std::vector<std::string_view> parts;
  const std::string_view s(value);
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || delimiters.find(s[i]) != std::string_view::npos) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (e.reverse) std::reverse(parts.begin(), parts.end());
  const size_t keep = e.digits == 0 ? parts.size() : std::min(e.digits, parts.size());
  const size_t first = parts.size() - keep;
  std::string out;
  for (size_t i = first; i < parts.size(); ++i) {
    if (i > first) out += '.';
    out += parts[i];
  }
  return out;
}

// %x21-24 / %x26-7E, and SP in an explanation.
bool is_literal(char c, MacroUse use) {
  if (c == ' ') return use == MacroUse::explanation;
  return c >= 0x21 && c <= 0x7E && c != '%';
}

bool is_alphanum(char c) {
  return is_alpha(c) || is_digit(c);
}

// §7.1 toplabel = ( *alphanum ALPHA *alphanum ) /
//                 ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool is_toplabel(std::string_view label) {
  if (label.empty()) return false;
  if (std::all_of(label.begin(), label.end(), is_alphanum)) {
    return std::any_of(label.begin(), label.end(), is_alpha);
  }
  if (!is_alphanum(label.front()) || !is_alphanum(label.back())) return false;
  return std::all_of(label.begin(), label.end(), [](char c) { return is_alphanum(c) || c == '-'; });
}

}  // namespace

Result<void> check_macro_string(std::string_view text, MacroUse use) {
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '%') {
      auto m = read_macro(text.substr(i), use);
      if (!m) return m.error();
      i += m->length;
      continue;
    }
    if (!is_literal(text[i], use)) {
      return Error(ErrorKind::invalid, "character not allowed in a macro-string");
    }
    ++i;
  }
  return {};
}

Result<void> check_domain_spec(std::string_view text) {
  POSTAMT_TRY(check_macro_string(text, MacroUse::domain_spec));
  if (text.empty()) return Error(ErrorKind::invalid, "empty domain-spec");
  // domain-end = macro-expand: the spec ends with "}" closing a macro, or with one of
  // "%%", "%_", "%-". Find out by walking the macros from the left.
  size_t last_macro_end = 0;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '%') {
      auto m = read_macro(text.substr(i), MacroUse::domain_spec);
      i += m->length;
      last_macro_end = i;
    } else {
      ++i;
    }
  }
  if (last_macro_end == text.size()) return {};
  // domain-end = "." toplabel [ "." ], all of it literal.
  std::string_view tail = text.substr(last_macro_end);
  std::string_view whole = text;
  if (whole.back() == '.') {
    whole.remove_suffix(1);
    if (tail.empty()) return Error(ErrorKind::invalid, "domain-spec ends in a bare dot");
    tail.remove_suffix(1);
  }
  const size_t dot = whole.rfind('.');
  if (dot == std::string_view::npos || dot < last_macro_end) {
    return Error(ErrorKind::invalid, "domain-spec without a top-level label: " + std::string(text));
  }
  if (!is_toplabel(whole.substr(dot + 1))) {
    return Error(ErrorKind::invalid, "bad top-level label in domain-spec: " + std::string(text));
  }
  return {};
}

Result<std::string> expand_macros(std::string_view text, const MacroValues& values, MacroUse use) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '%') {
      if (!is_literal(text[i], use)) {
        return Error(ErrorKind::invalid, "character not allowed in a macro-string");
      }
      out += text[i++];
      continue;
    }
    auto m = read_macro(text.substr(i), use);
    if (!m) return m.error();
    i += m->length;
    if (m->letter == 0) {
      out += m->delimiters;
      continue;
    }
    const char lower = static_cast<char>(m->letter | 0x20);
    std::string value = transform(value_of(lower, values), *m);
    out += (m->letter == lower) ? value : url_escape(value);
  }
  return out;
}

std::string truncate_domain(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  while (name.size() > 253) {
    const size_t dot = name.find('.');
    if (dot == std::string_view::npos) return "";
    name.remove_prefix(dot + 1);
  }
  return std::string(name);
}

}  // namespace postamt::spf
