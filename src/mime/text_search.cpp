#include "mime/text_search.h"

#include <algorithm>
#include <functional>

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

}  // namespace

bool contains_folded(std::string_view haystack, std::string_view folded_needle) {
  if (folded_needle.empty()) return true;
  if (haystack.size() * 3 < folded_needle.size()) return false;  // folding at most triples bytes
  // Most mail text is ASCII, which folds byte by byte to ASCII: search it in place
  // instead of building a folded copy. (Non-ASCII haystacks need the copy: characters
  // such as U+212A KELVIN SIGN fold to ASCII letters.)
  if (is_ascii(haystack)) {
    if (!is_ascii(folded_needle)) return false;
    auto found =
        std::search(haystack.begin(), haystack.end(),
                    std::boyer_moore_horspool_searcher(
                        folded_needle.begin(), folded_needle.end(),
                        [](char c) { return std::hash<char>()(ascii_folded(c)); },
                        [](char a, char b) { return ascii_folded(a) == ascii_folded(b); }));
    return found != haystack.end();
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
