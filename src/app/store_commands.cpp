#include "app/store_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "app/backends.h"
#include "blob/copy_blobs.h"
#include "store/sql/copy.h"

namespace postamt::app {

namespace {

Result<store::sql::SqlStore*> sql_store(Backends& backends, std::string_view side) {
  auto* sql = dynamic_cast<store::sql::SqlStore*>(backends.store.get());
  if (!sql) return Error{ErrorKind::invalid, fmt::format("the {} store is no SQL store", side)};
  return sql;
}

// The blobs `store`'s messages refer to, in a stable order (so that output and an
// interrupted copy's progress do not depend on hashing).
Result<std::vector<BlobRef>> referenced(store::Store& store) {
  auto refs = store.referenced_blobs();
  if (!refs) return refs.error();
  std::vector<BlobRef> out(refs->begin(), refs->end());
  std::sort(out.begin(), out.end());
  return out;
}

bool same_store(const Config& a, const Config& b) {
  if (a.storage.backend != b.storage.backend) return false;
  if (a.storage.backend == "postgres") return a.storage.url == b.storage.url;
  std::error_code ec1, ec2;
  return std::filesystem::weakly_canonical(a.data_dir, ec1) ==
         std::filesystem::weakly_canonical(b.data_dir, ec2);
}

std::string plural(size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

}  // namespace

Result<std::string> store_migrate(const Config& config) {
  auto backends = open_backends(config);
  if (!backends) return backends.error();
  auto sql = sql_store(*backends, "configured");
  if (!sql) return sql.error();
  auto version = (*sql)->schema_version();
  if (!version) return version.error();
  return fmt::format("schema version {} ({} applied)\n", *version, (*sql)->migrations_applied());
}

Result<StoreCopyOutput> store_copy(const Config& from, const Config& to) {
  if (same_store(from, to)) {
    return Error{ErrorKind::invalid, "--from and --to name the same store"};
  }
  auto source = open_backends(from);
  if (!source) return source.error();
  auto target = open_backends(to);
  if (!target) return target.error();
  auto source_sql = sql_store(*source, "source");
  if (!source_sql) return source_sql.error();
  auto target_sql = sql_store(*target, "target");
  if (!target_sql) return target_sql.error();

  // Refused before anything is written, message files included.
  POSTAMT_TRY(store::sql::check_copy_target(**target_sql));

  // Message bytes before the rows that name them (docs/architecture.md, Durability): an
  // interrupted copy leaves unreferenced files in the target, never a message without
  // its bytes, and the next run skips the files already there.
  auto source_refs = referenced(**source_sql);
  if (!source_refs) return source_refs.error();
  auto files = blob::copy_blobs(*source->blobs, *target->blobs, *source_refs);
  if (!files) return files.error();

  // Every row, one snapshot of the source, one transaction of the target. The outbound
  // queue's rows come with it once its tables are in store/sql/copy.cpp's list.
  auto rows = store::sql::copy_store(**source_sql, **target_sql);
  if (!rows) return rows.error();

  // Messages delivered into the source between its file list and its snapshot (a source
  // still serving) are in the target's rows now: their files follow.
  auto target_refs = referenced(**target_sql);
  if (!target_refs) return target_refs.error();
  auto late = blob::copy_blobs(*source->blobs, *target->blobs, *target_refs);
  if (!late) return late.error();

  auto missing = blob::missing_blobs(*target->blobs, *target_refs);
  if (!missing) return missing.error();

  StoreCopyOutput out;
  out.text += fmt::format("message files: {} copied, {} already in the target\n",
                          files->copied + late->copied, files->present);
  out.text += fmt::format("{:<28} {:>10} {:>10}\n", "table", "source", "target");
  size_t differing = 0;
  for (const store::sql::TableCount& t : rows->tables) {
    bool same = t.source == t.target;
    if (!same) ++differing;
    out.text += fmt::format("{:<28} {:>10} {:>10}{}\n", t.table, t.source, t.target,
                            same ? "" : "  differs");
  }
  const size_t present = target_refs->size() - missing->size();
  out.text += fmt::format("{:<28} {:>10} {:>10}{}\n", "message files", target_refs->size(), present,
                          missing->empty() ? "" : "  missing");
  for (const BlobRef& ref : *missing)
    out.text += fmt::format("missing message file {}\n", ref.hex());
  out.verified = differing == 0 && missing->empty();
  if (out.verified) {
    out.text += fmt::format("verified: schema version {}, {} and {} match\n", rows->schema_version,
                            plural(rows->tables.size(), "table"),
                            plural(target_refs->size(), "message file"));
  } else {
    out.text += fmt::format("NOT verified: {} differ, {} missing\n", plural(differing, "table"),
                            plural(missing->size(), "message file"));
  }
  return out;
}

}  // namespace postamt::app
