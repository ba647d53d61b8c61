// SqlStore: the outbound queue's entries and claims (store/api/queue_entries.h; table of
// store migration 19). Lease times are the database's clock ({NOW}), so that every node
// compares them against one clock.
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

namespace {

Error queue_entry_missing(std::string_view id) {
  return Error{ErrorKind::not_found, "no such message in the queue: " + std::string(id)};
}

Result<void> check_id(std::string_view id) {
  if (id.empty()) return Error{ErrorKind::invalid, "a queue entry needs an id"};
  return {};
}

// claim_live: the claim has not ended by the database's clock (an ended one reads as none).
constexpr std::string_view kEntryColumns =
    "id, arrival, next_attempt, held, quarantined, claim_owner, claim_until, head, CASE WHEN "
    "claim_until > {NOW} THEN 1 ELSE 0 END";

QueueEntry entry_from(const Query& q) {
  QueueEntry e;
  e.id = q.text(0);
  e.arrival = q.integer(1);
  e.next_attempt = q.integer(2);
  e.held = q.integer(3) != 0;
  e.quarantined = q.integer(4) != 0;
  if (!q.is_null(5) && q.integer(8) != 0) {
    e.claim_owner = q.text(5);
    e.claim_until = q.integer(6);
  }
  e.head = q.text(7);
  return e;
}

int64_t seconds_of(std::chrono::seconds lease) {
  return static_cast<int64_t>(lease.count());
}

}  // namespace

Result<void> SqlStore::insert_queue_entry(const QueueEntry& entry) {
  POSTAMT_TRY(check_id(entry.id));
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto q =
        Query::prepare(db(),
                       "INSERT INTO queue_entry (id, arrival, next_attempt, held, quarantined, "
                       "head, body) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!q) return q.error();
    q->bind(entry.id)
        .bind(entry.arrival)
        .bind(entry.next_attempt)
        .bind(int64_t{entry.held})
        .bind(int64_t{entry.quarantined})
        .bind_blob(entry.head)
        .bind_blob(entry.body);
    auto done = q->run();
    if (!done && done.error().kind == ErrorKind::exists)
      return Error{ErrorKind::exists, "queue id in use: " + entry.id};
    return done;
  });
}

Result<std::vector<std::string>> SqlStore::list_queue_entries() {
  std::vector<std::string> ids;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    ids.clear();
    auto q = Query::prepare(db(), "SELECT id FROM queue_entry ORDER BY id");
    if (!q) return q.error();
    for (;;) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      ids.push_back(q->text(0));
    }
  }));
  return ids;
}

Result<QueueEntry> SqlStore::get_queue_entry(std::string_view id, QueueRead read) {
  QueueEntry entry;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    std::string sql = "SELECT " + std::string(kEntryColumns) +
                      (read == QueueRead::whole ? ", body" : "") + " FROM queue_entry WHERE id = ?";
    auto q = Query::prepare(db(), sql);
    if (!q) return q.error();
    auto row = q->bind(id).next();
    if (!row) return row.error();
    if (!*row) return queue_entry_missing(id);
    entry = entry_from(*q);
    if (read == QueueRead::whole) entry.body = q->text(9);
    return {};
  }));
  return entry;
}

Result<void> SqlStore::update_queue_entry(
    std::string_view id, const std::function<Result<QueueChange>(QueueEntry&)>& change) {
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(
        db(), "SELECT " + std::string(kEntryColumns) + ", body FROM queue_entry WHERE id = ?");
    if (!q) return q.error();
    auto row = q->bind(id).next();
    if (!row) return row.error();
    if (!*row) return queue_entry_missing(id);
    QueueEntry entry = entry_from(*q);
    entry.body = q->text(9);
    auto wanted = change(entry);
    if (!wanted) return wanted.error();
    switch (*wanted) {
      case QueueChange::keep:
        return {};
      case QueueChange::remove:
        return exec(db(), "DELETE FROM queue_entry WHERE id = ?", id);
      case QueueChange::save:
        break;
    }
    auto u = Query::prepare(db(),
                            "UPDATE queue_entry SET arrival = ?, next_attempt = ?, held = ?, "
                            "quarantined = ?, head = ?, body = ? WHERE id = ?");
    if (!u) return u.error();
    u->bind(entry.arrival)
        .bind(entry.next_attempt)
        .bind(int64_t{entry.held})
        .bind(int64_t{entry.quarantined})
        .bind_blob(entry.head)
        .bind_blob(entry.body)
        .bind(id);
    return u->run();
  });
}

Result<void> SqlStore::remove_queue_entry(std::string_view id) {
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT count(*) FROM queue_entry WHERE id = ?");
    if (!q) return q.error();
    auto n = q->bind(id).single_int(0);
    if (!n) return n.error();
    if (*n == 0) return queue_entry_missing(id);
    return exec(db(), "DELETE FROM queue_entry WHERE id = ?", id);
  });
}

Result<std::vector<std::string>> SqlStore::claim_queue_entries(std::string_view owner,
                                                               int64_t due_by, size_t limit,
                                                               std::chrono::seconds lease) {
  std::vector<std::string> ids;
  if (owner.empty()) return Error{ErrorKind::invalid, "a queue claim needs an owner"};
  if (limit == 0) return ids;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    ids.clear();
    // {SKIP_LOCKED}: on PostgreSQL a row another transaction holds is passed over rather
    // than waited for (its writer takes it; we take the next).
    auto q = Query::prepare(db(),
                            "SELECT id FROM queue_entry WHERE next_attempt <= ? AND held = 0 AND "
                            "quarantined = 0 AND (claim_owner IS NULL OR claim_until <= {NOW}) "
                            "ORDER BY next_attempt, id LIMIT ?{SKIP_LOCKED}");
    if (!q) return q.error();
    q->bind(due_by).bind(static_cast<int64_t>(limit));
    for (;;) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) break;
      ids.push_back(q->text(0));
    }
    for (const std::string& id : ids)
      POSTAMT_TRY(exec(db(),
                       "UPDATE queue_entry SET claim_owner = ?, claim_until = {NOW} + ? WHERE id "
                       "= ?",
                       owner, seconds_of(lease), id));
    return {};
  }));
  return ids;
}

Result<bool> SqlStore::claim_queue_entry(std::string_view id, std::string_view owner,
                                         std::chrono::seconds lease) {
  if (owner.empty()) return Error{ErrorKind::invalid, "a queue claim needs an owner"};
  bool claimed = false;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(),
                            "SELECT count(*) FROM queue_entry WHERE id = ? AND (claim_owner IS "
                            "NULL OR claim_owner = ? OR claim_until <= {NOW})");
    if (!q) return q.error();
    auto free = q->bind(id).bind(owner).single_int(0);
    if (!free) return free.error();
    claimed = *free != 0;
    if (!claimed) {
      auto e = Query::prepare(db(), "SELECT count(*) FROM queue_entry WHERE id = ?");
      if (!e) return e.error();
      auto n = e->bind(id).single_int(0);
      if (!n) return n.error();
      if (*n == 0) return queue_entry_missing(id);
      return {};
    }
    return exec(db(),
                "UPDATE queue_entry SET claim_owner = ?, claim_until = {NOW} + ? WHERE id = ?",
                owner, seconds_of(lease), id);
  }));
  return claimed;
}

Result<bool> SqlStore::renew_queue_claim(std::string_view id, std::string_view owner,
                                         std::chrono::seconds lease) {
  bool held = false;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto q =
        Query::prepare(db(), "SELECT count(*) FROM queue_entry WHERE id = ? AND claim_owner = ?");
    if (!q) return q.error();
    auto n = q->bind(id).bind(owner).single_int(0);
    if (!n) return n.error();
    held = *n != 0;
    if (!held) return {};
    return exec(db(), "UPDATE queue_entry SET claim_until = {NOW} + ? WHERE id = ?",
                seconds_of(lease), id);
  }));
  return held;
}

Result<void> SqlStore::release_queue_claim(std::string_view id, std::string_view owner) {
  return transact(TransactionMode::write, [&]() -> Result<void> {
    return exec(db(),
                "UPDATE queue_entry SET claim_owner = NULL, claim_until = NULL WHERE id = ? AND "
                "claim_owner = ?",
                id, owner);
  });
}

Result<QueueSummary> SqlStore::queue_summary() {
  QueueSummary summary;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT count(*), min(arrival) FROM queue_entry");
    if (!q) return q.error();
    auto row = q->next();
    if (!row) return row.error();
    summary = {};
    if (!*row) return {};
    summary.entries = static_cast<uint64_t>(q->integer(0));
    if (!q->is_null(1)) summary.oldest_arrival = q->integer(1);
    return {};
  }));
  return summary;
}

}  // namespace postamt::store::sql
