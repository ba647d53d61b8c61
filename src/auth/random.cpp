#include "auth/random.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <vector>

namespace postamt::auth {

std::string random_hex(size_t octets) {
  std::vector<unsigned char> raw(octets);
  if (octets > 0 && RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) std::abort();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(octets * 2);
  for (unsigned char b : raw) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

}  // namespace postamt::auth
