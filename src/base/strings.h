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
// RFC 5322 §3.2.3 atext, ASCII only (letters, digits and !#$%&'*+-/=?^_`{|}~).
bool is_ascii_atext(char c);

}  // namespace postamt
