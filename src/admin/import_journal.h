// The journal that makes `postamt import` resumable: which source messages an import
// of one source into one account has stored already (src/admin/import.h).
//
// One file per (account, source, target), under data_dir/import/. Lines, appended only:
//   "B\t<source id>\t<mailbox id>\t<uid_next>\t<blob>\n"  about to store; fsynced before
//                                                          the store transaction starts
//   "D\t<source id>\n"                                     stored
//   "A\t<source id>\n"                                     not stored (the store refused)
// Source ids are percent-encoded (bytes below 0x21, "%", DEL). A "B" line without a "D"
// or "A" after it is pending: the process died between the two. Whether that message
// was stored is then decided from the store (Importer, import_run.cpp): it was if the
// mailbox holds a message with that blob at or above that uid_next. So every source
// message is stored exactly once across any number of interrupted runs; only "B" needs
// an fsync, since a lost "D" leaves a pending entry that the store resolves.
//
// A torn last line (a crash in the middle of a write) is cut off when the journal is
// opened. Not thread-safe: one import at a time uses one journal.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/result.h"
#include "model/blob_ref.h"
#include "model/ids.h"

namespace postamt::admin {

class ImportJournal {
 public:
  struct Pending {
    std::string source_id;
    MailboxId mailbox;
    Uid uid_next = 0;
    BlobRef blob;
  };

  // Opens or creates `file` (and its folder). ErrorKind::io when it cannot be read or
  // written; ErrorKind::invalid when it is not a journal.
  static Result<ImportJournal> open(const std::filesystem::path& file);
  ImportJournal(ImportJournal&& other) noexcept;
  ImportJournal& operator=(ImportJournal&&) = delete;
  ~ImportJournal();

  const std::filesystem::path& path() const { return path_; }
  // Stored by an earlier run or this one.
  bool contains(std::string_view source_id) const { return done_.contains(std::string(source_id)); }
  // "B" entries without an outcome, in file order.
  const std::vector<Pending>& pending() const { return pending_; }

  Result<void> begin(const std::vector<Pending>& entries);          // written, one fsync
  Result<void> finish(const std::vector<std::string>& source_ids);  // "D" lines, written
  Result<void> abandon(std::string_view source_id);                 // "A", written

 private:
  ImportJournal(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  Result<void> write_line(const std::string& line);

  std::filesystem::path path_;
  int fd_ = -1;
  std::unordered_set<std::string> done_;
  std::vector<Pending> pending_;
};

// "%XX" for the bytes a journal line cannot hold; the inverse.
std::string journal_escape(std::string_view id);
std::string journal_unescape(std::string_view text);

}  // namespace postamt::admin
