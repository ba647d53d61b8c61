// `postamt export --user U --format maildir|mbox DEST`: an account's mail out of Postamt
// (docs/import-export.md), so that `postamt import` of DEST gives
// the same mailboxes, bytes, flags, keywords and internal dates back.
//
//   maildir  DEST is a Dovecot-style Maildir++ tree: INBOX in DEST/cur, mailbox "A/B" in
//            DEST/.A.B/cur (levels in modified UTF-7); one file per message named
//            "<date>.U<uid>V<uidvalidity>.postamt,S=<size>:2,<flags>" with its mtime the
//            internal date; keywords as letters through each folder's dovecot-keywords
//            ($Forwarded too, as Dovecot keeps it), uids in dovecot-uidlist, the
//            subscriptions in DEST/subscriptions (Dovecot's version 2). Line ends LF.
//   mbox     mboxrd, one file per mailbox: DEST/INBOX.mbox, DEST/A/B.mbox for "A/B" (an
//            empty mailbox gives an empty file); each message after a From_ line with its
//            Return-Path (else MAILER-DAEMON) and its internal date in UTC, with Status:,
//            X-Status: and X-Keywords: fields for its flags (mbox_codec.h). Line ends LF.
//
// What cannot be written is reported and exported without it, never silently lost: a
// mailbox whose name has a "." in a level (maildir: Maildir++ has no escape for it), the
// 27th and later keyword of a maildir folder (Dovecot has 26 letters).
//
// DEST must not exist or be an empty folder. Files are synced (syncfs) before returning.
// Blocking; reads the store as it is while it runs (a server may go on delivering).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "store/api/store.h"

namespace postamt::admin {

enum class ExportFormat { maildir, mbox };

struct ExportOptions {
  std::string user;
  ExportFormat format = ExportFormat::maildir;
  std::filesystem::path destination;
};

struct ExportReport {
  struct Skipped {
    std::string what;  // "mailbox A.B" or "mailbox X uid 7"
    std::string reason;
  };
  size_t messages = 0;
  size_t mailboxes = 0;
  std::vector<Skipped> skipped;
};

// Errors: not_found (account), invalid (DEST exists and is not an empty folder), io
// (writing), the store's and the blob store's.
Result<ExportReport> export_mail(store::Store& store, blob::BlobStore& blobs,
                                 const ExportOptions& options);

// "exported N messages from M mailboxes" and one line per thing left out.
std::string format_export_report(const ExportReport& report);

}  // namespace postamt::admin
