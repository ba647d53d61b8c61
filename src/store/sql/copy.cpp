#include "store/sql/copy.h"

#include <fmt/format.h>

#include <string>

#include "store/sql/query.h"

namespace postamt::store::sql {

namespace {

constexpr CopiedTable kCopiedTables[] = {
    {"meta", Ids::none, TargetRows::replaced},
    {"domain", Ids::none, TargetRows::none},
    {"account", Ids::auto_assigned, TargetRows::none},
    {"account_keyword", Ids::auto_assigned, TargetRows::none},
    {"alias", Ids::none, TargetRows::none},
    {"alias_target", Ids::none, TargetRows::none},
    {"mailbox", Ids::auto_assigned, TargetRows::none},
    {"message", Ids::none, TargetRows::none},
    {"expunged", Ids::none, TargetRows::none},
    {"subscription", Ids::none, TargetRows::none},
    {"metadata", Ids::none, TargetRows::none},
    {"thread_link", Ids::none, TargetRows::none},
    {"account_expunged", Ids::none, TargetRows::none},
    {"mailbox_tombstone", Ids::none, TargetRows::none},
    {"sent_receipt", Ids::auto_assigned, TargetRows::none},
    {"received_receipt", Ids::auto_assigned, TargetRows::none},
    {"refused_receipt", Ids::auto_assigned, TargetRows::none},
    {"receipt_policy", Ids::none, TargetRows::none},
    {"api_token", Ids::auto_assigned, TargetRows::none},
    {"email_submission", Ids::none, TargetRows::none},
    {"email_submission_rcpt", Ids::none, TargetRows::none},
    {"email_submission_tombstone", Ids::none, TargetRows::none},
    {"web_session", Ids::auto_assigned, TargetRows::none},
    {"web_setting", Ids::none, TargetRows::none},
    {"push_subscription", Ids::auto_assigned, TargetRows::none},
};

// Not copied row by row: schema_version (both sides are migrated alike); the blob tables
// (message bytes move through the BlobStore interface, blob/copy_blobs.h, into whatever
// blob store the target uses); queue_entry (the outbound queue moves through
// queue::Spool::import, into files or rows as the target keeps it); claim (leases of the
// source's live processes, meaningless to the target).
constexpr std::string_view kNotCopied[] = {"schema_version", "blob_upload", "blob",
                                           "blob_chunk",     "queue_entry", "claim"};

// Names come from the source's result columns and go into SQL text unquoted.
bool plain_identifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<int64_t> count_table(Connection& connection, std::string_view table) {
  auto q = Query::prepare(connection, fmt::format("SELECT count(*) FROM {}", table));
  if (!q) return q.error();
  return q->single_int(0);
}

std::string counted(int64_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// invalid when the target holds rows of a table it must not have any of: copying into a
// store in use would mix two installations' ids.
Result<void> check_target_empty(Connection& target) {
  std::string first_table;
  int64_t first_rows = 0;
  int64_t domains = 0, accounts = 0;
  for (const CopiedTable& t : kCopiedTables) {
    if (t.target != TargetRows::none) continue;
    auto n = count_table(target, t.name);
    if (!n) return n.error();
    if (t.name == "domain") domains = *n;
    if (t.name == "account") accounts = *n;
    if (*n > 0 && first_table.empty()) {
      first_table = t.name;
      first_rows = *n;
    }
  }
  if (first_table.empty()) return {};
  std::string what = domains + accounts > 0
                         ? fmt::format("it has {} and {}", counted(domains, "domain"),
                                       counted(accounts, "account"))
                         : fmt::format("table {} has {}", first_table, counted(first_rows, "row"));
  return Error{
      ErrorKind::invalid,
      fmt::format("the target store is not empty: {}; store copy fills only a new store", what)};
}

// Binds column `index` of the source's current row to parameter `index + 1`.
Result<void> bind_like(const Statement& from, int index, Statement& to) {
  switch (from.column_type(index)) {
    case ColumnType::integer:
      return to.bind_int(index + 1, from.column_int(index));
    case ColumnType::text:
      return to.bind_text(index + 1, from.column_text(index));
    case ColumnType::blob:
      return to.bind_blob(index + 1, from.column_text(index));
    case ColumnType::null:
      return to.bind_null(index + 1);
  }
  return Error{ErrorKind::invalid, "unknown column type"};
}

// Every row of `table` from source to target; returns how many.
Result<int64_t> copy_table(Connection& source, Connection& target, std::string_view table) {
  auto select = source.prepare(translate(source.dialect(), fmt::format("SELECT * FROM {}", table)));
  if (!select) return select.error();
  std::string insert;
  int64_t rows = 0;
  while (true) {
    auto step = (*select)->step();
    if (!step) return step.error();
    if (*step == StepResult::done) break;
    const Statement& row = **select;
    if (insert.empty()) {
      std::string columns, values;
      for (int i = 0; i < row.column_count(); ++i) {
        std::string name = row.column_name(i);
        if (!plain_identifier(name)) {
          return Error{ErrorKind::invalid,
                       fmt::format("table {} has a column named \"{}\", which store copy does "
                                   "not know how to name",
                                   table, name)};
        }
        columns += (i ? ", " : "") + name;
        values += i ? ", ?" : "?";
      }
      insert = translate(target.dialect(),
                         fmt::format("INSERT INTO {} ({}) VALUES ({})", table, columns, values));
    }
    auto statement = target.prepare(insert);
    if (!statement) return statement.error();
    for (int i = 0; i < row.column_count(); ++i) POSTAMT_TRY(bind_like(row, i, **statement));
    auto done = (*statement)->step();
    if (!done) {
      return Error{done.error().kind,
                   fmt::format("copying table {}: {}", table, done.error().message)};
    }
    ++rows;
  }
  return rows;
}

}  // namespace

std::span<const CopiedTable> copied_tables() {
  return kCopiedTables;
}

std::span<const std::string_view> tables_not_copied() {
  return kNotCopied;
}

Result<void> check_copy_target(SqlStore& target) {
  return target.with_transaction(TransactionMode::read, check_target_empty);
}

Result<std::vector<int64_t>> count_rows(Connection& connection) {
  std::vector<int64_t> out;
  for (const CopiedTable& t : kCopiedTables) {
    auto n = count_table(connection, t.name);
    if (!n) return n.error();
    out.push_back(*n);
  }
  return out;
}

Result<std::vector<TableCount>> copy_rows(Connection& source, Connection& target) {
  POSTAMT_TRY(check_target_empty(target));
  std::vector<TableCount> out;
  for (const CopiedTable& t : kCopiedTables) {
    TableCount count{t.name};
    auto in_source = count_table(source, t.name);
    if (!in_source) return in_source.error();
    count.source = *in_source;
    if (t.target == TargetRows::replaced) {
      POSTAMT_TRY(target.execute_script(fmt::format("DELETE FROM {}", t.name)));
    }
    auto copied = copy_table(source, target, t.name);
    if (!copied) return copied.error();
    count.target = *copied;
    if (t.ids == Ids::auto_assigned) {
      // Later inserts into the target must not collide with the copied ids.
      std::string after = target.dialect().after_explicit_ids(t.name);
      if (!after.empty()) POSTAMT_TRY(target.execute_script(after));
    }
    out.push_back(count);
  }
  return out;
}

bool StoreCopy::counts_match() const {
  for (const TableCount& t : tables) {
    if (t.source != t.target) return false;
  }
  return true;
}

Result<StoreCopy> copy_store(SqlStore& source, SqlStore& target) {
  auto from_version = source.schema_version();
  if (!from_version) return from_version.error();
  auto to_version = target.schema_version();
  if (!to_version) return to_version.error();
  if (*from_version != *to_version) {
    return Error{ErrorKind::invalid,
                 fmt::format("the source store has schema version {} and the target {}: "
                             "run `postamt store migrate` on both with this program first",
                             *from_version, *to_version)};
  }
  StoreCopy out;
  out.schema_version = *from_version;
  POSTAMT_TRY(source.with_transaction(TransactionMode::read, [&](Connection& from) {
    return target.with_transaction(TransactionMode::write, [&](Connection& to) -> Result<void> {
      auto copied = copy_rows(from, to);
      if (!copied) return copied.error();
      out.tables = std::move(*copied);
      return {};
    });
  }));
  POSTAMT_TRY(target.with_transaction(TransactionMode::read, [&](Connection& to) -> Result<void> {
    auto counts = count_rows(to);
    if (!counts) return counts.error();
    for (size_t i = 0; i < out.tables.size(); ++i) out.tables[i].target = (*counts)[i];
    return {};
  }));
  return out;
}

}  // namespace postamt::store::sql
