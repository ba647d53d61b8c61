#include "smtp/proto/address.h"

#include <fmt/format.h>

#include <optional>

#include "base/strings.h"

namespace postamt::smtp::proto {

namespace {

bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(unsigned char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 5322 §3.2.3 atext.
bool is_atext(unsigned char c) {
  return is_ascii_atext(static_cast<char>(c));
}

// Walks `text` as a run of allowed ASCII octets and UTF-8 sequences; returns false on
// an ASCII octet `allowed` rejects or on malformed UTF-8.
template <class Allowed>
bool all_chars(std::string_view text, Utf8Addresses utf8, Allowed allowed) {
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (!allowed(c)) return false;
      ++i;
      continue;
    }
    if (utf8 == Utf8Addresses::rejected) return false;
    size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool has_non_ascii(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

bool is_ipv4(std::string_view text) {
  auto parts = split(text, '.');
  if (parts.size() != 4) return false;
  for (auto p : parts) {
    if (p.empty() || p.size() > 3) return false;
    auto v = parse_u64(p);
    if (!v || *v > 255) return false;
  }
  return true;
}

// Hex groups separated by ":"; empty `text` is zero groups. Returns -1 if malformed.
int count_hex_groups(std::string_view text) {
  if (text.empty()) return 0;
  int n = 0;
  for (auto g : split(text, ':')) {
    if (g.empty() || g.size() > 4) return -1;
    for (char c : g)
      if (!is_hex(static_cast<unsigned char>(c))) return -1;
    ++n;
  }
  return n;
}

// RFC 5321 §4.1.3 IPv6-addr: full (8 groups), compressed ("::" standing for at least
// two zero groups, at most 6 groups besides it), and both forms with a trailing IPv4
// address counting as two groups.
bool is_ipv6(std::string_view text) {
  int v4_groups = 0;
  if (text.find('.') != std::string_view::npos) {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || !is_ipv4(text.substr(colon + 1))) return false;
    v4_groups = 2;
    // Keep the ":" when it belongs to a "::" so the compression is still seen.
    text =
        (colon > 0 && text[colon - 1] == ':') ? text.substr(0, colon + 1) : text.substr(0, colon);
  }
  size_t dc = text.find("::");
  if (dc == std::string_view::npos) {
    int n = count_hex_groups(text);
    return n >= 0 && n + v4_groups == 8;
  }
  if (text.find("::", dc + 1) != std::string_view::npos) return false;
  int left = count_hex_groups(text.substr(0, dc));
  int right = count_hex_groups(text.substr(dc + 2));
  return left >= 0 && right >= 0 && left + right + v4_groups <= 6;
}

class PathParser {
 public:
  PathParser(std::string_view text, PathRole role, Utf8Addresses utf8)
      : s_(text), role_(role), utf8_(utf8) {}

  Result<ParsedPath, CommandError> run() {
    std::string_view what = role_ == PathRole::reverse ? "reverse-path" : "forward-path";
    auto fail = [&](std::string_view reason) -> Result<ParsedPath, CommandError> {
      return CommandError{CommandErrorKind::syntax,
                          fmt::format("Syntax error in {}: {}", what, reason)};
    };
    if (s_.empty() || s_.front() != '<') return fail("missing \"<\"");
    size_t close = find_close();
    if (close == std::string_view::npos) return fail("missing \">\"");
    std::string_view inner = s_.substr(1, close - 1);
    if (utf8_ == Utf8Addresses::rejected && has_non_ascii(inner)) {
      auto kind = role_ == PathRole::reverse ? CommandErrorKind::non_ascii_sender
                                             : CommandErrorKind::non_ascii_recipient;
      return CommandError{kind, "Non-ASCII addresses not permitted without SMTPUTF8"};
    }
    if (close + 1 > kMaxPathOctets) return fail("path longer than 256 octets");

    ParsedPath out;
    out.length = close + 1;
    if (inner.empty()) {
      if (role_ == PathRole::reverse) return out;
      return fail("empty path");
    }
    bool routed = inner.front() == '@';
    if (routed) {
      // A-d-l ":" : validate the route, then ignore it (RFC 5321 §4.1.1.3).
      size_t colon = route_end(inner);
      if (colon == std::string_view::npos) return fail("bad source route");
      auto route = inner.substr(0, colon);
      for (auto hop : split(route, ',')) {
        if (hop.size() < 2 || hop.front() != '@' || !is_domain(hop.substr(1), utf8_))
          return fail("bad source route");
      }
      inner = inner.substr(colon + 1);
    }

    size_t local_end = local_part_end(inner);
    if (local_end == std::string_view::npos) return fail("bad quoted local part");
    std::string_view local_raw = inner.substr(0, local_end);
    std::string_view rest = inner.substr(local_end);

    if (rest.empty()) {
      if (role_ == PathRole::forward && !routed && iequals(local_raw, "postmaster")) {
        out.mailbox.local_part = std::string(local_raw);
        return out;
      }
      return fail("missing \"@domain\"");
    }
    if (rest.front() != '@') return fail("bad local part");
    if (local_raw.size() > kMaxLocalPartOctets) return fail("local part longer than 64 octets");
    auto local = unquote_local(local_raw);
    if (!local) return fail("bad local part");
    std::string_view domain = rest.substr(1);
    if (domain.size() > kMaxDomainOctets) return fail("domain longer than 255 octets");
    bool domain_ok = !domain.empty() && domain.front() == '[' ? is_address_literal(domain)
                                                              : is_domain(domain, utf8_);
    if (!domain_ok) return fail("bad domain");
    out.mailbox.local_part = std::move(*local);
    out.mailbox.domain = std::string(domain);
    return out;
  }

 private:
  // Index of the ">" closing the path, stepping over a quoted local part (which may
  // contain ">").
  size_t find_close() const {
    bool quoted = false;
    for (size_t i = 1; i < s_.size(); ++i) {
      char c = s_[i];
      if (quoted) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '>') {
        return i;
      }
    }
    return std::string_view::npos;
  }

  // The ":" ending "@a,@b:" (domains hold no ":" or quotes).
  static size_t route_end(std::string_view inner) { return inner.find(':'); }

  // End of the Local-part at the start of `inner`: after the closing quote of a
  // Quoted-string, or at the first "@" otherwise. npos for an unterminated quote.
  static size_t local_part_end(std::string_view inner) {
    if (inner.empty() || inner.front() != '"') {
      size_t at = inner.find('@');
      return at == std::string_view::npos ? inner.size() : at;
    }
    for (size_t i = 1; i < inner.size(); ++i) {
      if (inner[i] == '\\') {
        ++i;
      } else if (inner[i] == '"') {
        return i + 1;
      }
    }
    return std::string_view::npos;
  }

  // Dot-string as is, or the content of a Quoted-string with quoted-pairs resolved.
  std::optional<std::string> unquote_local(std::string_view raw) const {
    if (raw.empty() || raw.front() != '"') {
      if (!is_dot_string(raw, utf8_)) return std::nullopt;
      return std::string(raw);
    }
    std::string out;
    std::string_view body = raw.substr(1, raw.size() - 2);
    for (size_t i = 0; i < body.size();) {
      auto c = static_cast<unsigned char>(body[i]);
      if (c == '\\') {
        // quoted-pairSMTP = "\" %d32-126
        if (i + 1 >= body.size()) return std::nullopt;
        auto q = static_cast<unsigned char>(body[i + 1]);
        if (q < 32 || q > 126) return std::nullopt;
        out.push_back(static_cast<char>(q));
        i += 2;
      } else if (c >= 0x80) {
        size_t n = utf8_ == Utf8Addresses::accepted ? utf8_sequence_length(body, i) : 0;
        if (n == 0) return std::nullopt;
        out.append(body.substr(i, n));
        i += n;
      } else {
        // qtextSMTP = %d32-33 / %d35-91 / %d93-126
        if (c < 32 || c > 126 || c == '"') return std::nullopt;
        out.push_back(static_cast<char>(c));
        ++i;
      }
    }
    return out;
  }

  std::string_view s_;
  PathRole role_;
  Utf8Addresses utf8_;
};

}  // namespace

size_t utf8_sequence_length(std::string_view text, size_t pos) {
  auto at = [&](size_t i) -> unsigned {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u;
  };
  auto cont = [&](size_t i) { return (at(i) & 0xC0) == 0x80; };
  unsigned c = at(pos);
  if (pos >= text.size() || c < 0x80) return 0;
  if (c >= 0xC2 && c <= 0xDF) return cont(pos + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned c1 = at(pos + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
    if (c == 0xED && c1 >= 0xA0) return 0;  // surrogates
    return cont(pos + 1) && cont(pos + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned c1 = at(pos + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
    if (c == 0xF4 && c1 >= 0x90) return 0;  // above U+10FFFF
    return cont(pos + 1) && cont(pos + 2) && cont(pos + 3) ? 4 : 0;
  }
  return 0;
}

bool is_dot_string(std::string_view text, Utf8Addresses utf8) {
  if (text.empty()) return false;
  for (auto atom : split(text, '.')) {
    if (atom.empty()) return false;
    if (!all_chars(atom, utf8, is_atext)) return false;
  }
  return true;
}

bool is_domain(std::string_view text, Utf8Addresses utf8) {
  if (text.empty() || text.size() > kMaxDomainOctets) return false;
  for (auto label : split(text, '.')) {
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    if (!has_non_ascii(label) && label.size() > 63) return false;
    auto ldh = [](unsigned char c) { return is_alpha(c) || is_digit(c) || c == '-'; };
    if (!all_chars(label, utf8, ldh)) return false;
  }
  return true;
}

bool is_address_literal(std::string_view text) {
  if (text.size() < 3 || text.front() != '[' || text.back() != ']') return false;
  std::string_view inner = text.substr(1, text.size() - 2);
  if (istarts_with(inner, "IPv6:")) return is_ipv6(inner.substr(5));
  return is_ipv4(inner);
}

Result<ParsedPath, CommandError> parse_path(std::string_view text, PathRole role, Utf8Addresses utf8) {
  return PathParser(text, role, utf8).run();
}

std::string Mailbox::to_string() const {
  if (is_null()) return {};
  std::string out;
  // Dot-strings go out as they are; anything else needs a Quoted-string (§4.1.2).
  if (is_dot_string(local_part, Utf8Addresses::accepted)) {
    out = local_part;
  } else {
    out.push_back('"');
    for (char c : local_part) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  if (!domain.empty()) {
    out.push_back('@');
    out += domain;
  }
  return out;
}

}  // namespace postamt::smtp::proto
