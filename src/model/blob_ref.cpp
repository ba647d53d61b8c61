#include "model/blob_ref.h"

#include <algorithm>

namespace postamt {

std::optional<BlobRef> BlobRef::parse(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  // Branch-free over a fixed count, so the compiler vectorises it: with random digits a
  // branch per character mispredicts about every third one, and a SELECT of a large
  // mailbox parses one ref per message.
  unsigned char bad = 0;
  for (size_t i = 0; i < 64; ++i) {
    auto u = static_cast<unsigned char>(hex[i]);
    auto digit = static_cast<unsigned char>(u - '0');
    auto letter = static_cast<unsigned char>(u - 'a');
    bad |= static_cast<unsigned char>((digit > 9) & (letter > 5));
  }
  if (bad) return std::nullopt;
  BlobRef r;
  std::copy(hex.begin(), hex.end(), r.hex_.begin());
  return r;
}

}  // namespace postamt
