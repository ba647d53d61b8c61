#include "mime/message_id.h"

#include <vector>

#include "base/strings.h"

namespace postamt::mime {
namespace {

bool is_dot_atom_text(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_ascii_atext(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

// RFC 5322 §3.6.4 no-fold-literal = "[" *dtext "]"; dtext is printable ASCII except
// '[', ']' and '\'.
bool is_no_fold_literal(std::string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return false;
  for (char c : s.substr(1, s.size() - 2)) {
    if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') return false;
  }
  return true;
}

bool is_wsp_or_line_end(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Skips folding whitespace and nested comments (RFC 5322 §3.2.2). Returns false on an
// unterminated comment.
bool skip_cfws(std::string_view s, size_t& i) {
  while (i < s.size()) {
    if (is_wsp_or_line_end(s[i])) {
      ++i;
    } else if (s[i] == '(') {
      int depth = 0;
      while (i < s.size()) {
        char c = s[i];
        if (c == '\\') {
          i += 2;
          continue;
        }
        if (c == '(') ++depth;
        if (c == ')' && --depth == 0) break;
        ++i;
      }
      if (i >= s.size()) return false;
      ++i;
    } else {
      break;
    }
  }
  return true;
}

// id-left: dot-atom-text, or the obsolete quoted-string form when its content is a
// dot-atom-text (quoted pairs resolved), so both spellings of one id compare equal.
bool normalise_left(std::string_view left, std::string& out) {
  if (is_dot_atom_text(left)) {
    out.append(left);
    return true;
  }
  if (left.size() < 2 || left.front() != '"' || left.back() != '"') return false;
  std::string inner;
  for (size_t i = 1; i + 1 < left.size(); ++i) {
    char c = left[i];
    if (c == '\\') {
      if (i + 2 >= left.size()) return false;
      c = left[++i];
    }
    inner.push_back(c);
  }
  if (!is_dot_atom_text(inner)) return false;
  out.append(inner);
  return true;
}

}  // namespace

std::string normalize_message_id(std::string_view value) {
  size_t i = 0;
  if (!skip_cfws(value, i)) return {};
  if (i >= value.size() || value[i] != '<') return {};
  const size_t close = value.find('>', i);
  if (close == std::string_view::npos) return {};
  const std::string_view inside = value.substr(i + 1, close - i - 1);
  size_t rest = close + 1;
  if (!skip_cfws(value, rest) || rest != value.size()) return {};

  // The last '@' splits, because a quoted id-left may itself contain none but a
  // domain never contains '@'.
  const size_t at = inside.rfind('@');
  if (at == std::string_view::npos) return {};
  const std::string_view left = inside.substr(0, at);
  const std::string_view right = inside.substr(at + 1);
  std::string out = "<";
  if (!normalise_left(left, out)) return {};
  if (!is_dot_atom_text(right) && !is_no_fold_literal(right)) return {};
  out.push_back('@');
  out.append(right);
  out.push_back('>');
  if (out.size() > kMaxMessageIdLength) return {};
  return out;
}

std::string message_id_of(const HeaderView& header) {
  const HeaderField* field = header.find_first("Message-ID");
  if (field == nullptr) return {};
  return normalize_message_id(field->raw_value(header.buffer()));
}

std::string message_id_of_message(std::string_view message) {
  const std::vector<HeaderField> fields = scan_header_block(message);
  return message_id_of(HeaderView(message, fields));
}

std::vector<std::string> message_ids_in(std::string_view value) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < value.size()) {
    if (!skip_cfws(value, i)) break;
    if (i >= value.size()) break;
    if (value[i] != '<') {
      // Text that is no msg-id (a phrase, an address): skip to the next candidate.
      while (i < value.size() && value[i] != '<' && value[i] != '(' &&
             !is_wsp_or_line_end(value[i]))
        ++i;
      continue;
    }
    const size_t close = value.find('>', i);
    if (close == std::string_view::npos) break;
    std::string id = normalize_message_id(value.substr(i, close + 1 - i));
    if (!id.empty()) out.push_back(std::move(id));
    i = close + 1;
  }
  return out;
}

std::string thread_references(const HeaderView& header) {
  std::vector<std::string> ids;
  if (const HeaderField* references = header.find_first("References"))
    ids = message_ids_in(references->raw_value(header.buffer()));
  if (ids.empty()) {
    if (const HeaderField* in_reply_to = header.find_first("In-Reply-To")) {
      ids = message_ids_in(in_reply_to->raw_value(header.buffer()));
      if (ids.size() > 1) ids.resize(1);
    }
  }
  size_t first = ids.size();
  size_t length = 0;
  while (first > 0 && length + ids[first - 1].size() + 1 <= kMaxThreadReferencesLength + 1) {
    length += ids[first - 1].size() + 1;
    --first;
  }
  std::string out;
  for (size_t k = first; k < ids.size(); ++k) {
    if (!out.empty()) out += ' ';
    out += ids[k];
  }
  return out;
}

}  // namespace postamt::mime
