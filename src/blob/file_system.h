// FileSystem: the few POSIX calls the disk blob store makes, behind an interface so
// that tests can inject failures (docs/architecture.md, Tests): a failed write or fsync must come
// back as ErrorKind::io and never be retried into a success (docs/architecture.md, Durability).
//
// Every call is blocking; PosixFileSystem is stateless and thread-safe.
// Errors: ErrorKind::not_found when the path does not exist (where noted),
// ErrorKind::exists when create_file finds the path taken, ErrorKind::io otherwise,
// with the path and strerror in the message.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "blob/blob_view.h"

namespace postamt::blob {

// Files up to this size are read rather than mapped by map_file (see there).
inline constexpr size_t kReadInsteadOfMap = 1024 * 1024;

enum class DirectoryCreation { created, existed };

struct FileStatus {
  uint64_t size = 0;
  std::chrono::system_clock::time_point modified;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens a new file for writing, failing with ErrorKind::exists if it exists (O_EXCL).
  // Returns the file descriptor, which the caller must pass to close_file.
  virtual Result<int> create_file(const std::string& path) = 0;
  virtual Result<void> write_all(int fd, std::string_view bytes) = 0;
  virtual Result<void> sync_file(int fd) = 0;
  virtual Result<void> close_file(int fd) = 0;
  // Atomically replaces `to` (rename(2)); both paths on the same file system.
  virtual Result<void> rename(const std::string& from, const std::string& to) = 0;
  // fsync(2) of the directory itself, making entries created or renamed in it durable.
  virtual Result<void> sync_directory(const std::string& path) = 0;
  virtual Result<DirectoryCreation> make_directory(const std::string& path) = 0;
  // not_found if missing.
  virtual Result<void> remove_file(const std::string& path) = 0;
  // not_found if missing.
  virtual Result<FileStatus> status(const std::string& path) = 0;
  // Sets the modification time to now. not_found if missing.
  virtual Result<void> touch(const std::string& path) = 0;
  // The whole file, read-only: files up to kReadInsteadOfMap bytes are read into memory,
  // larger ones are mapped. not_found if missing. A symbolic link as the last component
  // is not followed (an io error), and anything but a regular file (a FIFO, a device, a
  // folder) is ErrorKind::invalid without blocking: the importer reads trees users supply.
  virtual Result<BlobView> map_file(const std::string& path) = 0;
  // Names in the directory, without "." and "..", in no particular order.
  // not_found if the directory is missing.
  virtual Result<std::vector<std::string>> list_directory(const std::string& path) = 0;
};

// The real thing; a process-wide instance.
FileSystem& posix_file_system();

}  // namespace postamt::blob
