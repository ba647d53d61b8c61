#include "mime/address.h"

#include <optional>

#include "base/strings.h"
#include "mime/charset.h"
#include "mime/encoded_word.h"
#include "mime/header.h"

namespace postamt::mime {
namespace {

// RFC 5322 §3.2.3 atext, plus 8-bit bytes (RFC 6532 §3.2 UTF-8 in atoms).
bool is_atext(char ch) {
  return static_cast<unsigned char>(ch) >= 128 || is_ascii_atext(ch);
}
bool is_ctl(char ch) {
  auto c = static_cast<unsigned char>(ch);
  return c < 32 || c == 127;
}

enum class TokenKind { atom, quoted, comment, literal, special };

struct Token {
  TokenKind kind;
  std::string text;  // atom text, unquoted string, comment content, "[literal]", or the char
  size_t begin = 0;  // offsets in the input
  size_t end = 0;
  bool space_before = false;
  bool is(char c) const { return kind == TokenKind::special && text.size() == 1 && text[0] == c; }
  bool is_word() const { return kind == TokenKind::atom || kind == TokenKind::quoted; }
};

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  bool space = false;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      ++i;
      continue;
    }
    Token t{TokenKind::special, {}, i, i, space};
    space = false;
    if (is_atext(c)) {
      t.kind = TokenKind::atom;
      while (i < s.size() && is_atext(s[i])) ++i;
      t.text = std::string(s.substr(t.begin, i - t.begin));
    } else if (c == '"') {
      t.kind = TokenKind::quoted;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        if (s[i] != '\r' && s[i] != '\n') t.text.push_back(s[i]);
        ++i;
      }
      if (i < s.size()) ++i;
    } else if (c == '(') {
      t.kind = TokenKind::comment;
      int level = 0;
      while (i < s.size()) {
        char d = s[i];
        if (d == '\\' && i + 1 < s.size()) {
          t.text.push_back(s[i + 1]);
          i += 2;
          continue;
        }
        ++i;
        if (d == '(' && level++ == 0) continue;
        if (d == ')' && --level == 0) break;
        if (d != '\r' && d != '\n') t.text.push_back(d);
      }
      space = true;  // a comment separates words like whitespace
    } else if (c == '[') {
      t.kind = TokenKind::literal;
      size_t close = s.find(']', i);
      i = close == std::string_view::npos ? s.size() : close + 1;
      t.text = std::string(s.substr(t.begin, i - t.begin));
    } else {
      t.text = std::string(1, c);
      ++i;
    }
    t.end = i;
    out.push_back(std::move(t));
  }
  return out;
}

class ListParser {
 public:
  ListParser(std::vector<Token> tokens, NameDecoding decoding)
      : t_(std::move(tokens)), decoding_(decoding) {}

  std::vector<Address> run() {
    std::vector<Address> out;
    while (i_ < t_.size()) {
      if (t_[i_].is(',') || t_[i_].is(';') || t_[i_].is('>')) {
        ++i_;
        continue;
      }
      size_t before = i_;
      if (starts_group()) {
        Group g;
        g.name = phrase_until(':');
        ++i_;  // ':'
        while (i_ < t_.size() && !t_[i_].is(';')) {
          if (t_[i_].is(',')) {
            ++i_;
            continue;
          }
          size_t b = i_;
          if (auto m = mailbox(InGroup::yes)) g.members.push_back(std::move(*m));
          if (i_ == b) ++i_;
        }
        if (i_ < t_.size()) ++i_;  // ';'
        out.emplace_back(std::move(g));
      } else if (auto m = mailbox(InGroup::no)) {
        out.emplace_back(std::move(*m));
      }
      if (i_ == before) ++i_;
    }
    return out;
  }

 private:
  enum class InGroup { no, yes };

  // A group starts with a phrase followed by ':' before any '<', '@', ',' or ';'.
  bool starts_group() const {
    for (size_t k = i_; k < t_.size(); ++k) {
      const Token& t = t_[k];
      if (t.is(':')) return k > i_;
      if (t.is_word() || t.kind == TokenKind::comment || t.is('.')) continue;
      return false;
    }
    return false;
  }

  std::string finish_name(std::string name) const {
    if (decoding_ == NameDecoding::rfc2047) return decode_encoded_words(name);
    return name;
  }

  // Joins the words (and obs-phrase dots) from the cursor up to `stop`, one space where
  // the input had whitespace or a comment.
  std::string phrase_until(char stop) {
    std::string name;
    for (; i_ < t_.size() && !t_[i_].is(stop); ++i_) {
      const Token& t = t_[i_];
      if (t.kind == TokenKind::comment) continue;
      if (!name.empty() && t.space_before) name.push_back(' ');
      name += t.text;
    }
    return finish_name(std::move(name));
  }

  bool at_end_of_entry(InGroup g) const {
    return i_ >= t_.size() || t_[i_].is(',') || (g == InGroup::yes && t_[i_].is(';'));
  }

  // local-part "@" domain at the cursor, ending before '>' or the end of the entry.
  void addr_spec(Mailbox& m, InGroup g, std::string& last_comment) {
    bool at_seen = false;
    for (; !at_end_of_entry(g) && !t_[i_].is('>'); ++i_) {
      const Token& t = t_[i_];
      if (t.kind == TokenKind::comment) {
        last_comment = t.text;
        continue;
      }
      if (t.is('@') && !at_seen) {
        at_seen = true;
        continue;
      }
      if (t.is('<') || t.is(':') || t.is(';')) break;
      std::string& target = at_seen ? m.domain : m.local_part;
      if (!at_seen && !target.empty() && target.back() != '.' && t.space_before && t.is_word())
        target.push_back(' ');
      target += t.text;
    }
  }

  std::optional<Mailbox> mailbox(InGroup g) {
    Mailbox m;
    std::string last_comment;
    // Is there an angle address in this entry?
    size_t angle = t_.size();
    for (size_t k = i_; k < t_.size(); ++k) {
      if (t_[k].is(',') || (g == InGroup::yes && t_[k].is(';'))) break;
      if (t_[k].is('<')) {
        angle = k;
        break;
      }
    }
    if (angle < t_.size()) {
      std::string name;
      for (; i_ < angle; ++i_) {
        const Token& t = t_[i_];
        if (t.kind == TokenKind::comment) {
          last_comment = t.text;
          continue;
        }
        if (!name.empty() && t.space_before) name.push_back(' ');
        name += t.text;
      }
      m.name = finish_name(std::move(name));
      ++i_;  // '<'
      if (i_ < t_.size() && t_[i_].is('@')) {
        // RFC 5322 §4.4 obs-route: "@a,@b:" before the addr-spec.
        size_t colon = i_;
        while (colon < t_.size() && !t_[colon].is(':') && !t_[colon].is('>')) ++colon;
        if (colon < t_.size() && t_[colon].is(':')) {
          for (; i_ < colon; ++i_)
            if (t_[i_].kind != TokenKind::comment) m.route += t_[i_].text;
          ++i_;
        }
      }
      addr_spec(m, g, last_comment);
      if (i_ < t_.size() && t_[i_].is('>')) ++i_;
    } else {
      addr_spec(m, g, last_comment);
    }
    // Whatever else is in this entry is junk; a trailing comment may name the mailbox.
    while (!at_end_of_entry(g)) {
      if (t_[i_].kind == TokenKind::comment) last_comment = t_[i_].text;
      ++i_;
    }
    if (m.name.empty() && !last_comment.empty())
      m.name = finish_name(std::string(trim(last_comment)));
    if (m.local_part.empty() && m.domain.empty()) return std::nullopt;
    return m;
  }

  std::vector<Token> t_;
  NameDecoding decoding_;
  size_t i_ = 0;
};

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i - 1] == '.') return false;
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

// RFC 5322 §3.4.1 domain-literal without obsolete forms: "[" dtext* "]".
bool is_domain_literal(std::string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return false;
  for (char c : s.substr(1, s.size() - 2)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u == 127 || c == '[' || c == ']' || c == '\\') return false;
  }
  return true;
}

Error invalid(std::string message) {
  return Error(ErrorKind::invalid, std::move(message));
}

}  // namespace

std::string Mailbox::addr_spec() const {
  std::string out;
  if (is_dot_atom(local_part)) {
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

std::vector<Address> parse_address_list(std::string_view value, NameDecoding decoding) {
  return ListParser(tokenize(value), decoding).run();
}

Result<Mailbox> parse_addr_spec_strict(std::string_view s) {
  Mailbox m;
  if (!is_valid_utf8(s)) return invalid("address is not UTF-8");
  size_t i = 0;
  if (i < s.size() && s[0] == '"') {
    ++i;
    for (;; ++i) {
      if (i >= s.size()) return invalid("unterminated quoted local part");
      char c = s[i];
      if (c == '"') break;
      if (c == '\\') {
        if (++i >= s.size() || (is_ctl(s[i]) && s[i] != '\t'))
          return invalid("bad quoted pair in local part");
        m.local_part.push_back(s[i]);
        continue;
      }
      if (is_ctl(c) && c != '\t') return invalid("control character in local part");
      m.local_part.push_back(c);
    }
    ++i;
    if (m.local_part.empty()) return invalid("empty local part");
  } else {
    size_t at = s.rfind('@');
    if (at == std::string_view::npos) return invalid("no '@' in address");
    std::string_view local = s.substr(0, at);
    if (!is_dot_atom(local)) return invalid("local part is not a dot-atom");
    m.local_part = std::string(local);
    i = at;
  }
  if (i >= s.size() || s[i] != '@') return invalid("no '@' after local part");
  std::string_view domain = s.substr(i + 1);
  if (!is_dot_atom(domain) && !is_domain_literal(domain)) return invalid("bad domain");
  m.domain = std::string(domain);
  return m;
}

Result<Mailbox> parse_mailbox_strict(std::string_view s) {
  std::vector<Token> tokens = tokenize(s);
  std::vector<const Token*> t;
  for (const Token& tok : tokens)
    if (tok.kind != TokenKind::comment) t.push_back(&tok);
  if (t.empty()) return invalid("no mailbox");
  size_t angle = t.size();
  for (size_t k = 0; k < t.size(); ++k)
    if (t[k]->is('<')) {
      angle = k;
      break;
    }
  if (angle == t.size()) {
    for (const Token* tok : t)
      if (tok->is('>') || tok->is(',') || tok->is(':') || tok->is(';'))
        return invalid("not a single mailbox");
    return parse_addr_spec_strict(s.substr(t.front()->begin, t.back()->end - t.front()->begin));
  }
  if (!t.back()->is('>')) return invalid("mailbox does not end with '>'");
  if (angle + 2 >= t.size()) return invalid("empty angle address");
  std::string name;
  for (size_t k = 0; k < angle; ++k) {
    if (!t[k]->is_word()) return invalid("display name is not a phrase");
    if (!name.empty()) name.push_back(' ');
    name += t[k]->text;
  }
  for (size_t k = angle + 1; k + 1 < t.size(); ++k)
    if (t[k]->is('<') || t[k]->is('>')) return invalid("nested angle brackets");
  size_t b = t[angle + 1]->begin;
  size_t e = t[t.size() - 2]->end;
  auto m = parse_addr_spec_strict(s.substr(b, e - b));
  if (!m) return m.error();
  m->name = decode_encoded_words(name);
  return m;
}

Result<std::string> format_mailbox(const Mailbox& m) {
  if (m.local_part.empty() || m.domain.empty()) return invalid("empty local part or domain");
  for (char c : m.local_part)
    if (is_ctl(c)) return invalid("control character in local part");
  if (!is_dot_atom(m.domain) && !is_domain_literal(m.domain)) return invalid("bad domain");
  // RFC 6532 §3.2: 8-bit octets in an address are UTF-8; write nothing that
  // parse_addr_spec_strict would refuse.
  if (!is_valid_utf8(m.local_part) || !is_valid_utf8(m.domain))
    return invalid("address is not UTF-8");
  std::string addr = m.addr_spec();
  std::string name;
  name.reserve(m.name.size());
  for (char c : m.name) name.push_back(is_ctl(c) ? ' ' : c);
  std::string_view shown = trim(name);
  if (shown.empty()) return addr;
  bool ascii = true;
  bool atoms = true;
  for (size_t k = 0; k < shown.size(); ++k) {
    char c = shown[k];
    if (static_cast<unsigned char>(c) >= 128) ascii = false;
    if (c == ' ' ? (k > 0 && shown[k - 1] == ' ') : !is_atext(c)) atoms = false;
  }
  std::string out;
  if (!ascii) {
    out = encode_words_utf8(shown);
  } else if (atoms) {
    out = std::string(shown);
  } else {
    out.push_back('"');
    for (char c : shown) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out += " <";
  out += addr;
  out.push_back('>');
  return out;
}

}  // namespace postamt::mime
