#include "jmap/email/blob_ids.h"

#include <algorithm>

namespace postamt::jmap {

namespace {
constexpr size_t kHexDigits = 64;
constexpr size_t kMaxIdLength = 255;  // RFC 8620 §1.2
}  // namespace

std::string blob_id(const BlobRef& blob) {
  std::string out = "B";
  out += blob.digits();
  return out;
}

std::string part_blob_id(const BlobRef& message, std::string_view part_id) {
  std::string out = blob_id(message);
  out.push_back('_');
  for (char c : part_id) out.push_back(c == '.' ? '-' : c);
  return out;
}

bool is_valid_part_id(std::string_view part_id) {
  if (part_id.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t end = part_id.find('.', start);
    std::string_view number =
        part_id.substr(start, end == std::string_view::npos ? end : end - start);
    if (number.empty() || number.size() > 9 || number[0] == '0') return false;
    if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

std::optional<BlobIdRef> parse_blob_id(std::string_view id) {
  if (id.size() < 1 + kHexDigits || id.size() > kMaxIdLength || id[0] != 'B') return std::nullopt;
  auto blob = BlobRef::parse(id.substr(1, kHexDigits));
  if (!blob) return std::nullopt;
  std::string_view rest = id.substr(1 + kHexDigits);
  if (rest.empty()) return BlobIdRef{*blob, ""};
  if (rest[0] != '_') return std::nullopt;
  std::string part_id(rest.substr(1));
  for (char& c : part_id) {
    if (c == '.') return std::nullopt;  // only the "-" spelling is ours
    if (c == '-') c = '.';
  }
  if (!is_valid_part_id(part_id)) return std::nullopt;
  return BlobIdRef{*blob, std::move(part_id)};
}

}  // namespace postamt::jmap
