#include "mailauth/auth_results.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"
#include "mime/header.h"

namespace postamt::mailauth {
namespace {

constexpr std::string_view kFieldName = "Authentication-Results";
constexpr size_t kMaxLine = 78;  // RFC 5322 §2.1.1: SHOULD NOT exceed 78 characters

bool is_control(unsigned char c) {
  return c < 0x20 || c == 0x7F;
}

// RFC 2045 §5.1 tspecials.
bool is_tspecial(char c) {
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos;
}

bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F && !is_tspecial(c);
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 5321 Let-dig / Ldh-str, the characters of an RFC 8601 Keyword.
bool is_keyword_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-';
}

// ---- rendering ----

std::string sanitized(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (is_control(static_cast<unsigned char>(c))) c = ' ';
  }
  return out;
}

// Method, result, ptype and property are Keywords in the grammar and cannot be quoted:
// anything else is replaced so that the field still parses.
std::string keyword(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (!is_keyword_char(c) && c != '.') c = '-';
  }
  return out;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : sanitized(text)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// RFC 2045 value: a token as it is, anything else as a quoted-string.
std::string value(std::string_view text) {
  return is_token(text) ? std::string(text) : quoted(text);
}

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_ascii_atext(s[i])) {
      return false;
    }
  }
  return true;
}

bool is_domain_name(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_keyword_char(s[i]) && s[i] != '_') {
      return false;
    }
  }
  return true;
}

// RFC 8601 §2.2 pvalue: a value, or [[local-part] "@"] domain-name written bare.
std::string property_value(std::string_view text) {
  if (is_token(text)) return std::string(text);
  const size_t at = text.rfind('@');
  if (at != std::string_view::npos && is_domain_name(text.substr(at + 1)) &&
      (at == 0 || is_dot_atom(text.substr(0, at)))) {
    return std::string(text);
  }
  return quoted(text);
}

std::string comment(std::string_view text) {
  std::string out = "(";
  for (char c : sanitized(text)) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
  out += ')';
  return out;
}

class FoldedField {
 public:
  explicit FoldedField(std::string_view start) : text_(start), column_(start.size()) {}
  void append(std::string_view s) {
    text_ += s;
    column_ += s.size();
  }
  // A piece after whitespace: on this line when it fits, else on a new one.
  void piece(std::string_view s) {
    if (column_ + 1 + s.size() <= kMaxLine) {
      text_ += ' ';
      column_ += 1 + s.size();
    } else {
      text_ += "\r\n ";
      column_ = 1 + s.size();
    }
    text_ += s;
  }
  // A piece that starts a new line whatever room is left.
  void line(std::string_view s) {
    text_ += "\r\n ";
    column_ = 1 + s.size();
    text_ += s;
  }
  std::string finish() && { return std::move(text_) + "\r\n"; }

 private:
  std::string text_;
  size_t column_;
};

// ---- parsing ----

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void advance() { ++pos_; }

  // [CFWS]: whitespace (folding line ends included) and comments. Each comment's text
  // is appended to `comments` when given. Nesting is counted, not recursed.
  Result<void> skip_cfws(std::vector<std::string>* comments) {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        advance();
        continue;
      }
      if (c != '(') return {};
      advance();
      std::string text;
      size_t depth = 1;
      while (true) {
        if (at_end()) return Error{ErrorKind::invalid, "a comment is not closed"};
        const char d = peek();
        advance();
        if (d == '\\') {
          if (at_end()) return Error{ErrorKind::invalid, "a comment is not closed"};
          text += peek();
          advance();
        } else if (d == '(') {
          ++depth;
          text += d;
        } else if (d == ')') {
          if (--depth == 0) break;
          text += d;
        } else if (d == '\r' || d == '\n') {
          // RFC 5322 §2.2.3: unfolding removes the line end, the whitespace stays.
        } else {
          text += d;
        }
      }
      if (comments) comments->push_back(std::move(text));
    }
    return {};
  }

  std::string keyword() {
    const size_t start = pos_;
    while (!at_end() && is_keyword_char(peek())) advance();
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string digits() {
    const size_t start = pos_;
    while (!at_end() && is_digit(peek())) advance();
    return std::string(text_.substr(start, pos_ - start));
  }

  // RFC 5322 quoted-string at '"': its content with quoted-pairs resolved and folds
  // unfolded.
  Result<std::string> quoted_string() {
    advance();
    std::string out;
    while (true) {
      if (at_end()) return Error{ErrorKind::invalid, "a quoted-string is not closed"};
      const char c = peek();
      advance();
      if (c == '"') return out;
      if (c == '\\') {
        if (at_end()) return Error{ErrorKind::invalid, "a quoted-string is not closed"};
        out += peek();
        advance();
      } else if (c != '\r' && c != '\n') {
        out += c;
      }
    }
  }

  // RFC 2045 value: token / quoted-string.
  Result<std::string> value(std::string_view what) {
    if (peek() == '"') return quoted_string();
    const size_t start = pos_;
    while (!at_end() && is_token_char(peek())) advance();
    if (pos_ == start) return Error{ErrorKind::invalid, fmt::format("{} is missing", what)};
    return std::string(text_.substr(start, pos_ - start));
  }

  // RFC 8601 §2.2 pvalue (after its leading CFWS): a value, or [[local-part] "@"]
  // domain-name. A quoted local-part keeps its quotes so that the address stays one.
  Result<std::string> property_value(std::string_view property) {
    std::string out;
    if (peek() == '"') {
      auto q = quoted_string();
      POSTAMT_TRY(q);
      if (peek() != '@') return std::move(*q);
      out = quoted(*q);
    }
    const size_t start = pos_;
    while (!at_end()) {
      const auto c = static_cast<unsigned char>(peek());
      if (c <= 0x20 || c == ';' || c == '(' || c == ')' || c == '"' || c == '\\') break;
      advance();
    }
    out += text_.substr(start, pos_ - start);
    if (out.empty()) return Error{ErrorKind::invalid, fmt::format("{} has no value", property)};
    return out;
  }

  Result<void> expect(char c, std::string_view what) {
    if (peek() != c) {
      return Error{ErrorKind::invalid, at_end() ? fmt::format("{}: the field ends early", what)
                                                : fmt::format("{}: '{}' expected", what, c)};
    }
    advance();
    return {};
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// One resinfo after its ';' (RFC 8601 §2.2), up to the next ';' or the end.
Result<MethodResult> parse_resinfo(Cursor& in) {
  MethodResult out;
  std::vector<std::string> comments;
  POSTAMT_TRY(in.skip_cfws(&comments));
  out.method = ascii_lower(in.keyword());
  if (out.method.empty()) return Error{ErrorKind::invalid, "a method name is missing"};
  POSTAMT_TRY(in.skip_cfws(&comments));
  if (in.peek() == '/') {
    in.advance();
    POSTAMT_TRY(in.skip_cfws(&comments));
    out.version = in.digits();
    if (out.version.empty())
      return Error{ErrorKind::invalid, fmt::format("method {}: version is missing", out.method)};
    POSTAMT_TRY(in.skip_cfws(&comments));
  }
  POSTAMT_TRY(in.expect('=', fmt::format("method {}", out.method)));
  POSTAMT_TRY(in.skip_cfws(&comments));
  out.result = ascii_lower(in.keyword());
  if (out.result.empty())
    return Error{ErrorKind::invalid, fmt::format("method {}: result is missing", out.method)};

  while (true) {
    POSTAMT_TRY(in.skip_cfws(&comments));
    if (in.at_end() || in.peek() == ';') break;
    std::string word = ascii_lower(in.keyword());
    if (word.empty())
      return Error{ErrorKind::invalid,
                   fmt::format("method {}: unexpected '{}'", out.method, in.peek())};
    POSTAMT_TRY(in.skip_cfws(&comments));
    // §2.2: reasonspec comes before the properties, at most once.
    if (word == "reason" && in.peek() == '=' && out.reason.empty() && out.properties.empty()) {
      in.advance();
      POSTAMT_TRY(in.skip_cfws(&comments));
      auto reason = in.value("reason");
      POSTAMT_TRY(reason);
      out.reason = std::move(*reason);
      continue;
    }
    POSTAMT_TRY(in.expect('.', fmt::format("method {}: property {}", out.method, word)));
    POSTAMT_TRY(in.skip_cfws(&comments));
    const std::string property = ascii_lower(in.keyword());
    if (property.empty())
      return Error{ErrorKind::invalid,
                   fmt::format("method {}: property {}. has no name", out.method, word)};
    std::string name = word + "." + property;
    POSTAMT_TRY(in.skip_cfws(&comments));
    POSTAMT_TRY(in.expect('=', fmt::format("method {}: property {}", out.method, name)));
    POSTAMT_TRY(in.skip_cfws(&comments));
    auto v = in.property_value(name);
    POSTAMT_TRY(v);
    out.properties.emplace_back(std::move(name), std::move(*v));
  }
  for (const std::string& c : comments) out.comment += (out.comment.empty() ? "" : " ") + c;
  return out;
}

// The authserv-id of a field value that does not parse as a whole: its first value,
// if that much can be read.
std::optional<std::string> leading_id(std::string_view value) {
  Cursor in(value);
  if (!in.skip_cfws(nullptr)) return std::nullopt;
  auto id = in.value("authserv-id");
  if (!id) return std::nullopt;
  return std::move(*id);
}

// Every header field as a mail reader may see it: each line up to the empty line that
// starts with a field name and ':' opens a field, lines starting with SP or HT continue
// it, and any other line ends it without being part of one. Unlike
// mime::scan_header_block it does not stop at a malformed line, so a field hidden behind
// one is still found (RFC 8601 §5 asks for every field naming us to go).
struct FieldSpan {
  size_t start = 0;  // the field's first octet
  size_t colon = 0;  // the ':' after its name
  size_t end = 0;    // after its last line's line end
};

std::vector<FieldSpan> lenient_fields(std::string_view message) {
  std::vector<FieldSpan> out;
  bool open = false;
  size_t pos = 0;
  while (pos < message.size()) {
    size_t eol = message.find('\n', pos);
    const size_t next = eol == std::string_view::npos ? message.size() : eol + 1;
    std::string_view line = message.substr(pos, next - pos);
    if (line == "\r\n" || line == "\n") break;  // the end of the header
    if (line[0] == ' ' || line[0] == '\t') {
      if (open) out.back().end = next;
    } else {
      const size_t colon = line.find(':');
      bool name = colon != std::string_view::npos && colon > 0;
      for (size_t i = 0; name && i < colon; ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        name = c > 32 && c < 127;  // RFC 5322 §3.6.8 ftext
      }
      open = name;
      if (name) out.push_back(FieldSpan{pos, pos + colon, next});
    }
    pos = next;
  }
  return out;
}

}  // namespace

std::string render(const AuthResults& results) {
  FoldedField field(fmt::format("{}: {}", kFieldName, value(sanitized(results.authserv_id))));
  if (results.results.empty()) {
    field.append(";");
    field.piece("none");
  }
  for (const MethodResult& r : results.results) {
    field.append(";");
    std::string head = keyword(r.method);
    if (!r.version.empty()) head += "/" + keyword(r.version);
    head += "=" + keyword(r.result);
    if (!r.comment.empty()) head += " " + comment(r.comment);
    // One method result per line, as readers scan them; its properties follow on it.
    field.line(head);
    if (!r.reason.empty()) field.piece("reason=" + quoted(r.reason));
    for (const auto& [name, v] : r.properties) {
      field.piece(keyword(name) + "=" + property_value(sanitized(v)));
    }
  }
  return std::move(field).finish();
}

Result<AuthResults> parse(std::string_view value) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (is_control(u) && c != '\t' && c != '\r' && c != '\n') {
      return Error{ErrorKind::invalid,
                   fmt::format("Authentication-Results holds control character 0x{:02X}", u)};
    }
  }
  Cursor in(value);
  AuthResults out;
  POSTAMT_TRY(in.skip_cfws(nullptr));
  auto id = in.value("the authserv-id");
  POSTAMT_TRY(id);
  out.authserv_id = std::move(*id);
  POSTAMT_TRY(in.skip_cfws(nullptr));
  // §2.2 authres-version; §2.5: only version 1 is defined, and a field of another
  // version cannot be understood.
  if (is_digit(in.peek())) {
    const std::string version = in.digits();
    if (version.find_first_not_of('0') != version.size() - 1 || version.back() != '1')
      return Error{ErrorKind::invalid,
                   fmt::format("Authentication-Results version {} is not supported", version)};
    POSTAMT_TRY(in.skip_cfws(nullptr));
  }
  POSTAMT_TRY(in.expect(';', "after the authserv-id"));
  while (true) {
    // §2.2 no-result: "none" alone after the first ';'.
    if (out.results.empty()) {
      Cursor probe = in;
      if (probe.skip_cfws(nullptr) && iequals(probe.keyword(), "none") &&
          probe.skip_cfws(nullptr) && (probe.at_end() || probe.peek() == ';')) {
        if (!probe.at_end())
          return Error{ErrorKind::invalid, "text after \"none\" in Authentication-Results"};
        return out;
      }
    }
    auto r = parse_resinfo(in);
    POSTAMT_TRY(r);
    out.results.push_back(std::move(*r));
    if (in.at_end()) return out;
    in.advance();  // ';'
    // A ';' after the last result is common in the wild; tolerate it.
    Cursor rest = in;
    if (rest.skip_cfws(nullptr) && rest.at_end()) return out;
  }
}

size_t remove_forged(std::string& message, std::string_view authserv_id) {
  std::vector<FieldSpan> forged;
  for (const FieldSpan& f : lenient_fields(message)) {
    std::string_view name(message.data() + f.start, f.colon - f.start);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (!iequals(name, kFieldName)) continue;
    const std::string_view v(message.data() + f.colon + 1, f.end - f.colon - 1);
    auto parsed = parse(v);
    const std::optional<std::string> id =
        parsed ? std::optional<std::string>(parsed->authserv_id) : leading_id(v);
    if (id && iequals(*id, authserv_id)) forged.push_back(f);
  }
  for (auto it = forged.rbegin(); it != forged.rend(); ++it)
    message.erase(it->start, it->end - it->start);
  return forged.size();
}

std::optional<AuthResults> find_own(std::string_view message, std::string_view authserv_id) {
  for (const FieldSpan& f : lenient_fields(message)) {
    std::string_view name = message.substr(f.start, f.colon - f.start);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (!iequals(name, kFieldName)) continue;
    auto parsed = parse(message.substr(f.colon + 1, f.end - f.colon - 1));
    if (parsed && iequals(parsed->authserv_id, authserv_id)) return std::move(*parsed);
  }
  return std::nullopt;
}

}  // namespace postamt::mailauth
