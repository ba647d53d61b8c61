#include "mail/preview.h"

#include <algorithm>
#include <array>
#include <optional>

#include <unicode/utf8.h>

#include "base/strings.h"
#include "mime/text_search.h"

namespace postamt::mail {
namespace {

// The decoded text a preview is made from, at most.
constexpr size_t kPreviewScan = 256 * 1024;

bool is_attachment(const mime::Part& part) {
  return part.disposition && part.disposition->type == "attachment";
}

// The part a reader sees first: the first text/plain, else the first text/html.
std::optional<uint32_t> readable_part(const mime::Message& message) {
  std::optional<uint32_t> html;
  for (uint32_t index : mime::text_parts(message)) {
    const mime::Part& part = message.part(index);
    if (is_attachment(part)) continue;
    if (part.content_type.subtype == "plain") return index;
    if (part.content_type.subtype == "html" && !html) html = index;
  }
  return html;
}

// The character a reference such as "amp", "#233" or "#xE9" stands for, as UTF-8; ""
// for one not known here (then the reference stays as written).
std::string reference(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kNamed = {{
      {"amp", "&"},
      {"lt", "<"},
      {"gt", ">"},
      {"quot", "\""},
      {"apos", "'"},
      {"nbsp", " "},
      {"ndash", "\xE2\x80\x93"},
      {"mdash", "\xE2\x80\x94"},
      {"hellip", "\xE2\x80\xA6"},
      {"lsquo", "\xE2\x80\x98"},
      {"rsquo", "\xE2\x80\x99"},
      {"ldquo", "\xE2\x80\x9C"},
      {"rdquo", "\xE2\x80\x9D"},
      {"euro", "\xE2\x82\xAC"},
      {"copy", "\xC2\xA9"},
  }};
  for (const auto& [n, text] : kNamed)
    if (n == name) return std::string(text);
  if (name.size() < 2 || name[0] != '#') return {};
  uint32_t code = 0;
  const bool hex = name[1] == 'x' || name[1] == 'X';
  std::string_view digits = name.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 6) return {};
  for (char c : digits) {
    int v = c >= '0' && c <= '9'          ? c - '0'
            : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
    if (v < 0) return {};
    code = code * (hex ? 16 : 10) + static_cast<uint32_t>(v);
  }
  if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {};
  uint8_t out[U8_MAX_LENGTH];
  int32_t n = 0;
  U8_APPEND_UNSAFE(out, n, static_cast<UChar32>(code));
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

// Where "</name" starts at or after `from`, ignoring ASCII case; html.size() if nowhere.
size_t find_closing(std::string_view html, size_t from, std::string_view name) {
  for (size_t at = html.find("</", from); at != std::string_view::npos;
       at = html.find("</", at + 2)) {
    if (at + 2 + name.size() <= html.size() && iequals(html.substr(at + 2, name.size()), name))
      return at;
  }
  return html.size();
}

// HTML as text: tags go (block-level ones leave a space), and so does everything
// inside <head>, <style> and <script>; character references are decoded.
std::string html_text(std::string_view html) {
  std::string out;
  out.reserve(std::min<size_t>(html.size(), 4096));
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      if (html.substr(i, 4) == "<!--") {
        size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      size_t end = html.find('>', i + 1);
      if (end == std::string_view::npos) break;
      std::string tag = ascii_lower(html.substr(i + 1, end - i - 1));
      std::string_view name = tag;
      name = name.substr(0, std::min(name.find_first_of(" \t\r\n/"), name.size()));
      i = end + 1;
      for (std::string_view skipped : {"head", "style", "script", "title"}) {
        if (name != skipped) continue;
        i = find_closing(html, i, skipped);
        size_t gt = html.find('>', i);
        i = gt == std::string_view::npos ? html.size() : gt + 1;
      }
      out += ' ';
      continue;
    }
    if (c == '&') {
      size_t semi = html.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 10) {
        std::string text = reference(html.substr(i + 1, semi - i - 1));
        if (!text.empty()) {
          out += text;
          i = semi + 1;
          continue;
        }
      }
    }
    out += c;
    ++i;
  }
  return out;
}

// Plain text without quoted lines and without the signature.
std::string plain_text(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(i, end - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    i = end + 1;
    if (line == "-- ") break;  // RFC 3676 §4.3 signature separator
    if (!line.empty() && line.front() == '>') continue;
    out += line;
    out += ' ';
  }
  return out;
}

// Whitespace runs become one space, control characters and ill-formed UTF-8 go, and the
// text ends after `max` characters.
std::string tidy(std::string_view text, size_t max) {
  std::string out;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  size_t characters = 0;
  bool space = false;
  while (i < length && characters < max) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) continue;
    const bool white = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xA0 ||
                       c == 0x2028 || c == 0x2029 || c == 0x200B || c == 0xFEFF;
    if (white) {
      space = !out.empty();
      continue;
    }
    if (c < 0x20 || (c >= 0x7F && c < 0xA0)) continue;
    if (space) {
      out += ' ';
      ++characters;
      space = false;
      if (characters == max) break;
    }
    out.append(text.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
    ++characters;
  }
  return out;
}

}  // namespace

std::string message_preview(const mime::Message& message, size_t max_characters) {
  auto index = readable_part(message);
  if (!index) return {};
  const mime::Part& part = message.part(*index);
  std::string decoded = mime::decoded_text(message, part);
  // The beginning is enough for a preview, and bounds the work for a huge part.
  std::string_view start = std::string_view(decoded).substr(0, kPreviewScan);
  std::string text = part.content_type.subtype == "html" ? html_text(start) : plain_text(start);
  return tidy(text, max_characters);
}

}  // namespace postamt::mail
