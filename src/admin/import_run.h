// The part of `postamt import` that every source format shares (import.h): the target
// mailboxes, the journal, storing one message, the report and the progress. The readers
// (import_maildir.cpp, import_mbox.cpp) walk their source and hand each message here.
// Blocking; one thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/import.h"
#include "admin/import_journal.h"
#include "mail/messages.h"

namespace postamt::admin {

class Importer {
 public:
  // Finds the account, opens this import's journal and settles its pending entries.
  // Errors: not_found (account), the journal's and the store's.
  static Result<std::unique_ptr<Importer>> open(store::Store& store, blob::BlobStore& blobs,
                                                const ImportOptions& options,
                                                const ImportProgressSink& progress);

  // Names every source folder ("" = INBOX, else "A/B", UTF-8) before the first message,
  // and how many messages the source holds. Makes the target mailboxes (also of empty
  // folders); a folder whose target cannot be made has its messages skipped with the
  // reason. Errors: the store's io/temporary.
  Result<void> plan(const std::vector<std::string>& folders, size_t total_messages);

  // True when an earlier run stored `id` (counted as such, and as progress).
  bool already(std::string_view folder, std::string_view id);
  // Stores one message of `folder` (given to plan) as `id`; `label` names it in the
  // report. Refusals that concern this message are skips; errors are what stops the
  // import (io, temporary). Messages are stored in batches (up to kBatchMessages or
  // kBatchOctets, one mailbox): their blobs are written by kBlobWriters threads at once,
  // then one journal fsync and one store transaction (Store::append_all) take them all;
  // when the store refuses the batch (over quota), its messages are stored one by one so
  // that exactly the ones that do not fit are skipped. flush() stores what is queued.
  Result<void> add(std::string_view folder, const std::string& id, std::string_view label,
                   std::string_view bytes, const mail::NewFlags& flags,
                   store::InternalDate internal_date);
  Result<void> flush();
  void skip(std::string_view folder, std::string_view label, std::string reason);
  // Subscribes the targets of these source folder names (those that have one).
  Result<void> subscribe(const std::vector<std::string>& folders);

  const ImportOptions& options() const { return options_; }
  ImportReport finish() { return std::move(report_); }

 private:
  static constexpr size_t kBatchMessages = 64;
  static constexpr size_t kBatchOctets = 16 * 1024 * 1024;
  static constexpr size_t kBlobWriters = 4;
  struct Queued {
    std::string folder;
    std::string id;
    std::string label;
    std::string bytes;
    store::InternalDate internal_date;
    store::NewMessage message;  // after its blob is written: blob, description, flags
  };
  Result<void> store_one(MailboxId mailbox, Queued& queued);
  void stored(const Queued& queued);
  Importer(store::Store& store, blob::BlobStore& blobs, const ImportOptions& options,
           const ImportProgressSink& progress, AccountId account, ImportJournal journal)
      : store_(store),
        blobs_(blobs),
        options_(options),
        progress_(progress),
        account_(account),
        journal_(std::move(journal)) {}
  Result<void> settle_pending();
  Result<std::string> target_name(std::string_view folder, const std::vector<std::string>& all);
  ImportReport::PerMailbox& row(std::string_view folder);
  void advance(std::string_view folder);

  store::Store& store_;
  blob::BlobStore& blobs_;
  ImportOptions options_;
  const ImportProgressSink& progress_;
  AccountId account_;
  ImportJournal journal_;
  struct Target {
    std::optional<store::Mailbox> mailbox;
    std::string failure;  // why there is none
  };
  std::map<std::string, Target, std::less<>> targets_;
  std::vector<MailboxId> role_targets_;  // role mailboxes given to a folder already
  ImportReport report_;
  size_t done_ = 0;
  size_t total_ = 0;
  std::vector<Queued> batch_;
  std::optional<MailboxId> batch_mailbox_;
  size_t batch_octets_ = 0;
};

// The readers, each over its own source format.
// True when `path` is a directory itself, not a symbolic link to one: the readers never
// follow a link found inside the source, so a tree a user supplied cannot make the
// import read files elsewhere (another account's mail, the store). Message files are
// opened without following links too (blob::FileSystem::map_file).
bool is_real_directory(const std::string& path);

Result<void> import_maildir(Importer& importer);
Result<void> import_mbox(Importer& importer);

}  // namespace postamt::admin
