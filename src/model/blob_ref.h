// BlobRef: the name of an immutable byte string in a blob store (src/blob): the
// lowercase hex SHA-256 of its content. It lives in model because store records carry
// it without needing the blob library.
#pragma once

#include <array>
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

  // The 64 hex digits; "" for an empty BlobRef. The digits are kept inline (no heap):
  // SELECT builds one record per message, 100 000 for a large mailbox.
  std::string_view digits() const {
    return empty() ? std::string_view() : std::string_view(hex_.data(), hex_.size());
  }
  std::string hex() const { return std::string(digits()); }
  bool empty() const { return hex_[0] == '\0'; }
  friend auto operator<=>(const BlobRef&, const BlobRef&) = default;

 private:
  std::array<char, 64> hex_{};
};

}  // namespace postamt

template <>
struct std::hash<postamt::BlobRef> {
  size_t operator()(const postamt::BlobRef& r) const noexcept {
    return std::hash<std::string_view>{}(r.digits());
  }
};
