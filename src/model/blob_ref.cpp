#include "model/blob_ref.h"

namespace postamt {

std::optional<BlobRef> BlobRef::parse(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  BlobRef r;
  r.hex_ = std::string(hex);
  return r;
}

}  // namespace postamt
