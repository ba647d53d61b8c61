// SqlStore: transactions, migrations, domains, accounts, aliases, mailboxes.
// Messages are in sql_messages.cpp.
#include <ctime>
#include <exception>

#include "base/base64.h"
#include "base/log.h"
#include "base/strings.h"
#include "metrics/catalog.h"
#include "model/address.h"
#include "store/api/rules.h"
#include "store/migrations/migrations.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

Mailbox mailbox_from(const Query& q) {
  Mailbox m;
  m.id = MailboxId(q.integer(0));
  m.account = AccountId(q.integer(1));
  m.name = q.text(2);
  m.role = role_from_name(q.text(3)).value_or(MailboxRole::none);
  m.subscription = q.integer(4) ? Subscription::subscribed : Subscription::unsubscribed;
  m.uid_validity = static_cast<UidValidity>(q.integer(5));
  m.uid_next = static_cast<Uid>(q.integer(6));
  m.highest_modseq = static_cast<ModSeq>(q.integer(7));
  m.messages = static_cast<uint32_t>(q.integer(8));
  m.unseen = static_cast<uint32_t>(q.integer(9));
  m.first_recent_uid = static_cast<Uid>(q.integer(10));
  m.modseq = static_cast<ModSeq>(q.integer(11));
  m.created_modseq = static_cast<ModSeq>(q.integer(12));
  return m;
}

// ---- transactions and schema ----

thread_local Connection* SqlStore::current_ = nullptr;

namespace {

// Makes `connection` the one db() returns on this thread for the scope's lifetime.
class UseConnection {
 public:
  UseConnection(Connection*& slot, Connection& connection) : slot_(slot), previous_(slot) {
    slot_ = &connection;
  }
  ~UseConnection() { slot_ = previous_; }
  UseConnection(const UseConnection&) = delete;
  UseConnection& operator=(const UseConnection&) = delete;

 private:
  Connection*& slot_;
  Connection* previous_;
};

}  // namespace

Result<void> SqlStore::run_transaction(Connection& connection, TransactionMode mode,
                                       const std::function<Result<void>()>& body) {
  UseConnection use(current_, connection);
  const metrics::Stopwatch watch;
  Result<void> outcome;
  for (int attempt = 1; attempt <= kWriteAttempts; ++attempt) {
    // A commit that failed may still have committed (the connection broke after the
    // server wrote it): retrying would apply the body twice (an append stored twice),
    // so such a failure ends the attempts and is returned as it is.
    bool commit_failed = false;
    outcome = [&]() -> Result<void> {
      POSTAMT_TRY(connection.begin(mode));
      auto r = body();
      if (r && mode == TransactionMode::write) {
        r = exec(connection, "UPDATE meta SET value = value + 1 WHERE name = 'data_version'");
      }
      if (!r) {
        connection.rollback();
        return r;
      }
      auto committed = connection.commit();
      if (!committed) {
        commit_failed = true;
        connection.rollback();
      }
      return committed;
    }();
    // Only a lock that stayed busy (or a connection lost before commit) is worth another
    // attempt; a read never needs one in WAL mode, and any other error would fail the
    // same way again.
    if (outcome || outcome.error().kind != ErrorKind::temporary || mode == TransactionMode::read ||
        commit_failed) {
      break;
    }
  }
  metrics::catalog()
      .store_transactions.with({mode == TransactionMode::write ? "write" : "read"})
      .observe(watch.seconds());
  return outcome;
}

// A reader connection borrowed from the pool; returned (or, if it was lost to an
// exception, its slot freed) when the lease ends.
class SqlStore::ReaderLease {
 public:
  ReaderLease(SqlStore& store, std::unique_ptr<Connection> connection)
      : store_(store), connection_(std::move(connection)) {}
  ~ReaderLease() {
    std::unique_lock lock(store_.readers_.mutex);
    if (std::uncaught_exceptions() > exceptions_) {
      // The transaction may be left open; the connection is closed, not reused.
      lock.unlock();
      connection_.reset();
      lock.lock();
      --store_.readers_.open;
    } else {
      store_.readers_.idle.push_back(std::move(connection_));
    }
    lock.unlock();
    store_.readers_.returned.notify_one();
  }
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  Connection& connection() { return *connection_; }

 private:
  SqlStore& store_;
  std::unique_ptr<Connection> connection_;
  int exceptions_ = std::uncaught_exceptions();
};

Result<void> SqlStore::transact(TransactionMode mode, const std::function<Result<void>()>& body) {
  if (mode == TransactionMode::read && readers_.factory) {
    auto reader = take_reader();
    if (reader) {
      ReaderLease lease(*this, std::move(*reader));
      return run_transaction(lease.connection(), mode, body);
    }
    // No reader could be opened (e.g. out of file descriptors): the writer connection
    // still serves reads, as it does without a pool.
    log::warning("store", "cannot open a reader connection, reading on the writer: {}",
                 reader.error().message);
  }
  std::lock_guard lock(writer_mutex_);
  return run_transaction(*writer_, mode, body);
}

Result<std::unique_ptr<Connection>> SqlStore::take_reader() {
  std::unique_lock lock(readers_.mutex);
  while (true) {
    if (!readers_.idle.empty()) {
      auto connection = std::move(readers_.idle.back());
      readers_.idle.pop_back();
      return connection;
    }
    if (readers_.open < readers_.limit) break;
    readers_.returned.wait(lock);
  }
  ++readers_.open;
  lock.unlock();
  auto connection = readers_.factory();
  if (!connection) {
    lock.lock();
    --readers_.open;
    lock.unlock();
    readers_.returned.notify_one();
  }
  return connection;
}

Result<std::unique_ptr<SqlStore>> SqlStore::open(std::unique_ptr<Connection> connection,
                                                 ReaderOptions readers) {
  std::unique_ptr<SqlStore> store(new SqlStore(std::move(connection)));
  store->readers_.factory = std::move(readers.connect);
  store->readers_.limit = std::max<size_t>(1, readers.limit);
  Result<void> applied;
  for (int attempt = 1; attempt <= kWriteAttempts; ++attempt) {
    applied = store->apply_migrations();
    if (applied || applied.error().kind != ErrorKind::temporary) break;
  }
  if (!applied) return applied.error();
  return store;
}

Result<void> SqlStore::apply_migrations() {
  std::lock_guard lock(writer_mutex_);
  UseConnection use(current_, *writer_);
  // The common case, a current schema, needs no write lock: opening the store must
  // not wait for another process's long write.
  if (auto q = Query::prepare(db(), "SELECT max(version) FROM schema_version")) {
    auto current = q->single_int(0);
    if (current && *current == migrations().back().version) return {};
  }
  POSTAMT_TRY(db().begin(TransactionMode::write));
  int applied = 0;
  auto r = [&]() -> Result<void> {
    POSTAMT_TRY(db().execute_script(
        translate(db().dialect(),
                  "CREATE TABLE IF NOT EXISTS schema_version (version {BIGINT} PRIMARY KEY, "
                  "applied_at {BIGINT} NOT NULL)")));
    auto q = Query::prepare(db(), "SELECT max(version) FROM schema_version");
    if (!q) return q.error();
    auto current = q->single_int(0);
    if (!current) return current.error();
    int latest = migrations().back().version;
    if (*current > latest) {
      return Error{ErrorKind::invalid, "the database has schema version " +
                                           std::to_string(*current) + ", newer than this " +
                                           "program's " + std::to_string(latest)};
    }
    for (const Migration& m : migrations()) {
      if (m.version <= *current) continue;
      auto done = db().execute_script(translate(db().dialect(), m.sql));
      if (!done) {
        return Error{done.error().kind, "migration " + std::to_string(m.version) + " (" +
                                            std::string(m.description) +
                                            ") failed: " + done.error().message};
      }
      POSTAMT_TRY(exec(db(), "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                       int64_t{m.version}, static_cast<int64_t>(std::time(nullptr))));
      ++applied;
    }
    // RFC 9051 §2.3.1.1: UIDVALIDITY must differ for a mailbox name re-created with
    // other messages, also when the whole database was deleted and created again; a
    // clock-based seed keeps client caches from matching a new database.
    auto seed = static_cast<int64_t>(static_cast<uint32_t>(std::time(nullptr)) | 1u);
    return exec(db(), "INSERT INTO meta (name, value) VALUES ('next_uid_validity', ?){IGNORE}",
                seed);
  }();
  if (!r) {
    db().rollback();
    return r;
  }
  auto committed = db().commit();
  if (!committed) {
    db().rollback();
    return committed;
  }
  migrations_applied_ = applied;
  return {};
}

Result<int> SqlStore::schema_version() {
  int version = 0;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT max(version) FROM schema_version");
    if (!q) return q.error();
    auto v = q->single_int(0);
    if (!v) return v.error();
    version = static_cast<int>(*v);
    return {};
  }));
  return version;
}

Result<void> SqlStore::with_transaction(TransactionMode mode,
                                        const std::function<Result<void>(Connection&)>& body) {
  return transact(mode, [&]() -> Result<void> { return body(db()); });
}

// ---- domains ----

Result<void> SqlStore::add_domain(std::string_view domain) {
  auto name = normalize_domain(domain);
  if (!name) return name.error();
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT count(*) FROM domain WHERE name = ?");
    if (!q) return q.error();
    auto n = q->bind(*name).single_int(0);
    if (!n) return n.error();
    if (*n) return errors::domain_exists(*name);
    return exec(db(), "INSERT INTO domain (name) VALUES (?)", *name);
  });
}

Result<void> SqlStore::remove_domain(std::string_view domain) {
  auto name = normalize_domain(domain);
  if (!name) return name.error();
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(),
                            "SELECT (SELECT count(*) FROM domain WHERE name = ?), "
                            "(SELECT count(*) FROM account WHERE domain = ?), "
                            "(SELECT count(*) FROM alias WHERE domain = ?)");
    if (!q) return q.error();
    q->bind(*name).bind(*name).bind(*name);
    auto row = q->next();
    if (!row) return row.error();
    if (q->integer(0) == 0) return errors::domain_missing(*name);
    if (q->integer(1) || q->integer(2)) {
      return errors::domain_in_use(*name, q->integer(1), q->integer(2));
    }
    POSTAMT_TRY(
        exec(db(), "DELETE FROM receipt_policy WHERE scope = 'domain' AND subject_key = ?", *name));
    return exec(db(), "DELETE FROM domain WHERE name = ?", *name);
  });
}

Result<std::vector<std::string>> SqlStore::list_domains() {
  std::vector<std::string> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    out.clear();
    auto q = Query::prepare(db(), "SELECT name FROM domain ORDER BY name");
    if (!q) return q.error();
    while (true) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      out.push_back(q->text(0));
    }
  }));
  return out;
}

Result<bool> SqlStore::domain_exists(std::string_view domain) {
  auto name = normalize_domain(domain);
  if (!name) return name.error();
  bool found = false;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT count(*) FROM domain WHERE name = ?");
    if (!q) return q.error();
    auto n = q->bind(*name).single_int(0);
    if (!n) return n.error();
    found = *n > 0;
    return {};
  }));
  return found;
}

// ---- accounts ----

Result<std::optional<int64_t>> SqlStore::account_id_by_key(const std::string& key) {
  auto q = Query::prepare(db(), "SELECT id FROM account WHERE address_key = ?");
  if (!q) return q.error();
  auto row = q->bind(key).next();
  if (!row) return row.error();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(q->integer(0));
}

Result<AccountId> SqlStore::create_account(std::string_view address,
                                           std::string_view password_hash) {
  auto parts = parse_address(address);
  if (!parts) return parts.error();
  std::string normal = parts->local_part + "@" + parts->domain;
  std::string key = *address_key(normal);
  AccountId id;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(),
                            "SELECT (SELECT count(*) FROM domain WHERE name = ?), "
                            "(SELECT count(*) FROM account WHERE address_key = ?), "
                            "(SELECT count(*) FROM alias WHERE address_key = ?)");
    if (!q) return q.error();
    auto row = q->bind(parts->domain).bind(key).bind(key).next();
    if (!row) return row.error();
    if (q->integer(0) == 0) return errors::domain_missing(parts->domain);
    if (q->integer(1)) return errors::user_exists(normal);
    if (q->integer(2)) return errors::alias_exists(normal);
    auto insert = Query::prepare(db(),
                                 "INSERT INTO account (address, address_key, domain, "
                                 "password_hash) VALUES (?, ?, ?, ?){RETURNING id}");
    if (!insert) return insert.error();
    auto new_id =
        insert->bind(normal).bind(key).bind(parts->domain).bind(password_hash).single_int(0);
    if (!new_id) return new_id.error();
    id = AccountId(*new_id);
    for (MailboxRole role : kDefaultRoles) {
      auto box = insert_mailbox(id, default_mailbox_name(role), role, Subscription::subscribed);
      if (!box) return box.error();
    }
    return {};
  }));
  return id;
}

Result<void> SqlStore::remove_account(std::string_view address) {
  auto key = address_key(address);
  if (!key) return key.error();
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto id = account_id_by_key(*key);
    if (!id) return id.error();
    if (!*id) return errors::user_missing(*normalize_address(address));
    // ON DELETE CASCADE removes mailboxes, messages, the change log, keywords, receipt
    // records and the account's policy overrides.
    return exec(db(), "DELETE FROM account WHERE id = ?", **id);
  });
}

Result<std::vector<Account>> SqlStore::list_accounts() {
  std::vector<Account> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    out.clear();
    auto q = Query::prepare(db(), "SELECT id, address FROM account ORDER BY address_key");
    if (!q) return q.error();
    while (true) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      out.push_back(Account{AccountId(q->integer(0)), q->text(1)});
    }
  }));
  return out;
}

Result<Account> SqlStore::find_account(std::string_view address) {
  auto key = address_key(address);
  if (!key) return key.error();
  std::optional<Account> found;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT id, address FROM account WHERE address_key = ?");
    if (!q) return q.error();
    auto row = q->bind(*key).next();
    if (!row) return row.error();
    if (*row) found = Account{AccountId(q->integer(0)), q->text(1)};
    return {};
  }));
  if (!found) return errors::user_missing(*normalize_address(address));
  return *found;
}

Result<void> SqlStore::set_password_hash(std::string_view address, std::string_view hash) {
  auto key = address_key(address);
  if (!key) return key.error();
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto id = account_id_by_key(*key);
    if (!id) return id.error();
    if (!*id) return errors::user_missing(*normalize_address(address));
    // RFC 8620 §7.2: a new password revokes the old one and its push subscriptions.
    POSTAMT_TRY(exec(db(),
                     "DELETE FROM push_subscription WHERE account_id = ? AND credential_kind = "
                     "'password'",
                     **id));
    return exec(db(), "UPDATE account SET password_hash = ? WHERE id = ?", hash, **id);
  });
}

Result<std::string> SqlStore::password_hash(std::string_view address) {
  auto key = address_key(address);
  if (!key) return key.error();
  std::optional<std::string> hash;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT password_hash FROM account WHERE address_key = ?");
    if (!q) return q.error();
    auto row = q->bind(*key).next();
    if (!row) return row.error();
    if (*row) hash = q->text(0);
    return {};
  }));
  if (!hash) return errors::user_missing(*normalize_address(address));
  return *hash;
}

// ---- quota ----

Result<void> SqlStore::set_quota(std::string_view address, const QuotaSetting& setting) {
  auto key = address_key(address);
  if (!key) return key.error();
  auto value = [](std::optional<uint64_t> v) {
    return v ? std::optional<int64_t>(static_cast<int64_t>(*v)) : std::nullopt;
  };
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto id = account_id_by_key(*key);
    if (!id) return id.error();
    if (!*id) return errors::user_missing(*normalize_address(address));
    return exec(db(), "UPDATE account SET quota_storage = ?, quota_messages = ? WHERE id = ?",
                value(setting.storage), value(setting.messages), **id);
  });
}

Result<QuotaState> SqlStore::quota_in(AccountId account, Usage usage) {
  QuotaState state;
  auto q = Query::prepare(db(), "SELECT quota_storage, quota_messages FROM account WHERE id = ?");
  if (!q) return q.error();
  auto row = q->bind(account.value()).next();
  if (!row) return row.error();
  if (!*row) return errors::account_id_missing(account);
  if (!q->is_null(0)) state.setting.storage = static_cast<uint64_t>(q->integer(0));
  if (!q->is_null(1)) state.setting.messages = static_cast<uint64_t>(q->integer(1));
  state.limits = limits_of(state.setting);
  if (usage == Usage::when_limited && state.limits == QuotaLimits{}) return state;
  auto used =
      Query::prepare(db(),
                     "SELECT COALESCE(SUM(size), 0), COALESCE(SUM(messages), 0) FROM mailbox WHERE "
                     "account_id = ?");
  if (!used) return used.error();
  auto sums = used->bind(account.value()).next();
  if (!sums) return sums.error();
  if (*sums) {
    state.used.storage = static_cast<uint64_t>(used->integer(0));
    state.used.messages = static_cast<uint64_t>(used->integer(1));
  }
  return state;
}

Result<QuotaState> SqlStore::quota(AccountId account) {
  QuotaState state;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto found = quota_in(account, Usage::always);
    if (!found) return found.error();
    state = std::move(*found);
    return {};
  }));
  return state;
}

Result<void> SqlStore::check_quota_in(AccountId account, const QuotaLimits& adding) {
  // Without limits (the common case) a delivery is spared the sum over mailboxes.
  auto state = quota_in(account, Usage::when_limited);
  if (!state) return state.error();
  if (state->limits == QuotaLimits{}) return {};
  auto address = Query::prepare(db(), "SELECT address FROM account WHERE id = ?");
  if (!address) return address.error();
  auto row = address->bind(account.value()).next();
  if (!row) return row.error();
  return check_quota(*row ? address->text(0) : std::string("?"), state->limits, state->used,
                     adding);
}

// ---- aliases ----

Result<void> SqlStore::add_alias(std::string_view address,
                                 const std::vector<std::string>& targets) {
  auto parts = parse_address(address);
  if (!parts) return parts.error();
  std::string normal = parts->local_part + "@" + parts->domain;
  std::string key = *address_key(normal);
  std::vector<std::string> normal_targets;
  std::unordered_set<std::string> target_keys;
  for (const std::string& t : targets) {
    auto n = normalize_address(t);
    if (!n) return n.error();
    if (target_keys.insert(*address_key(*n)).second) normal_targets.push_back(*n);
  }
  if (normal_targets.empty()) return errors::alias_without_targets(normal);
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(),
                            "SELECT (SELECT count(*) FROM domain WHERE name = ?), "
                            "(SELECT count(*) FROM alias WHERE address_key = ?), "
                            "(SELECT count(*) FROM account WHERE address_key = ?)");
    if (!q) return q.error();
    auto row = q->bind(parts->domain).bind(key).bind(key).next();
    if (!row) return row.error();
    if (q->integer(0) == 0) return errors::domain_missing(parts->domain);
    if (q->integer(1)) return errors::alias_exists(normal);
    if (q->integer(2)) return errors::user_exists(normal);
    POSTAMT_TRY(exec(db(), "INSERT INTO alias (address_key, address, domain) VALUES (?, ?, ?)", key,
                     normal, parts->domain));
    for (size_t i = 0; i < normal_targets.size(); ++i) {
      POSTAMT_TRY(exec(db(),
                       "INSERT INTO alias_target (alias_key, position, target) VALUES (?, ?, ?)",
                       key, static_cast<int64_t>(i), normal_targets[i]));
    }
    return {};
  });
}

Result<void> SqlStore::remove_alias(std::string_view address) {
  auto key = address_key(address);
  if (!key) return key.error();
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT count(*) FROM alias WHERE address_key = ?");
    if (!q) return q.error();
    auto n = q->bind(*key).single_int(0);
    if (!n) return n.error();
    if (!*n) return errors::alias_missing(*normalize_address(address));
    return exec(db(), "DELETE FROM alias WHERE address_key = ?", *key);
  });
}

namespace {
// Reads aliases (all, or the one with `key`) with their targets, ordered.
Result<std::vector<Alias>> read_aliases(Connection& db, const std::string* key) {
  std::string sql =
      "SELECT a.address, t.target FROM alias a JOIN alias_target t ON t.alias_key = "
      "a.address_key";
  if (key) sql += " WHERE a.address_key = ?";
  sql += " ORDER BY a.address_key, t.position";
  auto q = Query::prepare(db, sql);
  if (!q) return q.error();
  if (key) q->bind(*key);
  std::vector<Alias> out;
  while (true) {
    auto row = q->next();
    if (!row) return row.error();
    if (!*row) return out;
    std::string address = q->text(0);
    if (out.empty() || out.back().address != address) out.push_back(Alias{address, {}});
    out.back().targets.push_back(q->text(1));
  }
}
}  // namespace

Result<Alias> SqlStore::find_alias(std::string_view address) {
  auto key = address_key(address);
  if (!key) return key.error();
  std::vector<Alias> found;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto r = read_aliases(db(), &*key);
    if (!r) return r.error();
    found = std::move(*r);
    return {};
  }));
  if (found.empty()) return errors::alias_missing(*normalize_address(address));
  return found.front();
}

Result<std::vector<Alias>> SqlStore::list_aliases() {
  std::vector<Alias> found;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto r = read_aliases(db(), nullptr);
    if (!r) return r.error();
    found = std::move(*r);
    return {};
  }));
  return found;
}

// ---- mailboxes ----

Result<Mailbox> SqlStore::load_mailbox(MailboxId id) {
  auto q =
      Query::prepare(db(), "SELECT " + std::string(kMailboxColumns) + " FROM mailbox WHERE id = ?");
  if (!q) return q.error();
  auto row = q->bind(id.value()).next();
  if (!row) return row.error();
  if (!*row) return errors::mailbox_id_missing(id);
  return mailbox_from(*q);
}

Result<std::optional<Mailbox>> SqlStore::load_mailbox_by_name(AccountId account,
                                                              std::string_view name) {
  auto q = Query::prepare(db(), "SELECT " + std::string(kMailboxColumns) +
                                    " FROM mailbox WHERE account_id = ? AND name = ?");
  if (!q) return q.error();
  auto row = q->bind(account.value()).bind(name).next();
  if (!row) return row.error();
  if (!*row) return std::optional<Mailbox>();
  return std::optional<Mailbox>(mailbox_from(*q));
}

Result<Mailbox> SqlStore::insert_mailbox(AccountId account, std::string_view name, MailboxRole role,
                                         Subscription subscription) {
  auto checked = check_mailbox_name(name);
  if (!checked) return checked.error();
  auto q = Query::prepare(db(),
                          "SELECT (SELECT count(*) FROM account WHERE id = ?), "
                          "(SELECT count(*) FROM mailbox WHERE account_id = ? AND name = ?), "
                          "(SELECT count(*) FROM mailbox WHERE account_id = ? AND role = ?)");
  if (!q) return q.error();
  auto row = q->bind(account.value())
                 .bind(account.value())
                 .bind(*checked)
                 .bind(account.value())
                 .bind(role_name(role))
                 .next();
  if (!row) return row.error();
  if (q->integer(0) == 0) return errors::account_id_missing(account);
  if (q->integer(1)) return errors::mailbox_exists(*checked);
  if (role != MailboxRole::none && q->integer(2)) return errors::role_taken(role);

  auto validity = Query::prepare(
      db(), "UPDATE meta SET value = value + 1 WHERE name = 'next_uid_validity'{RETURNING value}");
  if (!validity) return validity.error();
  auto next = validity->single_int(0);
  if (!next) return next.error();
  // The counter is read after the increment; UIDVALIDITY is a non-zero 32-bit number.
  auto uid_validity = static_cast<UidValidity>(*next - 1);
  if (uid_validity == 0) uid_validity = 1;
  auto highest = bump_account_modseq(account);
  if (!highest) return highest.error();

  auto insert = Query::prepare(db(),
                               "INSERT INTO mailbox (account_id, name, role, "
                               "uid_validity, uid_next, highest_modseq, modseq, created_modseq) "
                               "VALUES (?, ?, ?, ?, 1, ?, ?, ?){RETURNING id}");
  if (!insert) return insert.error();
  auto id = insert->bind(account.value())
                .bind(*checked)
                .bind(role_name(role))
                .bind(int64_t{uid_validity})
                .bind(static_cast<int64_t>(*highest))
                .bind(static_cast<int64_t>(*highest))
                .bind(static_cast<int64_t>(*highest))
                .single_int(0);
  if (!id) return id.error();
  if (subscription == Subscription::subscribed)
    POSTAMT_TRY(write_subscription(account, *checked, subscription));
  // A subscription kept from a deleted mailbox of this name applies again.
  auto subscribed =
      Query::prepare(db(), "SELECT count(*) FROM subscription WHERE account_id = ? AND name = ?");
  if (!subscribed) return subscribed.error();
  auto n = subscribed->bind(account.value()).bind(*checked).single_int(0);
  if (!n) return n.error();
  Mailbox box;
  box.id = MailboxId(*id);
  box.account = account;
  box.name = *checked;
  box.role = role;
  box.subscription = *n ? Subscription::subscribed : Subscription::unsubscribed;
  box.uid_validity = uid_validity;
  box.highest_modseq = *highest;
  box.modseq = *highest;
  box.created_modseq = *highest;
  return box;
}

Result<std::vector<Mailbox>> SqlStore::list_mailboxes(AccountId account) {
  std::vector<Mailbox> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    out.clear();
    POSTAMT_TRY(check_account(account));
    auto q = Query::prepare(db(), "SELECT " + std::string(kMailboxColumns) +
                                      " FROM mailbox WHERE account_id = ? ORDER BY name");
    if (!q) return q.error();
    q->bind(account.value());
    while (true) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      out.push_back(mailbox_from(*q));
    }
  }));
  return out;
}

Result<Mailbox> SqlStore::find_mailbox(AccountId account, std::string_view name) {
  auto checked = check_mailbox_name(name);
  if (!checked) return errors::mailbox_missing(name);
  std::optional<Mailbox> found;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto r = load_mailbox_by_name(account, *checked);
    if (!r) return r.error();
    found = *r;
    return {};
  }));
  if (!found) return errors::mailbox_missing(*checked);
  return *found;
}

Result<Mailbox> SqlStore::find_mailbox_by_role(AccountId account, MailboxRole role) {
  std::optional<Mailbox> found;
  if (role != MailboxRole::none) {
    POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
      auto q = Query::prepare(db(), "SELECT " + std::string(kMailboxColumns) +
                                        " FROM mailbox WHERE account_id = ? AND role = ?");
      if (!q) return q.error();
      auto row = q->bind(account.value()).bind(role_name(role)).next();
      if (!row) return row.error();
      if (*row) found = mailbox_from(*q);
      return {};
    }));
  }
  if (!found) {
    return Error{ErrorKind::not_found, "no mailbox has role " + std::string(role_name(role))};
  }
  return *found;
}

Result<Mailbox> SqlStore::get_mailbox(MailboxId mailbox) {
  Mailbox found;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto r = load_mailbox(mailbox);
    if (!r) return r.error();
    found = *r;
    return {};
  }));
  return found;
}

Result<Mailbox> SqlStore::create_mailbox(AccountId account, std::string_view name,
                                         MailboxRole role) {
  Mailbox created;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto r = insert_mailbox(account, name, role, Subscription::unsubscribed);
    if (!r) return r.error();
    created = *r;
    return {};
  }));
  return created;
}

Result<void> SqlStore::rename_mailbox(MailboxId mailbox, std::string_view new_name) {
  auto checked = check_mailbox_name(new_name);
  if (!checked) return checked.error();
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto box = load_mailbox(mailbox);
    if (!box) return box.error();
    if (box->name == "INBOX") return errors::inbox_protected("renamed");
    if (*checked == box->name) return errors::mailbox_exists(*checked);
    if (is_same_or_below(*checked, box->name)) return errors::rename_below_itself(box->name);
    auto q = Query::prepare(db(), "SELECT id, name FROM mailbox WHERE account_id = ?");
    if (!q) return q.error();
    q->bind(box->account.value());
    std::vector<std::pair<int64_t, std::string>> renames;
    while (true) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) break;
      std::string name = q->text(1);
      if (!is_same_or_below(name, box->name)) continue;
      auto target = check_mailbox_name(*checked + name.substr(box->name.size()));
      if (!target) return target.error();
      renames.emplace_back(q->integer(0), *target);
    }
    for (const auto& [id, target] : renames) {
      auto taken = load_mailbox_by_name(box->account, target);
      if (!taken) return taken.error();
      if (*taken) return errors::mailbox_exists(target);
    }
    // RFC 8621 §2.2: a rename changes the name (and parentId) of every mailbox it moves.
    auto modseq = bump_account_modseq(box->account);
    if (!modseq) return modseq.error();
    for (const auto& [id, target] : renames) {
      POSTAMT_TRY(exec(db(), "UPDATE mailbox SET name = ?, modseq = ? WHERE id = ?", target,
                       static_cast<int64_t>(*modseq), id));
    }
    // The subscriptions of the renamed names (and of names below, existing or not) go
    // along.
    auto subs = Query::prepare(db(), "SELECT name FROM subscription WHERE account_id = ?");
    if (!subs) return subs.error();
    subs->bind(box->account.value());
    std::vector<std::string> moved;
    while (true) {
      auto row = subs->next();
      if (!row) return row.error();
      if (!*row) break;
      std::string name = subs->text(0);
      if (is_same_or_below(name, box->name)) moved.push_back(std::move(name));
    }
    for (const auto& name : moved) {
      POSTAMT_TRY(write_subscription(box->account, name, Subscription::unsubscribed));
      // A subscribed name without a mailbox that the new prefix makes too long or too
      // deep is dropped rather than failing the rename (as the memory store does).
      auto target = check_mailbox_name(*checked + name.substr(box->name.size()));
      if (target) {
        POSTAMT_TRY(write_subscription(box->account, *target, Subscription::subscribed));
      }
    }
    return {};
  });
}

Result<void> SqlStore::delete_mailbox(MailboxId mailbox) {
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto box = load_mailbox(mailbox);
    if (!box) return box.error();
    if (box->name == "INBOX") return errors::inbox_protected("deleted");
    POSTAMT_TRY(exec(db(), "DELETE FROM metadata WHERE account_id = ? AND scope_id = ?",
                     box->account.value(), mailbox.value()));
    POSTAMT_TRY(record_mailbox_deletion(*box));
    return exec(db(), "DELETE FROM mailbox WHERE id = ?", mailbox.value());
  });
}

// The scope of a metadata call: 0 for the server, else the mailbox, which must be the
// account's.
Result<int64_t> SqlStore::metadata_scope(AccountId account, std::optional<MailboxId> mailbox) {
  if (!mailbox) {
    auto q = Query::prepare(db(), "SELECT count(*) FROM account WHERE id = ?");
    if (!q) return q.error();
    auto n = q->bind(account.value()).single_int(0);
    if (!n) return n.error();
    if (*n == 0) return errors::account_id_missing(account);
    return int64_t{0};
  }
  auto box = load_mailbox(*mailbox);
  if (!box) return box.error();
  if (box->account != account) return errors::mailbox_id_missing(*mailbox);
  return mailbox->value();
}

Result<std::vector<MetadataEntry>> SqlStore::list_metadata(AccountId account,
                                                           std::optional<MailboxId> mailbox) {
  std::vector<MetadataEntry> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto scope = metadata_scope(account, mailbox);
    if (!scope) return scope.error();
    auto q =
        Query::prepare(db(),
                       "SELECT name, value FROM metadata WHERE account_id = ? AND scope_id = ? "
                       "ORDER BY name_key");
    if (!q) return q.error();
    q->bind(account.value()).bind(*scope);
    for (;;) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      out.push_back(MetadataEntry{q->text(0), base64::decode(q->text(1)).value_or("")});
    }
  }));
  return out;
}

Result<void> SqlStore::set_metadata(AccountId account, std::optional<MailboxId> mailbox,
                                    const std::vector<MetadataChange>& changes,
                                    size_t max_entries) {
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto scope = metadata_scope(account, mailbox);
    if (!scope) return scope.error();
    for (const MetadataChange& c : changes) {
      std::string key = ascii_lower(c.name);
      if (!c.value) {
        POSTAMT_TRY(exec(db(),
                         "DELETE FROM metadata WHERE account_id = ? AND scope_id = ? AND "
                         "name_key = ?",
                         account.value(), *scope, key));
        continue;
      }
      std::string value = base64::encode(*c.value);
      POSTAMT_TRY(exec(db(),
                       "UPDATE metadata SET value = ? WHERE account_id = ? AND scope_id = ? AND "
                       "name_key = ?",
                       value, account.value(), *scope, key));
      POSTAMT_TRY(exec(db(),
                       "INSERT INTO metadata (account_id, scope_id, name_key, name, value) VALUES "
                       "(?, ?, ?, ?, ?){IGNORE}",
                       account.value(), *scope, key, c.name, value));
    }
    auto q =
        Query::prepare(db(), "SELECT count(*) FROM metadata WHERE account_id = ? AND scope_id = ?");
    if (!q) return q.error();
    auto count = q->bind(account.value()).bind(*scope).single_int(0);
    if (!count) return count.error();
    // A failing transaction rolls everything back.
    if (static_cast<size_t>(*count) > max_entries) return errors::too_many_metadata(max_entries);
    if (mailbox) {
      auto box = load_mailbox(*mailbox);
      if (!box) return box.error();
      auto modseq = next_modseq(*box);
      if (!modseq) return modseq.error();
    }
    return {};
  });
}

Result<Uid> SqlStore::claim_recent(MailboxId mailbox, Uid last) {
  Uid before = 0;
  // Every selected session asks when it hears of new mail, and all but the first find
  // nothing left: a read answers them without the write lock, a commit and a
  // data_version bump that would wake every other session.
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto box = load_mailbox(mailbox);
    if (!box) return box.error();
    before = box->first_recent_uid;
    return {};
  }));
  if (before > last) return before;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto box = load_mailbox(mailbox);
    if (!box) return box.error();
    before = box->first_recent_uid;
    if (before > last) return {};
    return exec(db(), "UPDATE mailbox SET first_recent_uid = ? WHERE id = ?",
                static_cast<int64_t>(last) + 1, mailbox.value());
  }));
  return before;
}

Result<void> SqlStore::write_subscription(AccountId account, const std::string& name,
                                          Subscription subscription) {
  POSTAMT_TRY(exec(db(), "DELETE FROM subscription WHERE account_id = ? AND name = ?",
                   account.value(), name));
  if (subscription == Subscription::unsubscribed) return {};
  return exec(db(), "INSERT INTO subscription (account_id, name) VALUES (?, ?)", account.value(),
              name);
}

Result<void> SqlStore::set_subscription(AccountId account, std::string_view name,
                                        Subscription subscription) {
  auto checked = check_mailbox_name(name);
  if (!checked) return checked.error();
  return transact(TransactionMode::write, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(account));
    auto q =
        Query::prepare(db(), "SELECT count(*) FROM subscription WHERE account_id = ? AND name = ?");
    if (!q) return q.error();
    auto n = q->bind(account.value()).bind(*checked).single_int(0);
    if (!n) return n.error();
    if ((*n > 0) == (subscription == Subscription::subscribed)) return {};
    // RFC 8621 §2.2: isSubscribed is a property of the mailbox of that name.
    auto modseq = bump_account_modseq(account);
    if (!modseq) return modseq.error();
    POSTAMT_TRY(exec(db(), "UPDATE mailbox SET modseq = ? WHERE account_id = ? AND name = ?",
                     static_cast<int64_t>(*modseq), account.value(), *checked));
    return write_subscription(account, *checked, subscription);
  });
}

Result<std::vector<std::string>> SqlStore::list_subscriptions(AccountId account) {
  std::vector<std::string> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto names =
        account_texts(account, "SELECT name FROM subscription WHERE account_id = ? ORDER BY name");
    if (!names) return names.error();
    out = std::move(*names);
    return {};
  }));
  return out;
}

Result<void> SqlStore::check_account(AccountId account) {
  auto exists = Query::prepare(db(), "SELECT count(*) FROM account WHERE id = ?");
  if (!exists) return exists.error();
  auto n = exists->bind(account.value()).single_int(0);
  if (!n) return n.error();
  if (!*n) return errors::account_id_missing(account);
  return {};
}

Result<std::vector<std::string>> SqlStore::account_texts(AccountId account, std::string_view sql) {
  POSTAMT_TRY(check_account(account));
  auto q = Query::prepare(db(), sql);
  if (!q) return q.error();
  q->bind(account.value());
  std::vector<std::string> out;
  while (true) {
    auto row = q->next();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(q->text(0));
  }
}

Result<uint64_t> SqlStore::data_version() {
  int64_t version = 0;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT value FROM meta WHERE name = 'data_version'");
    if (!q) return q.error();
    auto v = q->single_int(0);
    if (!v) return v.error();
    version = *v;
    return {};
  }));
  return static_cast<uint64_t>(version);
}

}  // namespace postamt::store::sql
