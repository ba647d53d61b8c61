#include "mail/unicode_text.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utf8.h>

#include <climits>
#include <cstdint>

namespace postamt::mail {

bool for_each_code_point(std::string_view text, const std::function<bool(char32_t)>& visit) {
  if (text.size() > INT32_MAX) return false;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    // U8_NEXT gives a negative value for ill-formed sequences (overlong forms,
    // surrogates, values above U+10FFFF, truncated sequences).
    if (c < 0) return false;
    if (!visit(static_cast<char32_t>(c))) break;
  }
  return true;
}

bool is_utf8(std::string_view text) {
  return for_each_code_point(text, [](char32_t) { return true; });
}

bool has_control_character(std::string_view text) {
  bool found = false;
  for_each_code_point(text, [&found](char32_t c) {
    found = c < 0x20 || (c >= 0x7F && c <= 0x9F);
    return !found;
  });
  return found;
}

Result<std::string> to_nfc(std::string_view utf8) {
  if (utf8.size() > INT32_MAX) return Error{ErrorKind::internal, "text too long to normalize"};
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return Error{ErrorKind::internal, "ICU has no NFC normalizer"};
  const icu::StringPiece piece(utf8.data(), static_cast<int32_t>(utf8.size()));
  // Most names are NFC already: check before copying.
  if (normalizer->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return std::string(utf8);
  status = U_ZERO_ERROR;
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(utf8.size()));
  normalizer->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) return Error{ErrorKind::internal, "NFC normalization failed"};
  return out;
}

}  // namespace postamt::mail
