// check_backup and restore_backup (admin/backup.h).
#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <system_error>
#include <unordered_set>

#include "admin/backup.h"
#include "admin/backup_files.h"
#include "admin/backup_manifest.h"
#include "base/file_lock.h"
#include "blob/disk_blob_store.h"
#include "blob/file_system.h"

namespace postamt::admin {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStagingFolder = ".restore";
constexpr std::string_view kReplacedPrefix = "replaced-";
// At most this many problems are listed; the rest are counted (a backup copied onto the
// wrong folder could otherwise print a line per file of that folder).
constexpr size_t kProblemsShown = 20;

Result<Manifest> read_manifest(const fs::path& src) {
  fs::path path = src / kManifestFile;
  std::error_code ec;
  if (!fs::exists(path, ec))
    return Error{ErrorKind::not_found,
                 fmt::format("{} has no {}: not a Postamt backup, or one that did not finish",
                             src.string(), kManifestFile)};
  auto text = read_whole_file(path);
  POSTAMT_TRY(text);
  auto manifest = parse_manifest(*text);
  if (!manifest)
    return Error{ErrorKind::invalid,
                 fmt::format("{}: {}", path.string(), manifest.error().message)};
  return manifest;
}

// Every problem of the backup in `src` against `m`, one line each ("path: what").
std::vector<std::string> problems_of(const fs::path& src, const Manifest& m,
                                     const BackupStoreCopy& store) {
  std::vector<std::string> problems;
  std::set<std::string> listed;
  std::unordered_set<std::string> blobs;
  for (const ManifestFile& f : m.files) {
    listed.insert(f.path);
    if (f.kind() == BackupFileKind::blob) blobs.insert(f.sha256);
    auto digest = digest_file(src / f.path);
    if (!digest) {
      problems.push_back(digest.error().kind == ErrorKind::not_found
                             ? fmt::format("{}: missing", f.path)
                             : fmt::format("{}: {}", f.path, digest.error().message));
    } else if (digest->size != f.size) {
      problems.push_back(
          fmt::format("{}: {} bytes, the manifest says {}", f.path, digest->size, f.size));
    } else if (digest->sha256 != f.sha256) {
      problems.push_back(
          fmt::format("{}: SHA-256 {}, the manifest says {}", f.path, digest->sha256, f.sha256));
    }
  }
  std::error_code ec;
  fs::recursive_directory_iterator it(src, ec), end;
  if (ec) problems.push_back(fmt::format("cannot list {}: {}", src.string(), ec.message()));
  for (; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec)) continue;
    std::string rel = it->path().lexically_relative(src).string();
    if (rel != kManifestFile && !listed.count(rel))
      problems.push_back(fmt::format("{}: not in the manifest", rel));
  }
  if (!problems.empty()) return problems;  // the store copy is not to be opened then
  auto refs = store.inspect(src / kStoreFile);
  if (!refs) {
    problems.push_back(fmt::format("{}: {}", kStoreFile, refs.error().message));
    return problems;
  }
  for (const BlobRef& ref : *refs)
    if (!blobs.count(ref.hex()))
      problems.push_back(
          fmt::format("{}: refers to blob {}, which the backup lacks", kStoreFile, ref.hex()));
  return problems;
}

Result<Manifest> checked_manifest(const fs::path& src, const BackupStoreCopy& store) {
  auto manifest = read_manifest(src);
  POSTAMT_TRY(manifest);
  std::vector<std::string> problems = problems_of(src, *manifest, store);
  if (problems.empty()) return manifest;
  std::string text = fmt::format("the backup in {} is damaged:", src.string());
  for (size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) text += "\n  " + problems[i];
  if (problems.size() > kProblemsShown)
    text += fmt::format("\n  and {} more", problems.size() - kProblemsShown);
  return Error{ErrorKind::invalid, std::move(text)};
}

// Copies every file of `m` from `src` into `staging`, checking each again as it is
// copied (the backup may have changed since it was checked).
Result<void> copy_into(const fs::path& src, const Manifest& m, const fs::path& staging) {
  auto blobs = blob::DiskBlobStore::open((staging / "blobs").string());
  POSTAMT_TRY(blobs);
  std::set<fs::path> directories{staging};
  for (const ManifestFile& f : m.files) {
    auto changed = [&] {
      return Error{ErrorKind::invalid,
                   fmt::format("{} changed since it was checked", (src / f.path).string())};
    };
    if (f.kind() == BackupFileKind::blob) {
      auto bytes = blob::posix_file_system().map_file((src / f.path).string());
      POSTAMT_TRY(bytes);
      auto ref = (*blobs)->put(bytes->bytes());
      POSTAMT_TRY(ref);
      if (ref->hex() != f.sha256) {
        (void)(*blobs)->remove(*ref);
        return changed();
      }
      continue;  // the blob store made and synced its directories
    }
    fs::path target = staging / f.path;
    fs::path dir = staging;
    for (const fs::path& part : fs::path(f.path).parent_path()) {
      dir /= part;
      POSTAMT_TRY(make_private_directory(dir));
      directories.insert(dir);
    }
    auto digest = copy_file_synced(src / f.path, target);
    POSTAMT_TRY(digest);
    if (digest->sha256 != f.sha256 || digest->size != f.size) return changed();
  }
  // Deepest first, so that each directory's entry in its parent is synced after it.
  for (auto d = directories.rbegin(); d != directories.rend(); ++d) POSTAMT_TRY(sync_directory(*d));
  return {};
}

// Names in `data_dir` other than our staging folder and earlier replaced-* folders.
Result<std::vector<std::string>> occupants(const fs::path& data_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(data_dir, ec);
  if (ec)
    return Error{ErrorKind::io, fmt::format("cannot list {}: {}", data_dir.string(), ec.message())};
  for (const fs::directory_entry& entry : it) {
    std::string name = entry.path().filename().string();
    if (name == kStagingFolder || name.starts_with(kReplacedPrefix)) continue;
    names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// "2026-12-07T04:05:06Z" -> "20261207T040506Z", for a folder name.
std::string compact(std::string text) {
  std::erase_if(text, [](char c) { return c == '-' || c == ':'; });
  return text;
}

// rename(2); the caller syncs both folders.
Result<void> move_entry(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec)
    return Error{ErrorKind::io,
                 fmt::format("cannot move {} to {}: {}", from.string(), to.string(), ec.message())};
  return {};
}

}  // namespace

Result<std::string> check_backup(const fs::path& src, const BackupStoreCopy& store) {
  auto manifest = checked_manifest(src, store);
  POSTAMT_TRY(manifest);
  return fmt::format("the backup in {} is complete and intact: made {} by postamt {}; {}\n",
                     src.string(), utc_text(manifest->created), manifest->postamt_version,
                     summarize(*manifest));
}

Result<std::string> restore_backup(const fs::path& src, const fs::path& data_dir,
                                   const BackupStoreCopy& store, const RestoreOptions& options) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec)
    return Error{ErrorKind::io,
                 fmt::format("cannot create {}: {}", data_dir.string(), ec.message())};
  (void)::chmod(data_dir.c_str(), 0700);  // mail is private (as app/backends.cpp makes it)
  auto lock = FileLock::acquire(data_dir.string(), LockMode::exclusive, LockWait::fail);
  if (!lock) {
    if (lock.error().kind != ErrorKind::temporary) return lock.error();
    return Error{ErrorKind::temporary,
                 fmt::format("{} is in use by a running postamt (the server, or another "
                             "command): stop it before restoring",
                             data_dir.string())};
  }
  auto present = occupants(data_dir);
  POSTAMT_TRY(present);
  if (!present->empty() && options.overwrite == Overwrite::refuse) {
    std::string names;
    for (size_t i = 0; i < present->size() && i < 5; ++i) names += (i ? ", " : "") + (*present)[i];
    return Error{
        ErrorKind::exists,
        fmt::format("{} is not empty ({}{}): restore into an empty data directory, or "
                    "give --force to move what is there into {}<time>/",
                    data_dir.string(), names, present->size() > 5 ? ", ..." : "", kReplacedPrefix)};
  }

  auto manifest = checked_manifest(src, store);
  if (!manifest)
    return Error{manifest.error().kind, manifest.error().message + "\nnothing was restored"};

  fs::path staging = data_dir / kStagingFolder;
  fs::remove_all(staging, ec);  // left by a restore that was interrupted; we hold the lock
  POSTAMT_TRY(make_private_directory(staging));
  auto copied = copy_into(src, *manifest, staging);
  std::string renewed;
  if (copied && options.uid_validities == UidValidities::renew) {
    auto mailboxes = store.renew_uid_validities(staging / kStoreFile);
    if (mailboxes)
      renewed =
          fmt::format("new UIDVALIDITY for {} mailboxes: clients fetch them anew\n", *mailboxes);
    else
      copied = mailboxes.error();
  }
  if (!copied) {
    fs::remove_all(staging, ec);
    return Error{copied.error().kind, copied.error().message + "\nnothing was restored"};
  }

  // Only renames from here on (one file system), each synced with its folder below.
  std::string replaced;
  fs::path aside = data_dir / fmt::format("{}{}", kReplacedPrefix, compact(utc_text(options.now)));
  auto put_in_place = [&]() -> Result<void> {
    if (!present->empty()) {
      POSTAMT_TRY(make_private_directory(aside));
      for (const std::string& name : *present)
        POSTAMT_TRY(move_entry(data_dir / name, aside / name));
      POSTAMT_TRY(sync_directory(aside));
      replaced = fmt::format("what was in {} before is in {}\n", data_dir.string(), aside.string());
    }
    auto restored = occupants(staging);
    POSTAMT_TRY(restored);
    for (const std::string& name : *restored)
      POSTAMT_TRY(move_entry(staging / name, data_dir / name));
    POSTAMT_TRY(sync_directory(data_dir));
    fs::remove(staging, ec);
    return sync_directory(data_dir);
  };
  if (auto placed = put_in_place(); !placed) {
    std::string where =
        fmt::format("the restored files are in {} and {}", staging.string(), data_dir.string());
    if (!present->empty()) where += fmt::format(", the earlier ones in {}", aside.string());
    return Error{placed.error().kind, fmt::format("{}\nthe restore stopped half-way: {}",
                                                  placed.error().message, where)};
  }
  return fmt::format("restored the backup made {} by postamt {} into {}: {}\n{}",
                     utc_text(manifest->created), manifest->postamt_version, data_dir.string(),
                     summarize(*manifest), renewed + replaced);
}

}  // namespace postamt::admin
