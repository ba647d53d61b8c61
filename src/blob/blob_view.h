// BlobView: read-only bytes of one blob; copies of a view share them. The view keeps
// whatever backs the bytes (the file read into memory, an mmap of a large file, or a
// shared in-memory string) alive for as long as any copy of the view exists, even if
// the blob is removed meanwhile.
// Copyable, thread-compatible; the bytes never change.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace postamt::blob {

class BlobView {
 public:
  BlobView() = default;
  BlobView(std::shared_ptr<const void> owner, std::string_view bytes)
      : owner_(std::move(owner)), bytes_(bytes) {}

  std::string_view bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  std::string to_string() const { return std::string(bytes_); }

 private:
  std::shared_ptr<const void> owner_;
  std::string_view bytes_;
};

}  // namespace postamt::blob
