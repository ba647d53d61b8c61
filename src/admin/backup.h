// `postamt backup DEST`, `postamt restore SRC [--force]` and `postamt restore --check SRC`
// (docs/backup.md). A backup is a folder:
//   MANIFEST                  written last (admin/backup_manifest.h); without it the
//                             backup is incomplete
//   postamt.db                a consistent copy of the store, taken while the server runs
//   blobs/ab/cd/<sha256>      every blob that copy refers to, in the blob store's layout
//   queue/<id>, queue/corrupt/<id>   the outbound queue's files
//   <path>                    the TLS certificate and key, when they lie inside data_dir
//                             (at their path relative to it)
//
// Consistency while the server runs: the blob removal lock (blob/removal_lock.h) is held
// shared from before the store copy until the last blob is copied, so garbage collection
// cannot remove a blob the copy refers to even when its message is expunged meanwhile;
// blobs are immutable (named by their content, written once by rename, never opened for
// writing again), so a copied blob is the blob the copy refers to, and its SHA-256 is
// checked as it is copied. Queue files are replaced only by rename, so each copied file
// is one whole version; the queue's lock is held while they are copied.
//
// The concrete store is wired in by app/ (the only folder that names a backend), as two
// functions; the queue's lock too (admin never includes the queue).
//
// Every function blocks (disk I/O) and returns the text to print, or an Error whose
// message names what is wrong (several lines when several files are).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "model/blob_ref.h"

namespace postamt::admin {

struct BackupStoreCopy {
  // Writes a consistent copy of the live store into the new file `to` and fsyncs it.
  std::function<Result<void>(const std::filesystem::path& to)> snapshot;
  // Checks such a copy read-only and returns the blobs it refers to.
  std::function<Result<std::vector<BlobRef>>(const std::filesystem::path& copy)> inspect;
  // Gives every mailbox of a copy a new, greater UIDVALIDITY; returns how many.
  std::function<Result<size_t>(const std::filesystem::path& copy)> renew_uid_validities;
};

struct BackupSource {
  std::filesystem::path data_dir;    // absolute
  blob::BlobStore* blobs = nullptr;  // the live blob store of data_dir/blobs
  BackupStoreCopy store;
  // Takes the outbound queue's lock; it is held while the returned value lives.
  std::function<Result<std::shared_ptr<void>>()> lock_queue;
  // The configured TLS certificate and private key (absolute paths).
  std::vector<std::filesystem::path> tls_files;
  std::string postamt_version;
  std::chrono::sys_seconds now{};
};

// Writes a backup into `dest`, which must not exist or be an empty folder (made with mode
// 0700; its parents are made when missing). Errors: exists (dest not empty), not_found
// (a blob the store refers to is missing from data_dir), invalid (a damaged blob in
// data_dir, a TLS file that cannot be named in a manifest), io, no_space. After an
// error, dest has no MANIFEST and the message says so.
Result<std::string> make_backup(const BackupSource& source, const std::filesystem::path& dest);

// Checks the backup in `src` without changing anything: the manifest parses; every file
// it lists is there with its size and SHA-256; no other file is there; the store copy
// passes `inspect` and every blob it refers to is in the backup. invalid, listing every
// problem found, or not_found when there is no MANIFEST.
Result<std::string> check_backup(const std::filesystem::path& src, const BackupStoreCopy& store);

enum class Overwrite { refuse, move_aside };
// keep: the UIDVALIDITY of the backup (right after a backup, or moving to a new machine).
// renew: new, greater ones (RFC 9051 §2.3.1.1) for an older backup: the UIDs of mail that
// arrived after it would otherwise be handed out again to other messages, which IMAP
// clients (cached UIDs) and POP3 clients (UIDL "<uidvalidity>.<uid>") would take for
// messages they have already seen.
enum class UidValidities { keep, renew };

struct RestoreOptions {
  Overwrite overwrite = Overwrite::refuse;
  UidValidities uid_validities = UidValidities::keep;
  std::chrono::sys_seconds now{};  // names the replaced-<time> folder
};

// Restores the backup in `src` into `data_dir` (made with mode 0700 when missing):
// takes the data directory's lock exclusively without waiting (a running server or
// any other postamt command on it holds it shared: ErrorKind::temporary), refuses a
// data_dir that holds anything (ErrorKind::exists) unless `overwrite` is move_aside, runs
// check_backup, then copies everything into data_dir/.restore/ (checking each file's
// SHA-256 again as it is copied), renews UIDVALIDITY there when asked, and only then
// moves it into place. With move_aside, what was in data_dir is first moved into
// data_dir/replaced-<YYYYmmddTHHMMSSZ>/. A failure before the move leaves data_dir as it
// was.
Result<std::string> restore_backup(const std::filesystem::path& src,
                                   const std::filesystem::path& data_dir,
                                   const BackupStoreCopy& store, const RestoreOptions& options);

}  // namespace postamt::admin
