// Small string helpers used across layers. ASCII only: case folding here is for
// protocol keywords and domain names, never for user text in other scripts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postamt {

std::string ascii_lower(std::string_view s);
std::string ascii_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string_view trim(std::string_view s);
// Splits on every occurrence of `sep`; empty fields are kept.
std::vector<std::string_view> split(std::string_view s, char sep);
// Parses a whole decimal number that fits in uint64_t; no sign, no spaces.
std::optional<uint64_t> parse_u64(std::string_view s);
// Which letters a hexadecimal digit may be written with: RFC 3461 xtext allows only
// "A"-"F"; quoted-printable, RFC 2047 and RFC 2231 decoders also take lower case.
enum class HexLetters { upper, any_case };
// The value 0-15 of one hexadecimal digit, or -1 when `c` is not one.
int hex_value(char c, HexLetters letters = HexLetters::any_case);
// RFC 3986 §2.1 percent-decoding ("%41" -> "A"); a '%' without two hex digits after it
// stays as it is. No '+' -> space (that is HTML forms, not URIs).
std::string percent_decode(std::string_view s);
// RFC 5322 §3.2.3 atext, ASCII only (letters, digits and !#$%&'*+-/=?^_`{|}~).
bool is_ascii_atext(char c);

}  // namespace postamt
