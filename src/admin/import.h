// `postamt import maildir|mbox PATH --user U [--mailbox M]`: existing mail into an
// account (docs/import-export.md).
//
// Every message goes the way an IMAP APPEND goes (mail::save_message, then
// Store::append): bytes durable in the blob store, bare LFs stored as CRLF, the account's
// quota applied. A message the store refuses (over quota, too many keywords, empty) or
// that is larger than `max_message_size` is skipped and reported; the import goes on.
//
// Sources:
//   maildir  a Dovecot or Courier Maildir++ tree: PATH/cur and PATH/new are INBOX, each
//            ".A.B" folder below PATH is mailbox "A/B"; flags from the file name's ":2,"
//            info (D F R S T, P -> $Forwarded), keywords from the letters a-z through the
//            folder's dovecot-keywords and from Courier's courierimapkeywords/, the
//            internal date from the file's mtime, the
//            order from dovecot-uidlist (else file names), subscriptions from the
//            "subscriptions" file.
//   mbox     one mbox file (into INBOX, or --mailbox), or a folder of them: each file is
//            one mailbox named by its path below the folder ("Lists/rust.mbox" ->
//            "Lists/rust"; a ".mbox" suffix and Thunderbird's ".sbd" folder suffix are
//            dropped; "INBOX" any case is INBOX). Quoting per `mbox_format`; internal
//            date from the From_ line (else the Date: field, else the file's mtime);
//            flags and keywords from Status:, X-Status:, X-Keywords:, which are removed
//            from the stored bytes with X-UID:, X-IMAP:, X-IMAPbase: (mbox_codec.h).
//
// Mailboxes: without --mailbox, a source folder goes to the account's mailbox of the same
// name, else (a top-level folder named as a special-use folder usually is: Sent, Sent
// Messages, Sent Items, Drafts, Trash, Deleted Messages, Deleted Items, Junk, Spam,
// Archive, Archives) to the account's mailbox with that role, else to a new mailbox of
// that name (with the role when the account has no mailbox with it). With --mailbox M,
// INBOX goes to M and folder "A/B" to "M/A/B"; M and the missing mailboxes are created.
//
// Resumable (import_journal.h): the journal of this (account, source, target) names what
// is stored already; running the same import again stores only what is missing, so an
// interrupted import is finished by running it again, and a finished one adds nothing.
//
// Blocking; run from the command line (one import at a time per journal).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "admin/mbox_codec.h"
#include "base/result.h"
#include "blob/blob_store.h"
#include "model/mailbox_role.h"
#include "store/api/store.h"

namespace postamt::admin {

enum class ImportKind { maildir, mbox };

struct ImportOptions {
  ImportKind kind = ImportKind::maildir;
  std::filesystem::path source;
  std::string user;
  std::string mailbox;  // "" = the account's own names
  mbox::MboxFormat mbox_format = mbox::MboxFormat::mboxrd;
  // Larger messages are skipped: `postamt import` takes the IMAP APPEND limit,
  // [imap] max_literal.
  uint64_t max_message_size = 64ull * 1024 * 1024;
  std::filesystem::path journal_folder;  // data_dir/import
};

struct ImportProgress {
  size_t done = 0;  // messages looked at: stored, found stored, or skipped
  size_t total = 0;
  std::string_view mailbox;  // being filled now
};
using ImportProgressSink = std::function<void(const ImportProgress&)>;

struct ImportReport {
  struct Skipped {
    std::string source;  // file, or "file@offset" in an mbox
    std::string reason;
  };
  struct PerMailbox {
    std::string name;  // Postamt's mailbox
    size_t imported = 0;
    size_t already = 0;  // stored by an earlier run
    size_t skipped = 0;
  };
  size_t imported = 0;
  size_t already = 0;
  std::vector<Skipped> skipped;
  std::vector<PerMailbox> mailboxes;  // in the order they were filled
  std::filesystem::path journal;
};

// Runs the import. Errors (nothing more is imported; what was is kept and journaled):
// not_found (the account), invalid (PATH is no Maildir / no mbox file or folder, a
// journal that is not one), io (reading the source folder, the journal, the store),
// temporary (the store stayed locked).
Result<ImportReport> import_mail(store::Store& store, blob::BlobStore& blobs,
                                 const ImportOptions& options, const ImportProgressSink& progress);

// The report as text lines for standard output: one line per mailbox, one per skipped
// message with its reason, and the totals with the journal's path.
std::string format_import_report(const ImportReport& report);

// The role a top-level folder's name suggests (case-insensitive), as listed above.
std::optional<MailboxRole> role_for_folder_name(std::string_view name);

// The progress bar for a terminal `width` columns wide: "\r[=====>    ] 120/400 INBOX"
// padded to the width (no line end). Pure.
std::string progress_bar(const ImportProgress& progress, size_t width);

}  // namespace postamt::admin
