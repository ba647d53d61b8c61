// BlobRef: the name of an immutable byte string in a blob store (src/blob): the
// lowercase hex SHA-256 of its content. It lives in model because store records carry
// it without needing the blob library.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace postamt {

class BlobRef {
 public:
  BlobRef() = default;
  // Accepts exactly 64 lowercase hex digits; nullopt otherwise.
  static std::optional<BlobRef> parse(std::string_view hex);

  const std::string& hex() const { return hex_; }
  bool empty() const { return hex_.empty(); }
  friend auto operator<=>(const BlobRef&, const BlobRef&) = default;

 private:
  std::string hex_;
};

}  // namespace postamt

template <>
struct std::hash<postamt::BlobRef> {
  size_t operator()(const postamt::BlobRef& r) const noexcept {
    return std::hash<std::string>{}(r.hex());
  }
};
