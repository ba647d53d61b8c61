#include "mime/content_type.h"

#include <algorithm>

#include "base/strings.h"
#include "mime/charset.h"

namespace postamt::mime {
namespace {

// RFC 2045 §5.1 tspecials.
bool is_tspecial(char c) {
  switch (c) {
    case '(':
    case ')':
    case '<':
    case '>':
    case '@':
    case ',':
    case ';':
    case ':':
    case '\\':
    case '"':
    case '/':
    case '[':
    case ']':
    case '?':
    case '=':
      return true;
    default:
      return false;
  }
}
bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 32 && u < 127 && !is_tspecial(c);
}

// Skips whitespace and RFC 822 comments (nested, with quoted pairs).
void skip_cfws(std::string_view s, size_t& i) {
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '(') {
      int level = 0;
      while (i < s.size()) {
        if (s[i] == '\\') {
          i += 2;
          continue;
        }
        if (s[i] == '(') ++level;
        if (s[i] == ')' && --level == 0) {
          ++i;
          break;
        }
        ++i;
      }
      if (i > s.size()) i = s.size();
    } else {
      return;
    }
  }
}

std::string_view read_token(std::string_view s, size_t& i) {
  size_t b = i;
  while (i < s.size() && is_token_char(s[i])) ++i;
  return s.substr(b, i - b);
}

std::string read_quoted(std::string_view s, size_t& i) {
  std::string out;
  ++i;  // opening quote
  while (i < s.size() && s[i] != '"') {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out.push_back(s[i]);
    ++i;
  }
  if (i < s.size()) ++i;  // closing quote
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

struct RawParam {
  std::string name;  // lowercased, without '*' suffixes
  int section = -1;  // -1: not a continuation
  bool extended = false;
  std::string value;
};

const std::string* find_param(const std::vector<Parameter>& params, std::string_view name) {
  for (const auto& p : params)
    if (iequals(p.name, name)) return &p.value;
  return nullptr;
}

}  // namespace

const std::string* ContentType::param(std::string_view name) const {
  return find_param(params, name);
}
const std::string* Disposition::param(std::string_view name) const {
  return find_param(params, name);
}

std::vector<Parameter> parse_parameters(std::string_view s) {
  std::vector<RawParam> raw;
  size_t i = 0;
  skip_cfws(s, i);
  // Lenient: "multipart/mixed boundary=x" (a missing first ';') still has parameters.
  bool implied_semicolon = i < s.size() && s[i] != ';';
  while (i < s.size() && raw.size() < kMaxParameters) {
    if (implied_semicolon) {
      implied_semicolon = false;
    } else {
      size_t semi = s.find(';', i);
      if (semi == std::string_view::npos) break;
      i = semi + 1;
    }
    skip_cfws(s, i);
    std::string_view attr = read_token(s, i);
    skip_cfws(s, i);
    if (attr.empty() || i >= s.size() || s[i] != '=') continue;
    ++i;
    skip_cfws(s, i);
    RawParam p;
    if (i < s.size() && s[i] == '"') {
      p.value = read_quoted(s, i);
    } else {
      // Lenient: real mail has unquoted values with tspecials ("boundary=--=_x"), so an
      // unquoted value runs to the next ';' without trailing whitespace.
      size_t b = i;
      while (i < s.size() && s[i] != ';') ++i;
      p.value = std::string(trim(s.substr(b, i - b)));
    }
    // RFC 2231 §3/§4: "name*" extended, "name*N" section, "name*N*" extended section.
    std::string name = ascii_lower(attr);
    if (!name.empty() && name.back() == '*') {
      p.extended = true;
      name.pop_back();
    }
    if (size_t star = name.find('*'); star != std::string::npos) {
      auto n = parse_u64(std::string_view(name).substr(star + 1));
      if (n && *n < 10000) {
        p.section = static_cast<int>(*n);
        name.resize(star);
      }
    }
    p.name = std::move(name);
    raw.push_back(std::move(p));
  }

  std::vector<Parameter> out;
  std::vector<bool> from_2231;
  for (size_t k = 0; k < raw.size(); ++k) {
    const RawParam& p = raw[k];
    bool is_2231 = p.extended || p.section >= 0;
    auto existing =
        std::find_if(out.begin(), out.end(), [&](const Parameter& q) { return q.name == p.name; });
    size_t slot = static_cast<size_t>(existing - out.begin());
    if (existing != out.end() && (from_2231[slot] || !is_2231)) continue;
    std::string value;
    if (!is_2231) {
      value = p.value;
    } else {
      // Collect every piece of this name, in section order (an unnumbered extended value
      // counts as section 0).
      std::vector<const RawParam*> pieces;
      for (size_t m = k; m < raw.size(); ++m)
        if (raw[m].name == p.name && (raw[m].extended || raw[m].section >= 0))
          pieces.push_back(&raw[m]);
      std::stable_sort(pieces.begin(), pieces.end(), [](const RawParam* a, const RawParam* b) {
        return std::max(a->section, 0) < std::max(b->section, 0);
      });
      std::string charset;
      std::string bytes;
      bool first = true;
      for (const RawParam* piece : pieces) {
        std::string_view v = piece->value;
        if (piece->extended && first) {
          // charset'language'text (RFC 2231 §4), only on the first section.
          size_t q1 = v.find('\'');
          size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
          if (q2 != std::string_view::npos) {
            charset = std::string(v.substr(0, q1));
            v = v.substr(q2 + 1);
          }
        }
        bytes += piece->extended ? percent_decode(v) : std::string(v);
        first = false;
      }
      if (!charset.empty()) {
        if (auto u = to_utf8(charset, bytes)) bytes = std::move(*u);
      }
      value = std::move(bytes);
    }
    if (existing != out.end()) {
      out[slot].value = std::move(value);
      from_2231[slot] = true;
    } else {
      out.push_back(Parameter{p.name, std::move(value)});
      from_2231.push_back(is_2231);
    }
  }
  return out;
}

std::optional<ContentType> parse_content_type(std::string_view s) {
  size_t i = 0;
  skip_cfws(s, i);
  std::string_view type = read_token(s, i);
  skip_cfws(s, i);
  if (type.empty() || i >= s.size() || s[i] != '/') return std::nullopt;
  ++i;
  skip_cfws(s, i);
  std::string_view subtype = read_token(s, i);
  if (subtype.empty()) return std::nullopt;
  ContentType ct;
  ct.type = ascii_lower(type);
  ct.subtype = ascii_lower(subtype);
  ct.params = parse_parameters(s.substr(i));
  return ct;
}

std::optional<Disposition> parse_disposition(std::string_view s) {
  size_t i = 0;
  skip_cfws(s, i);
  std::string_view type = read_token(s, i);
  if (type.empty()) return std::nullopt;
  Disposition d;
  d.type = ascii_lower(type);
  d.params = parse_parameters(s.substr(i));
  return d;
}

}  // namespace postamt::mime
