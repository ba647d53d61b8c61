#include "store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <thread>

#include "store/migrations/migrations.h"

namespace postamt::store::sqlite {

namespace {

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

Error sqlite_error(sqlite3* db, int rc, const std::string& what) {
  int primary = rc & 0xff;
  ErrorKind kind = ErrorKind::io;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) kind = ErrorKind::temporary;
  if (primary == SQLITE_FULL) kind = ErrorKind::no_space;
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) kind = ErrorKind::invalid;
  return Error{kind, what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
}

Result<Database> open_database(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, "cannot open database " + path);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

// Runs `sql` and returns the first column of every row as text.
Result<std::vector<std::string>> query_texts(sqlite3* db, const std::string& sql,
                                             const std::string& what) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, what);
  std::vector<std::string> out;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(raw, 0);
    out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
  }
  if (rc != SQLITE_DONE) return sqlite_error(db, rc, what);
  return out;
}

Result<void> sync_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{ErrorKind::io, "cannot open " + path + ": " + std::strerror(errno)};
  // A failed fsync is a failed backup, never retried (docs/architecture.md, Durability).
  int synced = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (synced != 0) return Error{ErrorKind::io, "cannot fsync " + path + ": " + std::strerror(err)};
  return {};
}

}  // namespace

Result<void> snapshot_database(const std::string& from, const std::string& to,
                               SqliteOptions options) {
  std::error_code ec;
  if (!std::filesystem::exists(from, ec))
    return Error{ErrorKind::not_found, "there is no database at " + from};
  // Made here, empty, so that it has mode 0600 (mail is private) whatever the umask;
  // SQLite takes an empty file as a new database.
  int made = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (made < 0) {
    int err = errno;
    if (err == EEXIST) return Error{ErrorKind::exists, to + " exists already"};
    return Error{ErrorKind::io, "cannot create " + to + ": " + std::strerror(err)};
  }
  ::close(made);
  // READWRITE without CREATE: a WAL database needs its -shm file, which a reader may
  // have to create.
  auto source = open_database(from, SQLITE_OPEN_READWRITE);
  POSTAMT_TRY(source);
  sqlite3_busy_timeout(source->get(), static_cast<int>(options.busy_timeout.count()));
  auto copy = open_database(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  POSTAMT_TRY(copy);

  sqlite3_backup* backup = sqlite3_backup_init(copy->get(), "main", source->get(), "main");
  if (backup == nullptr)
    return sqlite_error(copy->get(), sqlite3_extended_errcode(copy->get()),
                        "cannot start copying " + from);
  // -1: every page in one step, within one read transaction on the source (a copy made
  // in several steps restarts whenever another process writes, which a busy server
  // does all the time).
  auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
  int rc;
  while ((rc = sqlite3_backup_step(backup, -1)) != SQLITE_DONE) {
    int primary = rc & 0xff;
    bool busy = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
    if (!busy || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return sqlite_error(copy->get(), rc, "cannot copy " + from);
  if (finished != SQLITE_OK) return sqlite_error(copy->get(), finished, "cannot copy " + from);

  auto mode = query_texts(copy->get(), "PRAGMA journal_mode=DELETE",
                          "cannot set the journal mode of " + to);
  POSTAMT_TRY(mode);
  if (mode->size() != 1 || (*mode)[0] != "delete")
    return Error{ErrorKind::io, "cannot set the journal mode of " + to};
  int closed = sqlite3_close(copy->release());
  if (closed != SQLITE_OK) return sqlite_error(nullptr, closed, "cannot close " + to);
  return sync_file(to);
}

Result<bool> database_has_domain(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;  // no store yet
    return Error{ErrorKind::io, "cannot look at " + path + ": " + std::strerror(errno)};
  }
  auto db = open_database(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW);
  POSTAMT_TRY(db);
  auto table = query_texts(db->get(),
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                           "name = 'domain'",
                           "cannot read the tables of " + path);
  POSTAMT_TRY(table);
  if (table->size() != 1 || (*table)[0] != "1") return false;
  auto any = query_texts(db->get(), "SELECT EXISTS (SELECT 1 FROM domain)",
                         "cannot read the domains of " + path);
  POSTAMT_TRY(any);
  return any->size() == 1 && (*any)[0] == "1";
}

Result<std::vector<BlobRef>> inspect_database_copy(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return Error{ErrorKind::not_found, "there is no database at " + path};
  auto db = open_database(path, SQLITE_OPEN_READONLY);
  POSTAMT_TRY(db);
  auto check = query_texts(db->get(), "PRAGMA quick_check", "cannot check " + path);
  POSTAMT_TRY(check);
  if (check->size() != 1 || (*check)[0] != "ok") {
    std::string findings;
    for (size_t i = 0; i < check->size() && i < 3; ++i) findings += "; " + (*check)[i];
    return Error{ErrorKind::invalid, path + " is damaged" + findings};
  }
  // A copy made by a newer Postamt would be refused by this one's store at the first
  // open, after a restore had replaced the data: say so now.
  auto version = query_texts(db->get(), "SELECT max(version) FROM schema_version",
                             "cannot read the schema version of " + path);
  POSTAMT_TRY(version);
  int latest = migrations().back().version;
  std::string found = version->size() == 1 && !(*version)[0].empty() ? (*version)[0] : "none";
  long long number = 0;
  auto [end, parsed] = std::from_chars(found.data(), found.data() + found.size(), number);
  if (parsed != std::errc() || end != found.data() + found.size() || number < 1 || number > latest)
    return Error{ErrorKind::invalid, path + " has schema version " + found +
                                         "; this Postamt reads versions up to " +
                                         std::to_string(latest)};

  // The query of SqlStore::referenced_blobs, over the copy.
  auto refs = query_texts(db->get(), "SELECT DISTINCT blob_ref FROM message",
                          "cannot read the messages of " + path);
  POSTAMT_TRY(refs);
  std::vector<BlobRef> out;
  out.reserve(refs->size());
  for (const std::string& text : *refs)
    if (auto ref = BlobRef::parse(text)) out.push_back(*ref);
  return out;
}

Result<size_t> renew_uid_validities(const std::string& path, int64_t clock_seed) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return Error{ErrorKind::not_found, "there is no database at " + path};
  auto db = open_database(path, SQLITE_OPEN_READWRITE);
  POSTAMT_TRY(db);
  sqlite3* raw = db->get();
  auto run = [&](const std::string& sql, std::initializer_list<int64_t> values) -> Result<void> {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owned(stmt, sqlite3_finalize);
    if (rc != SQLITE_OK) return sqlite_error(raw, rc, "cannot renew UIDVALIDITY in " + path);
    int index = 0;
    for (int64_t v : values) sqlite3_bind_int64(stmt, ++index, v);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) return sqlite_error(raw, rc, "cannot renew UIDVALIDITY in " + path);
    return {};
  };
  POSTAMT_TRY(run("PRAGMA synchronous=FULL", {}));
  POSTAMT_TRY(run("BEGIN IMMEDIATE", {}));
  auto renewed = [&]() -> Result<size_t> {
    auto counter = query_texts(raw, "SELECT value FROM meta WHERE name = 'next_uid_validity'",
                               "cannot read the UIDVALIDITY counter of " + path);
    POSTAMT_TRY(counter);
    long long next = 0;
    if (counter->size() != 1 ||
        std::from_chars((*counter)[0].data(), (*counter)[0].data() + (*counter)[0].size(), next)
                .ec != std::errc())
      return Error{ErrorKind::invalid, path + " has no UIDVALIDITY counter"};
    next = std::max<long long>(next, clock_seed);
    auto ids = query_texts(raw, "SELECT id FROM mailbox ORDER BY id",
                           "cannot read the mailboxes of " + path);
    POSTAMT_TRY(ids);
    for (const std::string& id : *ids) {
      // As the store assigns them: the counter's value, then the counter moves on; a
      // UIDVALIDITY is a non-zero 32-bit number (RFC 9051 §2.3.1.1).
      auto validity = static_cast<int64_t>(static_cast<uint32_t>(next++));
      if (validity == 0) validity = 1;
      POSTAMT_TRY(
          run("UPDATE mailbox SET uid_validity = ?1 WHERE id = ?2", {validity, std::stoll(id)}));
    }
    POSTAMT_TRY(run("UPDATE meta SET value = ?1 WHERE name = 'next_uid_validity'", {next}));
    return ids->size();
  }();
  if (!renewed) {
    (void)run("ROLLBACK", {});
    return renewed;
  }
  POSTAMT_TRY(run("COMMIT", {}));
  int closed = sqlite3_close(db->release());
  if (closed != SQLITE_OK) return sqlite_error(nullptr, closed, "cannot close " + path);
  POSTAMT_TRY(sync_file(path));
  return renewed;
}

}  // namespace postamt::store::sqlite
