#include "mailauth/dkim/canon.h"

namespace postamt::dkim {
namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// The end of the line starting at `pos`: the index just past its CRLF, or the size.
size_t line_end(std::string_view s, size_t pos) {
  size_t crlf = s.find("\r\n", pos);
  return crlf == std::string_view::npos ? s.size() : crlf + 2;
}

std::string_view field_name(std::string_view raw) {
  size_t colon = raw.find(':');
  size_t crlf = raw.find("\r\n");
  if (colon == std::string_view::npos || (crlf != std::string_view::npos && crlf < colon)) {
    return {};
  }
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  return name;
}

}  // namespace

std::vector<HeaderField> split_header(std::string_view message) {
  std::vector<HeaderField> fields;
  size_t pos = 0;
  while (pos < message.size()) {
    if (message.compare(pos, 2, "\r\n") == 0) break;  // the empty line ending the header
    size_t start = pos;
    pos = line_end(message, pos);
    // RFC 5322 §2.2.3: a line beginning with WSP continues the field (unfolding).
    while (pos < message.size() && is_wsp(message[pos])) pos = line_end(message, pos);
    std::string_view raw = message.substr(start, pos - start);
    fields.push_back({field_name(raw), raw});
  }
  return fields;
}

std::string_view body_of(std::string_view message) {
  if (message.starts_with("\r\n")) return message.substr(2);
  size_t end = message.find("\r\n\r\n");
  if (end == std::string_view::npos) return {};
  return message.substr(end + 4);
}

std::string canonicalize_header(std::string_view field, Canon canon) {
  if (canon == Canon::simple) {
    std::string out(field);
    if (!out.ends_with("\r\n")) out += "\r\n";
    return out;
  }
  // RFC 6376 §3.4.2, in its order: lower-case the name, unfold, reduce WSP runs, drop
  // WSP at the end of the value, drop WSP around the colon.
  std::string out;
  out.reserve(field.size());
  size_t colon = field.find(':');
  std::string_view name = field.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  for (char c : name) out += lower(c);
  if (colon == std::string_view::npos) {
    // No colon: only the name part exists; treat the rest as empty.
    out += "\r\n";
    return out;
  }
  out += ':';
  std::string_view value = field.substr(colon + 1);
  if (value.ends_with("\r\n")) value.remove_suffix(2);
  bool pending_space = false;
  bool started = false;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
      ++i;  // unfold: the CRLF of a continuation disappears, its WSP stays
      continue;
    }
    if (is_wsp(c)) {
      pending_space = started;  // WSP right after the colon is dropped
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    started = true;
    out += c;
  }
  out += "\r\n";
  return out;
}

std::string canonicalize_body(std::string_view body, Canon canon) {
  std::string out;
  out.reserve(body.size() + 2);
  // Count empty lines and emit them only once a non-empty line follows: that drops the
  // trailing empty lines in one pass (§3.4.3, §3.4.4).
  size_t pending_empty = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t crlf = body.find("\r\n", pos);
    bool terminated = crlf != std::string_view::npos;
    std::string_view line = body.substr(pos, (terminated ? crlf : body.size()) - pos);
    pos = terminated ? crlf + 2 : body.size();
    std::string text;
    if (canon == Canon::relaxed) {
      bool pending_space = false;
      for (char c : line) {
        if (is_wsp(c)) {
          pending_space = true;
          continue;
        }
        if (pending_space) text += ' ';
        pending_space = false;
        text += c;
      }
      // WSP at the end of the line is dropped by not flushing pending_space.
    } else {
      text.assign(line);
    }
    if (text.empty()) {
      ++pending_empty;
      continue;
    }
    for (; pending_empty > 0; --pending_empty) out += "\r\n";
    out += text;
    out += "\r\n";  // a last line without CRLF gets one (both algorithms)
  }
  if (out.empty() && canon == Canon::simple) out = "\r\n";
  return out;
}

}  // namespace postamt::dkim
