#include "app/store_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "app/backends.h"
#include "blob/copy_blobs.h"
#include "queue/clock.h"
#include "queue/spool.h"
#include "queue/store_queue.h"
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

// The outbound queue as `serve` keeps it for `config` (queue/outbound.cpp): rows of the
// store with PostgreSQL, files under data_dir/queue otherwise.
Result<std::unique_ptr<queue::Spool>> open_spool(const Config& config, store::Store& store) {
  if (config.storage.backend == "postgres")
    return std::unique_ptr<queue::Spool>(
        std::make_unique<queue::StoreQueue>(store, queue::system_clock_now));
  auto files = queue::FileQueue::open(config.data_dir / "queue", queue::system_clock_now);
  if (!files) return files.error();
  return std::unique_ptr<queue::Spool>(std::move(*files));
}

struct QueueCopy {
  size_t copied = 0;
  size_t in_target = 0;
};

// Every queued message of `from` into `to` with its delivery state (attempts, next
// attempt, per-recipient results). A message that does not read back stops the copy,
// named: it is not silently left behind.
Result<QueueCopy> copy_queue(queue::Spool& from, queue::Spool& to) {
  auto ids = from.list();
  if (!ids) return ids.error();
  QueueCopy out;
  for (const std::string& id : *ids) {
    auto m = from.load(id);
    if (!m)
      return Error{m.error().kind, fmt::format("queued message {}: {}", id, m.error().message)};
    auto imported = to.import(*m);
    if (!imported)
      return Error{imported.error().kind,
                   fmt::format("queued message {}: {}", id, imported.error().message)};
    ++out.copied;
  }
  auto listed = to.list();
  if (!listed) return listed.error();
  out.in_target = listed->size();
  return out;
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

  auto source_queue = open_spool(from, *source->store);
  if (!source_queue) return source_queue.error();
  auto target_queue = open_spool(to, *target->store);
  if (!target_queue) return target_queue.error();

  // Refused before anything is written, message files included.
  POSTAMT_TRY(store::sql::check_copy_target(**target_sql));
  auto queued = (*target_queue)->list();
  if (!queued) return queued.error();
  if (!queued->empty())
    return Error{ErrorKind::invalid,
                 fmt::format("the target's outbound queue is not empty: it has {}; store copy "
                             "fills only a new store",
                             plural(queued->size(), "message"))};

  // Message bytes before the rows that name them (docs/architecture.md, Durability): an
  // interrupted copy leaves unreferenced files in the target, never a message without
  // its bytes, and the next run skips the files already there.
  auto source_refs = referenced(**source_sql);
  if (!source_refs) return source_refs.error();
  auto files = blob::copy_blobs(*source->blobs, *target->blobs, *source_refs);
  if (!files) return files.error();

  // Every row, one snapshot of the source, one transaction of the target.
  auto rows = store::sql::copy_store(**source_sql, **target_sql);
  if (!rows) return rows.error();
  // Then the outbound queue, from files or rows into files or rows.
  auto queue_copy = copy_queue(**source_queue, **target_queue);
  if (!queue_copy) return queue_copy.error();

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
  const bool queue_same = queue_copy->copied == queue_copy->in_target;
  if (!queue_same) ++differing;
  out.text += fmt::format("{:<28} {:>10} {:>10}{}\n", "queued messages", queue_copy->copied,
                          queue_copy->in_target, queue_same ? "" : "  differs");
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
