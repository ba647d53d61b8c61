// SqlStore: cluster-wide claims (store/api/store.h, "cluster claims"; migration 20).
//
// Every time comes from {NOW}, the database server's clock, never from this process's:
// nodes whose clocks disagree still agree on whether a claim has expired. Each call is
// one write transaction, and write transactions are serialised across processes (SQLite's
// one writer; PostgreSQL's transaction-level advisory lock at begin), so reading a claim
// and then writing it cannot race another node doing the same.
#include "store/api/rules.h"
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

Result<bool> SqlStore::try_claim(std::string_view name, std::string_view owner,
                                 std::chrono::seconds lease) {
  POSTAMT_TRY(check_claim(name, owner, lease));
  const int64_t seconds = lease.count();
  bool taken = false;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    taken = false;
    auto q = Query::prepare(db(), "SELECT owner, until, {NOW} FROM claim WHERE name = ?");
    if (!q) return q.error();
    auto row = q->bind(name).next();
    if (!row) return row.error();
    // Held while now <= until (store.h): a claim lasts at least its whole lease.
    if (!*row)
      POSTAMT_TRY(exec(db(), "INSERT INTO claim (name, owner, until) VALUES (?, ?, {NOW} + ?)",
                       name, owner, seconds));
    else if (q->text(0) == owner || q->integer(1) < q->integer(2))
      POSTAMT_TRY(exec(db(), "UPDATE claim SET owner = ?, until = {NOW} + ? WHERE name = ?", owner,
                       seconds, name));
    else
      return {};  // another owner's, and alive
    taken = true;
    return {};
  }));
  return taken;
}

Result<size_t> SqlStore::renew_claims(std::string_view owner, std::chrono::seconds lease) {
  POSTAMT_TRY(check_claim("-", owner, lease));
  size_t renewed = 0;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT count(*) FROM claim WHERE owner = ?");
    if (!q) return q.error();
    auto n = q->bind(owner).single_int(0);
    if (!n) return n.error();
    renewed = static_cast<size_t>(*n);
    if (renewed == 0) return {};
    return exec(db(), "UPDATE claim SET until = {NOW} + ? WHERE owner = ?", lease.count(), owner);
  }));
  return renewed;
}

Result<void> SqlStore::release_claim(std::string_view name, std::string_view owner) {
  POSTAMT_TRY(check_claim(name, owner, std::chrono::seconds(1)));
  return transact(TransactionMode::write, [&]() -> Result<void> {
    return exec(db(), "DELETE FROM claim WHERE name = ? AND owner = ?", name, owner);
  });
}

}  // namespace postamt::store::sql
