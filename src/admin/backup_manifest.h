// The MANIFEST of a backup (docs/backup.md): what `postamt backup` copied, with the size
// and SHA-256 of every file. It is written last, so a folder without one is an
// incomplete backup; `postamt restore` reads it first and checks every file against it.
// A codec: text <-> Manifest, no I/O.
//
// Format, version 1. Lines end in LF; no other control octets anywhere:
//   postamt-backup 1                   magic and format version
//   postamt <version>                  the Postamt that wrote it (1..64 octets, no space)
//   created <YYYY-MM-DDTHH:MM:SSZ>     when the store was copied, UTC, year 1970..9999
//   files <n>                          file lines below
//   blobs <n>                          of them under blobs/
//   queue <n>                          of them under queue/
//   tls <n>                            of them elsewhere (the TLS certificate and key)
//   bytes <n>                          the sum of their sizes
//   file <sha256> <size> <path>        one per file, ordered by path (byte order), each
//                                      path once
//   end
// <sha256> is 64 lowercase hex digits; <size> and <n> are decimal without leading zeros,
// at most 2^63-1. <path> is relative to the backup folder and to data_dir, components
// separated by "/", none empty, "." or "..", at most kMaxManifestPath octets, no space.
// Exactly one path is "postamt.db" (the store). A path under blobs/ is
// "blobs/<h0h1>/<h2h3>/<sha256>" naming its own checksum (the blob store's layout);
// one under queue/ is "queue/<name>" or "queue/corrupt/<name>".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace postamt::admin {

inline constexpr int kManifestVersion = 1;
// Longest path in a manifest: far above any path a backup writes (blobs: 77 octets), and
// it keeps a damaged manifest from naming absurd files.
inline constexpr size_t kMaxManifestPath = 1024;
inline constexpr std::string_view kStoreFile = "postamt.db";
// The manifest's name in the backup folder.
inline constexpr std::string_view kManifestFile = "MANIFEST";

enum class BackupFileKind { store, blob, queue, tls };

struct ManifestFile {
  std::string sha256;  // 64 lowercase hex digits
  uint64_t size = 0;
  std::string path;
  BackupFileKind kind() const;
  friend bool operator==(const ManifestFile&, const ManifestFile&) = default;
};

struct Manifest {
  std::string postamt_version;
  std::chrono::sys_seconds created{};
  std::vector<ManifestFile> files;  // ordered by path
  friend bool operator==(const Manifest&, const Manifest&) = default;
};

struct ManifestCounts {
  uint64_t files = 0, blobs = 0, queue = 0, tls = 0, bytes = 0;
};
ManifestCounts counts_of(const Manifest& manifest);
// "2026-12-07T04:05:06Z": the form of `created`. Requires a time in years 1970..9999.
std::string utc_text(std::chrono::sys_seconds time);
// "store, 3 blobs, 1 queue file, 2 TLS files; 5120 bytes in 7 files"
std::string summarize(const Manifest& manifest);

// The kind a valid path has (by its first component).
BackupFileKind kind_of_path(std::string_view path);

// invalid, with the reason, when `path` breaks the path rules above (for a blob path: its
// shape, not whether it names a given checksum).
Result<void> check_manifest_path(std::string_view path);

// The manifest's text. Requires: files ordered by path, every field valid as above
// (what parse_manifest accepts); the counts are computed here.
std::string serialize_manifest(const Manifest& manifest);

// Parses the whole text. invalid with "line N: <what is wrong>" for the first problem:
// a wrong magic or version, a missing, repeated or unknown line, a malformed field, a
// count that does not match the file lines, paths out of order or repeated, a blob path
// that does not name its checksum, no store, text after "end".
Result<Manifest> parse_manifest(std::string_view text);

}  // namespace postamt::admin
