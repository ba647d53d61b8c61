#include "base/base64.h"

#include <array>

namespace postamt::base64 {
namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kTable = make_table();
}  // namespace

std::string encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (size_t rest = in.size() - i; rest > 0) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (rest == 2) v |= uint8_t(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    bool last = i + 4 == in.size();
    int a = kTable[uint8_t(in[i])], b = kTable[uint8_t(in[i + 1])];
    if (a < 0 || b < 0) return std::nullopt;
    char c3 = in[i + 2], c4 = in[i + 3];
    if (last && c3 == '=' && c4 == '=') {
      if (b & 15) return std::nullopt;  // non-canonical trailing bits
      out += static_cast<char>((a << 2) | (b >> 4));
      break;
    }
    int c = kTable[uint8_t(c3)];
    if (c < 0) return std::nullopt;
    if (last && c4 == '=') {
      if (c & 3) return std::nullopt;
      out += static_cast<char>((a << 2) | (b >> 4));
      out += static_cast<char>(((b & 15) << 4) | (c >> 2));
      break;
    }
    int d = kTable[uint8_t(c4)];
    if (d < 0) return std::nullopt;
    out += static_cast<char>((a << 2) | (b >> 4));
    out += static_cast<char>(((b & 15) << 4) | (c >> 2));
    out += static_cast<char>(((c & 3) << 6) | d);
  }
  return out;
}

std::string decode_lenient(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char ch : in) {
    if (ch == '=') break;
    int v = kTable[ch];
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace postamt::base64
