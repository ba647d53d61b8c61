#include "mime/charset.h"

#include <unicode/ucnv.h>

#include "base/strings.h"

namespace postamt::mime {

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates and values above U+10FFFF are not UTF-8 (RFC 3629 §3).
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

std::optional<std::string> to_utf8(std::string_view charset, std::string_view bytes) {
  if (iequals(charset, "us-ascii") || iequals(charset, "utf-8") || iequals(charset, "utf8") ||
      iequals(charset, "ascii"))
    return std::string(bytes);
  if (charset.empty() || charset.size() > 64) return std::nullopt;
  for (char c : charset)
    if (static_cast<unsigned char>(c) <= 32 || static_cast<unsigned char>(c) >= 127)
      return std::nullopt;
  std::string name(charset);
  UErrorCode status = U_ZERO_ERROR;
  UConverter* from = ucnv_open(name.c_str(), &status);
  if (U_FAILURE(status) || !from) return std::nullopt;
  UConverter* to = ucnv_open("UTF-8", &status);
  if (U_FAILURE(status) || !to) {
    ucnv_close(from);
    return std::nullopt;
  }
  std::string out;
  // A byte usually yields one UTF-16 unit (at most 3 UTF-8 bytes); a few ICU tables map
  // one byte to several code points, so grow and retry on overflow.
  for (size_t factor = 3;; factor *= 2) {
    out.resize(bytes.size() * factor + 16);
    char* target = out.data();
    const char* source = bytes.data();
    status = U_ZERO_ERROR;
    ucnv_resetToUnicode(from);
    ucnv_resetFromUnicode(to);
    ucnv_convertEx(to, from, &target, out.data() + out.size(), &source, bytes.data() + bytes.size(),
                   nullptr, nullptr, nullptr, nullptr, true, true, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR && factor < 64) continue;
    out.resize(static_cast<size_t>(target - out.data()));
    break;
  }
  ucnv_close(from);
  ucnv_close(to);
  if (U_FAILURE(status)) return std::nullopt;
  return out;
}

}  // namespace postamt::mime
