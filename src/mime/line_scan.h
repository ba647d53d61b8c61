// Internal to src/mime: line splitting and header field lines shared by the parser and
// scan_header_block(). Not part of the public interface.
#pragma once

#include <cstring>
#include <optional>
#include <string_view>

#include "mime/header.h"

namespace postamt::mime {

struct HeaderLine {
  size_t start = 0;
  size_t content_end = 0;  // before CRLF / LF
  size_t end = 0;          // after the line end, or the buffer end
};

inline bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

// The line starting at `pos` (pos < buffer.size()).
inline HeaderLine read_line(std::string_view buffer, size_t pos) {
  HeaderLine l;
  l.start = pos;
  const void* nl = std::memchr(buffer.data() + pos, '\n', buffer.size() - pos);
  if (!nl) {
    l.content_end = l.end = buffer.size();
    return l;
  }
  size_t lf = static_cast<size_t>(static_cast<const char*>(nl) - buffer.data());
  l.end = lf + 1;
  l.content_end = (lf > pos && buffer[lf - 1] == '\r') ? lf - 1 : lf;
  return l;
}

// A field's first line: a name of printable ASCII except ':' (RFC 5322 §2.2), optionally
// followed by whitespace (RFC 5322 §4.5.8 obs-optional), then ':'. nullopt otherwise.
inline std::optional<HeaderField> parse_field_line(std::string_view buffer, const HeaderLine& l) {
  size_t i = l.start;
  while (i < l.content_end) {
    unsigned char c = static_cast<unsigned char>(buffer[i]);
    if (c == ':' || c <= 32 || c >= 127) break;
    ++i;
  }
  if (i == l.start) return std::nullopt;
  size_t name_end = i;
  while (i < l.content_end && is_wsp(buffer[i])) ++i;
  if (i >= l.content_end || buffer[i] != ':') return std::nullopt;
  HeaderField f;
  f.start = l.start;
  f.name_end = name_end;
  f.value_start = i + 1;
  f.value_end = l.content_end;
  f.end = l.end;
  return f;
}

}  // namespace postamt::mime
