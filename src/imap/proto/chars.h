// Character classes of RFC 9051 §9 shared by the reader, the parser and the encoders.
// Internal to imap/proto.
#pragma once

namespace postamt::imap::proto::chars {

// atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials /
// resp-specials; ATOM-CHAR is any CHAR (0x01-0x7f) except those.
constexpr bool is_atom_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(':
    case ')':
    case '{':
    case '%':
    case '*':
    case '"':
    case '\\':
    case ']':
      return false;
    default:
      return true;
  }
}
// ASTRING-CHAR = ATOM-CHAR / resp-specials
constexpr bool is_astring_char(char c) {
  return is_atom_char(c) || c == ']';
}
// tag = 1*<any ASTRING-CHAR except "+">
constexpr bool is_tag_char(char c) {
  return is_astring_char(c) && c != '+';
}
// list-char = ATOM-CHAR / list-wildcards / resp-specials
constexpr bool is_list_char(char c) {
  return is_astring_char(c) || c == '%' || c == '*';
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace postamt::imap::proto::chars
