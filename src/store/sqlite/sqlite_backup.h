// The SQLite side of `postamt backup` / `postamt restore` (docs/backup.md).
//
// snapshot_database copies the live database with SQLite's online backup API
// (sqlite3_backup_init/step/finish) while the server keeps writing: the whole copy is
// made in one backup step, that is inside one read transaction on the source, so the
// copy is the database exactly as one commit left it. In WAL mode a reader does not block
// writers, so the server goes on committing meanwhile (only checkpoints wait for the
// end of the copy). The copy is switched to journal_mode=DELETE, so it is one
// self-contained file (no -wal or -shm beside it), and fsynced before the call returns;
// the caller syncs the directory. A server that opens it later switches it back to WAL.
//
// inspect_database_copy opens such a copy read-only (it writes nothing, not even a
// -shm file), runs PRAGMA quick_check, checks that its schema version is one this
// program knows, and returns the blobs its messages refer to: the same set the store's
// referenced_blobs() gives for the live database.
//
// renew_uid_validities gives every mailbox of such a copy a new, greater UIDVALIDITY, for
// `postamt restore --new-uidvalidity`: RFC 9051 §2.3.1.1 requires a greater UIDVALIDITY
// when UIDs from an earlier session fail to persist, which is what restoring an older
// backup does to the messages that arrived after it (their UIDs would be handed out again
// to other messages). The values come from the store's counter (meta
// next_uid_validity), first raised to at least `clock_seed` as the store seeds it.
//
// All three block (disk I/O); call them from the admin CLI, never on a network thread.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "model/blob_ref.h"
#include "store/sqlite/sqlite_connection.h"

namespace postamt::store::sqlite {

// Copies the database at `from` (which must exist) to `to` (which must not).
// SQLITE_BUSY from the source is retried for options.busy_timeout, then temporary.
// Errors: not_found (no database at `from`), exists (`to` exists), no_space, io.
Result<void> snapshot_database(const std::string& from, const std::string& to,
                               SqliteOptions options = {});

// Errors: not_found (no file), invalid (not a database; quick_check found damage, with
// SQLite's first findings in the message; a schema newer than this program's), io.
Result<std::vector<BlobRef>> inspect_database_copy(const std::string& path);

// Whether the database at `path` has at least one local domain, for serve's first-start
// guard (app/first_start.h), which asks before anything else opens the store. Opens it
// read-only without following a symbolic link (SQLITE_OPEN_NOFOLLOW); runs no migration
// and takes no lock of the store's. False when there is no file, or no domain table yet.
Result<bool> database_has_domain(const std::string& path);

// One transaction on the copy at `path` (journal_mode=DELETE, not in use by anyone);
// returns how many mailboxes were renewed. Errors: not_found, invalid (no counter), io.
Result<size_t> renew_uid_validities(const std::string& path, int64_t clock_seed);

}  // namespace postamt::store::sqlite
