#include "auth/api_token.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "auth/scram.h"

namespace postamt::auth {
namespace {

constexpr size_t kRandomOctets = 32;
constexpr size_t kEncodedLength = 43;  // 32 octets in unpadded base64url

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// RFC 4648 §5 without padding.
std::string base64url(const unsigned char* data, size_t size) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (size_t i = 0; i < size; ++i) {
    bits = (bits << 8) | data[i];
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 0x3f]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 0x3f]);
  return out;
}

}  // namespace

std::string random_secret(size_t octets) {
  std::string raw(octets, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(octets)) != 1)
    std::abort();
  return base64url(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string new_api_token() {
  return std::string(kApiTokenPrefix) + random_secret(kRandomOctets);
}

std::string api_token_hash(std::string_view token) {
  Sha256Digest digest = sha256(token);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

bool looks_like_api_token(std::string_view text) {
  if (!text.starts_with(kApiTokenPrefix)) return false;
  std::string_view rest = text.substr(kApiTokenPrefix.size());
  if (rest.size() != kEncodedLength) return false;
  return rest.find_first_not_of(kAlphabet) == std::string_view::npos;
}

}  // namespace postamt::auth
