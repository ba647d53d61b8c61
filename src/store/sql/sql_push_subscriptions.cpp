// SqlStore: JMAP PushSubscription records (RFC 8620 §7.2; the table of store migration 15).
#include "store/api/rules.h"
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

namespace {

constexpr std::string_view kColumns =
    "id, account_id, credential_kind, credential_id, device_client_id, url, p256dh, auth, "
    "verification_code, verified, expires, types, created";

std::string_view kind_word(CredentialKind kind) {
  switch (kind) {
    case CredentialKind::password:
      return "password";
    case CredentialKind::token:
      return "token";
    case CredentialKind::session:
      return "session";
  }
  return "password";
}

CredentialKind kind_from(std::string_view word) {
  if (word == "token") return CredentialKind::token;
  if (word == "session") return CredentialKind::session;
  return CredentialKind::password;
}

PushSubscription subscription_from(const Query& q) {
  PushSubscription s;
  s.id = static_cast<uint64_t>(q.integer(0));
  s.account = AccountId(q.integer(1));
  s.credential = {kind_from(q.text(2)), q.integer(3)};
  s.device_client_id = q.text(4);
  s.url = q.text(5);
  if (!q.is_null(6) && !q.is_null(7)) s.keys = PushKeys{q.text(6), q.text(7)};
  s.verification_code = q.text(8);
  s.verified = q.integer(9) != 0;
  if (!q.is_null(10)) s.expires = q.integer(10);
  if (!q.is_null(11)) s.types = q.text(11);
  s.created = q.integer(12);
  return s;
}

Result<void> check_record(const NewPushSubscription& record) {
  if (record.device_client_id.empty() || record.url.empty() || record.verification_code.empty())
    return Error{ErrorKind::invalid,
                 "a push subscription needs a device client id, a url and a verification code"};
  return {};
}

// Rows of `sql` (which selects kColumns) with its parameters bound by `bind`.
template <class Bind>
Result<std::vector<PushSubscription>> select(Connection& db, const std::string& sql, Bind bind) {
  auto q = Query::prepare(db, sql);
  if (!q) return q.error();
  bind(*q);
  std::vector<PushSubscription> out;
  for (;;) {
    auto row = q->next();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(subscription_from(*q));
  }
}

std::string select_sql(std::string_view where) {
  return "SELECT " + std::string(kColumns) + " FROM push_subscription WHERE " + std::string(where) +
         " ORDER BY id";
}

constexpr std::string_view kOwned =
    "account_id = ? AND credential_kind = ? AND credential_id = ? AND id = ?";

}  // namespace

Result<PushSubscription> SqlStore::create_push_subscription(const NewPushSubscription& record,
                                                            uint32_t max_per_account) {
  POSTAMT_TRY(check_record(record));
  PushSubscription stored;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(record.account));
    auto count =
        Query::prepare(db(), "SELECT count(*) FROM push_subscription WHERE account_id = ?");
    if (!count) return count.error();
    auto n = count->bind(record.account.value()).single_int(0);
    if (!n) return n.error();
    if (*n >= static_cast<int64_t>(max_per_account))
      return errors::push_subscriptions_full(max_per_account);
    auto insert = Query::prepare(
        db(),
        "INSERT INTO push_subscription (account_id, credential_kind, credential_id, "
        "device_client_id, url, p256dh, auth, verification_code, verified, expires, types, "
        "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?){RETURNING id}");
    if (!insert) return insert.error();
    std::optional<std::string> p256dh, auth;
    if (record.keys) {
      p256dh = record.keys->p256dh;
      auth = record.keys->auth;
    }
    insert->bind(record.account.value())
        .bind(kind_word(record.credential.kind))
        .bind(record.credential.id)
        .bind(record.device_client_id)
        .bind(record.url)
        .bind(p256dh)
        .bind(auth)
        .bind(record.verification_code)
        .bind(record.expires)
        .bind(record.types)
        .bind(record.created);
    auto id = insert->single_int(0);
    if (!id) return id.error();
    static_cast<NewPushSubscription&>(stored) = record;
    stored.id = static_cast<uint64_t>(*id);
    stored.verified = false;
    return {};
  }));
  return stored;
}

Result<std::vector<PushSubscription>> SqlStore::list_push_subscriptions(AccountId account,
                                                                        Credential credential) {
  std::vector<PushSubscription> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(account));
    auto rows =
        select(db(), select_sql("account_id = ? AND credential_kind = ? AND credential_id = ?"),
               [&](Query& q) {
                 q.bind(account.value()).bind(kind_word(credential.kind)).bind(credential.id);
               });
    if (!rows) return rows.error();
    out = std::move(*rows);
    return {};
  }));
  return out;
}

Result<PushSubscription> SqlStore::update_push_subscription(AccountId account,
                                                            Credential credential, uint64_t id,
                                                            const PushSubscriptionUpdate& update) {
  PushSubscription updated;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(account));
    auto bind_owned = [&](Query& q) {
      q.bind(account.value())
          .bind(kind_word(credential.kind))
          .bind(credential.id)
          .bind(static_cast<int64_t>(id));
    };
    auto found = select(db(), select_sql(kOwned), bind_owned);
    if (!found) return found.error();
    if (found->empty()) return errors::push_subscription_missing(id);
    updated = found->front();
    if (update.verified) updated.verified = *update.verified;
    if (update.expires) updated.expires = *update.expires;
    if (update.types) updated.types = *update.types;
    return exec(db(),
                "UPDATE push_subscription SET verified = ?, expires = ?, types = ? WHERE id = ?",
                int64_t{updated.verified ? 1 : 0}, updated.expires, updated.types,
                static_cast<int64_t>(id));
  }));
  return updated;
}

Result<void> SqlStore::destroy_push_subscription(AccountId account, Credential credential,
                                                 uint64_t id) {
  return transact(TransactionMode::write, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(account));
    auto q =
        Query::prepare(db(), "SELECT count(*) FROM push_subscription WHERE " + std::string(kOwned));
    if (!q) return q.error();
    auto n = q->bind(account.value())
                 .bind(kind_word(credential.kind))
                 .bind(credential.id)
                 .bind(static_cast<int64_t>(id))
                 .single_int(0);
    if (!n) return n.error();
    if (*n == 0) return errors::push_subscription_missing(id);
    return exec(db(), "DELETE FROM push_subscription WHERE id = ?", static_cast<int64_t>(id));
  });
}

Result<bool> SqlStore::remove_push_subscription(uint64_t id) {
  bool removed = false;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT count(*) FROM push_subscription WHERE id = ?");
    if (!q) return q.error();
    auto n = q->bind(static_cast<int64_t>(id)).single_int(0);
    if (!n) return n.error();
    removed = *n > 0;
    if (!removed) return {};
    return exec(db(), "DELETE FROM push_subscription WHERE id = ?", static_cast<int64_t>(id));
  }));
  return removed;
}

Result<std::vector<PushSubscription>> SqlStore::list_active_push_subscriptions(int64_t now) {
  std::vector<PushSubscription> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto rows = select(db(), select_sql("verified = 1 AND (expires IS NULL OR expires > ?)"),
                       [&](Query& q) { q.bind(now); });
    if (!rows) return rows.error();
    out = std::move(*rows);
    return {};
  }));
  return out;
}

Result<size_t> SqlStore::delete_expired_push_subscriptions(int64_t now) {
  size_t deleted = 0;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT count(*) FROM push_subscription WHERE expires <= ?");
    if (!q) return q.error();
    auto n = q->bind(now).single_int(0);
    if (!n) return n.error();
    deleted = static_cast<size_t>(*n);
    if (deleted == 0) return {};
    return exec(db(), "DELETE FROM push_subscription WHERE expires <= ?", now);
  }));
  return deleted;
}

}  // namespace postamt::store::sql
