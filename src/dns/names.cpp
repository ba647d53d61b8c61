#include "dns/names.h"

#include <arpa/inet.h>

#include <array>

namespace postamt::dns {

Result<std::string> reverse_name(std::string_view address) {
  const std::string text(address);
  std::array<unsigned char, 16> raw{};
  if (inet_pton(AF_INET, text.c_str(), raw.data()) == 1) {
    std::string out;
    for (int i = 3; i >= 0; --i) out += std::to_string(raw[static_cast<size_t>(i)]) + ".";
    return out + "in-addr.arpa";
  }
  if (inet_pton(AF_INET6, text.c_str(), raw.data()) == 1) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 15; i >= 0; --i) {
      const unsigned char byte = raw[static_cast<size_t>(i)];
      out += kHex[byte & 0x0F];
      out += '.';
      out += kHex[byte >> 4];
      out += '.';
    }
    return out + "ip6.arpa";
  }
  return Error(ErrorKind::invalid, "not an IP address literal: " + text);
}

}  // namespace postamt::dns
