#include "model/object_ids.h"

#include <charconv>

namespace postamt {

namespace {

constexpr size_t kEmailDigits = 24;

}  // namespace

std::string mailbox_object_id(UidValidity uid_validity) {
  return "F" + std::to_string(uid_validity);
}

std::string email_object_id(const BlobRef& blob) {
  return "M" + std::string(blob.digits().substr(0, kEmailDigits));
}

std::string thread_object_id(uint64_t thread) {
  return "T" + std::to_string(thread);
}

// "T" and digits without a leading zero that fit 64 bits (from_chars fails beyond).
std::optional<uint64_t> parse_thread_object_id(std::string_view id) {
  if (id.size() < 2 || id[0] != 'T' || id[1] == '0') return std::nullopt;
  uint64_t value = 0;
  const char* end = id.data() + id.size();
  auto [ptr, ec] = std::from_chars(id.data() + 1, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

bool is_email_object_id_of(std::string_view id, const BlobRef& blob) {
  return !blob.empty() && id.size() == 1 + kEmailDigits && id[0] == 'M' &&
         id.substr(1) == blob.digits().substr(0, kEmailDigits);
}

}  // namespace postamt
