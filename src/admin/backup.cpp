#include "admin/backup.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "admin/backup_files.h"
#include "admin/backup_manifest.h"
#include "blob/disk_blob_store.h"
#include "blob/removal_lock.h"

namespace postamt::admin {

namespace fs = std::filesystem;

namespace {

// The path of `inside` relative to `dir`, when it lies inside it.
std::optional<fs::path> relative_inside(const fs::path& inside, const fs::path& dir) {
  fs::path rel = inside.lexically_normal().lexically_relative(dir.lexically_normal());
  if (rel.empty() || *rel.begin() == ".." || rel == ".") return std::nullopt;
  return rel;
}

// Regular files directly in `dir`, by name, without dot files; none when `dir` is
// missing.
Result<std::vector<std::string>> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec == std::errc::no_such_file_or_directory) return names;
  if (ec)
    return Error{ErrorKind::io, fmt::format("cannot list {}: {}", dir.string(), ec.message())};
  for (const fs::directory_entry& entry : it) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(".") || !entry.is_regular_file(ec)) continue;
    names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Makes `dest` an empty folder of ours: missing (created with its parents) or empty.
Result<void> prepare_destination(const fs::path& dest) {
  std::error_code ec;
  if (fs::exists(dest, ec)) {
    if (!fs::is_directory(dest, ec))
      return Error{ErrorKind::exists, fmt::format("{} exists and is not a folder", dest.string())};
    if (!fs::is_empty(dest, ec))
      return Error{
          ErrorKind::exists,
          fmt::format("{} is not empty: back up into a new or empty folder", dest.string())};
    return {};
  }
  fs::path parent = dest.parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec)
    return Error{ErrorKind::io, fmt::format("cannot create {}: {}", parent.string(), ec.message())};
  POSTAMT_TRY(make_private_directory(dest));
  return sync_directory(parent.empty() ? fs::path(".") : parent);
}

class BackupWriter {
 public:
  BackupWriter(const BackupSource& source, fs::path dest)
      : source_(source), dest_(std::move(dest)) {}

  Result<std::string> run() {
    {
      // Held from before the store copy until the last blob is copied (backup.h).
      auto paused = blob::pause_blob_removals((source_.data_dir / "blobs").string());
      POSTAMT_TRY(paused);
      POSTAMT_TRY(copy_store());
      POSTAMT_TRY(copy_blobs());
    }
    POSTAMT_TRY(copy_queue());
    POSTAMT_TRY(copy_tls());
    POSTAMT_TRY(sync_directory(dest_));
    std::sort(manifest_.files.begin(), manifest_.files.end(),
              [](const ManifestFile& a, const ManifestFile& b) { return a.path < b.path; });
    manifest_.postamt_version = source_.postamt_version;
    manifest_.created = source_.now;
    // Written last, by rename: a backup folder without MANIFEST is incomplete.
    std::string text = serialize_manifest(manifest_);
    fs::path tmp = dest_ / (std::string(kManifestFile) + ".tmp");
    POSTAMT_TRY(write_file_synced(tmp, text));
    std::error_code ec;
    fs::rename(tmp, dest_ / kManifestFile, ec);
    if (ec)
      return Error{ErrorKind::io, fmt::format("cannot rename {}: {}", tmp.string(), ec.message())};
    POSTAMT_TRY(sync_directory(dest_));
    return fmt::format("backup of {} in {}: {}\n{}", source_.data_dir.string(), dest_.string(),
                       summarize(manifest_), notes_);
  }

 private:
  Result<void> copy_store() {
    fs::path copy = dest_ / kStoreFile;
    POSTAMT_TRY(source_.store.snapshot(copy));
    auto refs = source_.store.inspect(copy);
    POSTAMT_TRY(refs);
    refs_ = std::move(*refs);
    std::sort(refs_.begin(), refs_.end());
    auto digest = digest_file(copy);
    POSTAMT_TRY(digest);
    add(std::string(kStoreFile), *digest);
    return {};
  }

  Result<void> copy_blobs() {
    auto target = blob::DiskBlobStore::open((dest_ / "blobs").string());
    POSTAMT_TRY(target);
    for (const BlobRef& ref : refs_) {
      auto bytes = source_.blobs->open(ref);
      if (!bytes) {
        if (bytes.error().kind == ErrorKind::not_found)
          return Error{ErrorKind::not_found,
                       fmt::format("the store refers to blob {}, which is missing from {}",
                                   ref.hex(), (source_.data_dir / "blobs").string())};
        return bytes.error();
      }
      // put() names the copy by the SHA-256 of the bytes it wrote: a blob whose content
      // no longer matches its name is damaged in data_dir.
      auto copied = (*target)->put(bytes->bytes());
      POSTAMT_TRY(copied);
      if (*copied != ref) {
        (void)(*target)->remove(*copied);
        return Error{ErrorKind::invalid,
                     fmt::format("blob {} in {} is damaged: its content's SHA-256 is {}", ref.hex(),
                                 (source_.data_dir / "blobs").string(), copied->hex())};
      }
      std::string path = fs::path((*target)->path_of(ref)).lexically_relative(dest_).string();
      add(std::move(path), FileDigest{ref.hex(), bytes->size()});
    }
    std::error_code ec;
    fs::remove(dest_ / "blobs" / "tmp", ec);  // empty: every put() renamed its file away
    return {};
  }

  Result<void> copy_queue() {
    fs::path queue = source_.data_dir / "queue";
    std::error_code ec;
    if (!fs::is_directory(queue, ec)) return {};
    auto lock = source_.lock_queue();
    POSTAMT_TRY(lock);
    for (std::string_view sub : {"", "corrupt"}) {
      fs::path from_dir = sub.empty() ? queue : queue / sub;
      auto names = files_in(from_dir);
      POSTAMT_TRY(names);
      if (names->empty()) continue;
      fs::path rel_dir = sub.empty() ? fs::path("queue") : fs::path("queue") / sub;
      POSTAMT_TRY(make_private_directory(dest_ / "queue"));
      POSTAMT_TRY(make_private_directory(dest_ / rel_dir));
      for (const std::string& name : *names) {
        auto digest = copy_file_synced(from_dir / name, dest_ / rel_dir / name);
        // Delivered and removed since the listing: no longer queued.
        if (!digest && digest.error().kind == ErrorKind::not_found) continue;
        POSTAMT_TRY(digest);
        std::string path = (rel_dir / name).string();
        if (auto ok = check_manifest_path(path); !ok)
          return Error{ErrorKind::invalid,
                       fmt::format("queue file {}: {}", path, ok.error().message)};
        add(std::move(path), *digest);
      }
      POSTAMT_TRY(sync_directory(dest_ / rel_dir));
    }
    return sync_directory(dest_ / "queue");
  }

  Result<void> copy_tls() {
    for (const fs::path& file : source_.tls_files) {
      auto rel = relative_inside(file, source_.data_dir);
      if (!rel) {
        notes_ += fmt::format("not included: {} (outside {}; back it up with the configuration)\n",
                              file.string(), source_.data_dir.string());
        continue;
      }
      std::error_code ec;
      if (!fs::exists(file, ec)) continue;  // `serve` makes a self-signed pair when missing
      std::string path = rel->string();
      if (auto ok = check_manifest_path(path); !ok || kind_of_path(path) != BackupFileKind::tls)
        return Error{
            ErrorKind::invalid,
            fmt::format("TLS file {} cannot be backed up under the name {}", file.string(), path)};
      fs::path dir = dest_;
      for (const fs::path& part : rel->parent_path()) {
        dir /= part;
        POSTAMT_TRY(make_private_directory(dir));
      }
      auto digest = copy_file_synced(file, dest_ / *rel);
      POSTAMT_TRY(digest);
      add(std::move(path), *digest);
      for (fs::path d = (dest_ / *rel).parent_path(); d != dest_; d = d.parent_path())
        POSTAMT_TRY(sync_directory(d));
    }
    return {};
  }

  void add(std::string path, const FileDigest& digest) {
    manifest_.files.push_back(ManifestFile{digest.sha256, digest.size, std::move(path)});
  }

  const BackupSource& source_;
  fs::path dest_;
  std::vector<BlobRef> refs_;
  Manifest manifest_;
  std::string notes_;
};

}  // namespace

Result<std::string> make_backup(const BackupSource& source, const fs::path& dest) {
  POSTAMT_TRY(prepare_destination(dest));
  BackupWriter writer(source, dest);
  auto out = writer.run();
  if (!out)
    return Error{out.error().kind, fmt::format("{}\nthe backup in {} is incomplete (it has no {})",
                                               out.error().message, dest.string(), kManifestFile)};
  return out;
}

}  // namespace postamt::admin
