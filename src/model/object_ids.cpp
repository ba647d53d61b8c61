#include "model/object_ids.h"

#include <charconv>
#include <limits>

namespace postamt {

namespace {

constexpr size_t kEmailDigits = 24;

// Digits after `letter`, without a leading zero, as a number up to `max`.
std::optional<uint64_t> number_after(std::string_view id, char letter, uint64_t max) {
  if (id.size() < 2 || id[0] != letter || id[1] == '0') return std::nullopt;
  uint64_t value = 0;
  const char* end = id.data() + id.size();
  auto [ptr, ec] = std::from_chars(id.data() + 1, end, value);
  if (ec != std::errc() || ptr != end || value > max) return std::nullopt;
  return value;
}

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

std::optional<UidValidity> parse_mailbox_object_id(std::string_view id) {
  auto value = number_after(id, 'F', std::numeric_limits<UidValidity>::max());
  if (!value) return std::nullopt;
  return static_cast<UidValidity>(*value);
}

std::optional<uint64_t> parse_thread_object_id(std::string_view id) {
  return number_after(id, 'T', std::numeric_limits<uint64_t>::max());
}

bool is_email_object_id_of(std::string_view id, const BlobRef& blob) {
  return !blob.empty() && id.size() == 1 + kEmailDigits && id[0] == 'M' &&
         id.substr(1) == blob.digits().substr(0, kEmailDigits);
}

bool is_object_id(std::string_view id) {
  if (id.empty() || id.size() > 255) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace postamt
