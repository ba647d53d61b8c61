// Base64 (RFC 4648 §4), as used by SASL (RFC 4422) and MIME (RFC 2045 §6.8).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postamt::base64 {

std::string encode(std::string_view bytes);

// Strict decoding for protocol use (SASL): no whitespace, correct padding.
// Returns nullopt on any deviation.
std::optional<std::string> decode(std::string_view text);

// Lenient decoding for MIME bodies: ignores characters outside the alphabet
// (line breaks, stray spaces) and stops at the first '='. Never fails.
std::string decode_lenient(std::string_view text);

}  // namespace postamt::base64
