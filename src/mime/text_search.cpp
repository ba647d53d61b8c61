#include "mime/text_search.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "mime/charset.h"
#include "mime/transfer_encoding.h"

namespace postamt::mime {

std::string fold_case(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto length = static_cast<int32_t>(utf8.size());
  int32_t i = 0;
  while (i < length) {
    uint8_t b = bytes[i];
    if (b < 0x80) {
      // The common case stays cheap: ASCII folds to ASCII lowercase.
      out.push_back(b >= 'A' && b <= 'Z' ? static_cast<char>(b + ('a' - 'A'))
                                         : static_cast<char>(b));
      ++i;
      continue;
    }
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) c = 0xFFFD;
    c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
    uint8_t encoded[U8_MAX_LENGTH];
    int32_t n = 0;
    U8_APPEND_UNSAFE(encoded, n, c);
    out.append(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
  }
  return out;
}

namespace {

bool is_ascii(std::string_view text) {
  unsigned char any = 0;
  for (char c : text) any |= static_cast<unsigned char>(c);
  return any < 0x80;
}

char ascii_folded(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

// Horspool's search of an ASCII haystack for a folded (lowercase) ASCII needle, folding
// the haystack's letters as it compares.
bool ascii_find_folded(std::string_view haystack, std::string_view needle) {
  const size_t m = needle.size();
  const size_t n = haystack.size();
  if (m > n) return false;
  std::array<uint8_t, 128> skip;
  const size_t cap = std::min<size_t>(m, 255);
  skip.fill(static_cast<uint8_t>(cap));
  for (size_t i = 0; i + 1 < m; ++i) {
    auto shift = static_cast<uint8_t>(std::min(m - 1 - i, cap));
    auto c = static_cast<unsigned char>(needle[i]);
    skip[c] = shift;
    if (c >= 'a' && c <= 'z') skip[c - ('a' - 'A')] = shift;
  }
  size_t pos = 0;
  while (pos <= n - m) {
    size_t j = m;
    while (j > 0 && ascii_folded(haystack[pos + j - 1]) == needle[j - 1]) --j;
    if (j == 0) return true;
    pos += skip[static_cast<unsigned char>(haystack[pos + m - 1])];
  }
  return false;
}

}  // namespace

bool contains_folded(std::string_view haystack, std::string_view folded_needle) {
  if (folded_needle.empty()) return true;
  if (haystack.size() * 3 < folded_needle.size()) return false;  // folding at most triples bytes
  // Most mail text is ASCII, which folds byte by byte to ASCII: search it in place
  // instead of building a folded copy. (Non-ASCII haystacks need the copy: characters
  // such as U+212A KELVIN SIGN fold to ASCII letters.)
  if (is_ascii(haystack)) {
    if (!is_ascii(folded_needle)) return false;
    return ascii_find_folded(haystack, folded_needle);
  }
  return fold_case(haystack).find(folded_needle) != std::string::npos;
}

std::vector<uint32_t> text_parts(const Message& message) {
  std::vector<uint32_t> out;
  const auto& parts = message.parts();
  for (uint32_t i = 0; i < parts.size(); ++i) {
    const Part& p = parts[i];
    if (p.first_child == kNoPart && p.content_type.type == "text") out.push_back(i);
  }
  return out;
}

std::string decoded_text(const Message& message, const Part& part) {
  std::string bytes =
      decode_body(message.buffer().substr(part.body_start, part.body_size()), part.encoding);
  const std::string* charset = part.content_type.param("charset");
  if (!charset) return bytes;
  auto converted = to_utf8(*charset, bytes);
  return converted ? std::move(*converted) : bytes;
}

}  // namespace postamt::mime
