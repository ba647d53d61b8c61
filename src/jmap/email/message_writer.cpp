#include "jmap/email/message_writer.h"

#include "base/base64.h"
#include "mime/encoded_word.h"

namespace postamt::jmap {

namespace {

constexpr size_t kFoldAt = 78;      // RFC 5322 §2.1.1 SHOULD
constexpr size_t kMaxLine = 998;    // RFC 5322 §2.1.1 MUST
constexpr size_t kQpLine = 76;      // RFC 2045 §6.7 rule 5
constexpr size_t kBase64Line = 76;  // RFC 2045 §6.8

bool is_printable_ascii(std::string_view s) {
  for (char c : s)
    if (c < 32 || c > 126) return false;
  return true;
}

const char kHex[] = "0123456789ABCDEF";

}  // namespace

std::string header_line(std::string_view name, std::string_view value) {
  std::string out(name);
  out.push_back(':');
  if (value.find('\n') != std::string_view::npos || value.find('\r') != std::string_view::npos) {
    out += value;
    out += "\r\n";
    return out;
  }
  size_t line_start = 0;
  size_t i = 0;
  // Fold only before a space (RFC 5322 §3.2.2 FWS).
  while (i < value.size()) {
    size_t next = value.find(' ', i + 1);
    if (next == std::string_view::npos) next = value.size();
    std::string_view word = value.substr(i, next - i);
    size_t line_length = out.size() - line_start;
    // Folding right after the colon helps only a first word that then fits (a long
    // RFC 2047 word, §2: up to 75 octets).
    bool first = line_length == name.size() + 1;
    if (value[i] == ' ' && line_length + word.size() > kFoldAt &&
        (!first || word.size() <= kFoldAt)) {
      out += "\r\n";
      line_start = out.size();
    }
    out += word;
    i = next;
  }
  out += "\r\n";
  return out;
}

std::string encode_unstructured(std::string_view utf8) {
  std::string clean;
  clean.reserve(utf8.size());
  for (char c : utf8) clean.push_back((c >= 0 && c < 32) || c == 127 ? ' ' : c);
  // Text that looks like an encoded word is encoded too, so it reads back as written.
  if (is_printable_ascii(clean) && clean.find("=?") == std::string::npos) return clean;
  return mime::encode_words_utf8(clean);
}

std::string content_type_name_param(std::string_view name, std::string_view value) {
  std::string out = "; ";
  out += name;
  out += "=\"";
  std::string v = is_printable_ascii(value) ? std::string(value) : mime::encode_words_utf8(value);
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string rfc2231_param(std::string_view name, std::string_view value) {
  if (is_printable_ascii(value)) return content_type_name_param(name, value);
  std::string out = "; ";
  out += name;
  out += "*=utf-8''";
  for (char ch : value) {
    unsigned char c = static_cast<unsigned char>(ch);
    // RFC 2231 §7 attribute-char: no specials, no '*', '\'', '%'.
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_' || c == '~' || c == '!' || c == '$' || c == '&' ||
                 c == '+' || c == '#' || c == '^' || c == '`' || c == '{' || c == '}' || c == '|';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string encode_quoted_printable(std::string_view text) {
  std::string out;
  size_t line = 0;
  auto emit = [&](std::string_view piece) {
    // Rule 5: a soft break ("=" CRLF) before the line would pass 76 octets.
    if (line + piece.size() > kQpLine - 1) {
      out += "=\r\n";
      line = 0;
    }
    out += piece;
    line += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      out += "\r\n";
      line = 0;
      ++i;
      continue;
    }
    bool at_line_end =
        i + 1 == text.size() || (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n');
    // Rule 3: whitespace at the end of a line is encoded; rule 2: printable ASCII but "=".
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    if (literal) {
      char s[1] = {static_cast<char>(c)};
      emit(std::string_view(s, 1));
    } else {
      char s[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      emit(std::string_view(s, 3));
    }
  }
  return out;
}

std::string encode_base64_lines(std::string_view bytes) {
  std::string encoded = base64::encode(bytes);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / kBase64Line * 2 + 2);
  for (size_t i = 0; i < encoded.size(); i += kBase64Line) {
    out.append(encoded, i, kBase64Line);
    out += "\r\n";
  }
  return out;
}

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool is_seven_bit_clean(std::string_view bytes) {
  size_t line = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == 0 || c >= 128) return false;
    if (c == '\r') {
      if (i + 1 >= bytes.size() || bytes[i + 1] != '\n') return false;
      ++i;
      line = 0;
      continue;
    }
    if (c == '\n') return false;
    if (++line > kMaxLine) return false;
  }
  return true;
}

}  // namespace postamt::jmap
