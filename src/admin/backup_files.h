// The file operations of backup and restore (admin/backup.h): copies that are durable
// before they count and checksums computed while the bytes pass. Every call blocks.
// Errors: not_found when a source is missing, exists when a target is there already,
// no_space (ENOSPC, EDQUOT), io for any other failure, with the path and the reason.
// A failed fsync is a failed copy, never retried (docs/architecture.md, Durability).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::admin {

struct FileDigest {
  std::string sha256;  // lowercase hex
  uint64_t size = 0;
};

// The whole file as text.
Result<std::string> read_whole_file(const std::filesystem::path& path);

// Reads the whole file once.
Result<FileDigest> digest_file(const std::filesystem::path& path);

// Copies `from` into the new file `to` (mode 0600) and fsyncs it; returns the digest of
// the bytes that were copied. The caller syncs the directory of `to`.
Result<FileDigest> copy_file_synced(const std::filesystem::path& from,
                                    const std::filesystem::path& to);

// Writes `bytes` into the new file `to` (mode 0600) and fsyncs it.
Result<void> write_file_synced(const std::filesystem::path& to, std::string_view bytes);

// fsync(2) of a directory: entries created, renamed or removed in it become durable.
Result<void> sync_directory(const std::filesystem::path& path);

// mkdir with mode 0700; an existing directory is fine.
Result<void> make_private_directory(const std::filesystem::path& path);

}  // namespace postamt::admin
