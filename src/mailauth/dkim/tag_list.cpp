#include "mailauth/dkim/tag_list.h"

namespace postamt::dkim {
namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}
bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_valchar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7e && c != ';';
}

// Skips FWS (RFC 6376 §2.8: [*WSP CRLF] 1*WSP, read loosely as any mix of WSP and CRLF
// followed by WSP). Returns false when a CRLF is not followed by WSP.
bool skip_fws(std::string_view s, size_t& pos) {
  while (pos < s.size()) {
    if (is_wsp(s[pos])) {
      ++pos;
    } else if (s.compare(pos, 2, "\r\n") == 0) {
      if (pos + 2 >= s.size() || !is_wsp(s[pos + 2])) return false;
      pos += 2;
    } else {
      break;
    }
  }
  return true;
}

}  // namespace

Result<TagList> TagList::parse(std::string_view text) {
  TagList list;
  size_t pos = 0;
  while (true) {
    if (!skip_fws(text, pos)) return Error(ErrorKind::invalid, "tag list: CRLF without folding");
    if (pos == text.size()) break;  // empty list, or a trailing ';'
    size_t name_start = pos;
    if (!is_alpha(text[pos])) return Error(ErrorKind::invalid, "tag list: bad tag name");
    while (pos < text.size() && (is_alpha(text[pos]) || is_digit(text[pos]) || text[pos] == '_')) {
      ++pos;
    }
    std::string_view name = text.substr(name_start, pos - name_start);
    if (!skip_fws(text, pos)) return Error(ErrorKind::invalid, "tag list: CRLF without folding");
    if (pos == text.size() || text[pos] != '=') {
      return Error(ErrorKind::invalid, "tag list: no '=' after tag " + std::string(name));
    }
    ++pos;
    if (!skip_fws(text, pos)) return Error(ErrorKind::invalid, "tag list: CRLF without folding");
    size_t value_start = pos;
    size_t value_end = pos;
    while (pos < text.size() && text[pos] != ';') {
      if (is_valchar(text[pos])) {
        ++pos;
        value_end = pos;
      } else if (is_wsp(text[pos]) || text[pos] == '\r') {
        if (!skip_fws(text, pos)) {
          return Error(ErrorKind::invalid, "tag list: CRLF without folding");
        }
        if (pos < text.size() && text[pos] == '\r') {
          return Error(ErrorKind::invalid, "tag list: bad byte in value of " + std::string(name));
        }
      } else {
        return Error(ErrorKind::invalid, "tag list: bad byte in value of " + std::string(name));
      }
    }
    if (list.find(name) != nullptr) {
      // RFC 6376 §3.2: "Tags with duplicate names MUST NOT occur within a single tag-list;
      // if a tag name does occur more than once, the entire tag-list is invalid."
      return Error(ErrorKind::invalid, "tag list: duplicate tag " + std::string(name));
    }
    list.tags_.push_back({name, text.substr(value_start, value_end - value_start), value_start});
    if (pos == text.size()) break;
    ++pos;  // ';'
  }
  return list;
}

const Tag* TagList::find(std::string_view name) const {
  for (const Tag& t : tags_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::optional<std::string_view> TagList::get(std::string_view name) const {
  const Tag* t = find(name);
  if (t == nullptr) return std::nullopt;
  return t->value;
}

std::string strip_whitespace(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
  }
  return out;
}

}  // namespace postamt::dkim
