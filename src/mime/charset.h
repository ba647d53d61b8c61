// Charset conversion to UTF-8 through ICU, for RFC 2047 encoded words and RFC 2231
// parameter values. Thread-safe (each call opens its own converter).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postamt::mime {

// Converts `bytes` in `charset` (any name or alias ICU knows, case-insensitive) to UTF-8.
// Invalid byte sequences become U+FFFD. Returns nullopt if the charset is unknown.
// us-ascii and utf-8 input is returned unchanged (8-bit bytes included).
std::optional<std::string> to_utf8(std::string_view charset, std::string_view bytes);

// True if `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

}  // namespace postamt::mime
