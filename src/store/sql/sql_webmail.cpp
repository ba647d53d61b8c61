// SqlStore: webmail sessions and settings (store/api/web_sessions.h).
#include "store/api/rules.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

namespace {

constexpr std::string_view kSessionColumns =
    "s.id, s.account_id, s.hash, s.csrf_token, s.created, s.last_used";
constexpr size_t kMaxSettingBytes = 256;

WebSession session_from(const Query& q) {
  WebSession s;
  s.id = static_cast<uint64_t>(q.integer(0));
  s.account = AccountId(q.integer(1));
  s.hash = q.text(2);
  s.csrf_token = q.text(3);
  s.created = q.integer(4);
  s.last_used = q.integer(5);
  return s;
}

}  // namespace

Result<WebSession> SqlStore::create_web_session(AccountId account, std::string_view hash,
                                                std::string_view csrf_token, int64_t now) {
  POSTAMT_TRY(check_token_hash(hash));
  if (csrf_token.empty()) return Error{ErrorKind::invalid, "empty CSRF token"};
  WebSession session;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(account));
    auto q = Query::prepare(db(), "SELECT count(*) FROM web_session WHERE hash = ?");
    if (!q) return q.error();
    auto n = q->bind(hash).single_int(0);
    if (!n) return n.error();
    if (*n) return Error{ErrorKind::exists, "a session with this secret exists already"};
    auto insert = Query::prepare(db(),
                                 "INSERT INTO web_session (account_id, hash, csrf_token, created, "
                                 "last_used) VALUES (?, ?, ?, ?, ?){RETURNING id}");
    if (!insert) return insert.error();
    auto id =
        insert->bind(account.value()).bind(hash).bind(csrf_token).bind(now).bind(now).single_int(0);
    if (!id) return id.error();
    session = WebSession{static_cast<uint64_t>(*id), account, std::string(hash),
                         std::string(csrf_token),    now,     now};
    return {};
  }));
  return session;
}

Result<std::optional<std::pair<WebSession, Account>>> SqlStore::find_web_session(
    std::string_view hash) {
  std::optional<std::pair<WebSession, Account>> found;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    found.reset();
    auto q = Query::prepare(db(), "SELECT " + std::string(kSessionColumns) +
                                      ", a.address FROM web_session s JOIN account a ON a.id = "
                                      "s.account_id WHERE s.hash = ?");
    if (!q) return q.error();
    auto row = q->bind(hash).next();
    if (!row) return row.error();
    if (*row) {
      WebSession session = session_from(*q);
      Account owner{session.account, q->text(6)};
      found.emplace(std::move(session), std::move(owner));
    }
    return {};
  }));
  return found;
}

Result<void> SqlStore::touch_web_session(uint64_t id, int64_t now) {
  return transact(TransactionMode::write, [&]() -> Result<void> {
    return exec(db(), "UPDATE web_session SET last_used = ? WHERE id = ? AND last_used < ?", now,
                static_cast<int64_t>(id), now);
  });
}

// RFC 8620 §7.2: push subscriptions made with a session die with it.
constexpr std::string_view kDeleteSessionPushes =
    "DELETE FROM push_subscription WHERE credential_kind = 'session' AND credential_id IN "
    "(SELECT id FROM web_session WHERE ";

Result<void> SqlStore::delete_web_session(uint64_t id) {
  return transact(TransactionMode::write, [&]() -> Result<void> {
    POSTAMT_TRY(
        exec(db(), std::string(kDeleteSessionPushes) + "id = ?)", static_cast<int64_t>(id)));
    return exec(db(), "DELETE FROM web_session WHERE id = ?", static_cast<int64_t>(id));
  });
}

Result<uint64_t> SqlStore::delete_web_sessions(AccountId account) {
  uint64_t ended = 0;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT count(*) FROM web_session WHERE account_id = ?");
    if (!q) return q.error();
    auto n = q->bind(account.value()).single_int(0);
    if (!n) return n.error();
    ended = static_cast<uint64_t>(*n);
    POSTAMT_TRY(exec(db(), std::string(kDeleteSessionPushes) + "account_id = ?)", account.value()));
    return exec(db(), "DELETE FROM web_session WHERE account_id = ?", account.value());
  }));
  return ended;
}

Result<uint64_t> SqlStore::expire_web_sessions(int64_t idle_before, int64_t created_before) {
  uint64_t ended = 0;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto q =
        Query::prepare(db(), "SELECT count(*) FROM web_session WHERE last_used < ? OR created < ?");
    if (!q) return q.error();
    auto n = q->bind(idle_before).bind(created_before).single_int(0);
    if (!n) return n.error();
    ended = static_cast<uint64_t>(*n);
    if (ended == 0) return {};
    POSTAMT_TRY(exec(db(), std::string(kDeleteSessionPushes) + "last_used < ? OR created < ?)",
                     idle_before, created_before));
    return exec(db(), "DELETE FROM web_session WHERE last_used < ? OR created < ?", idle_before,
                created_before);
  }));
  return ended;
}

Result<std::vector<WebSetting>> SqlStore::web_settings(AccountId account) {
  std::vector<WebSetting> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    out.clear();
    POSTAMT_TRY(check_account(account));
    auto q = Query::prepare(
        db(), "SELECT name, value FROM web_setting WHERE account_id = ? ORDER BY name");
    if (!q) return q.error();
    q->bind(account.value());
    for (;;) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      out.push_back(WebSetting{q->text(0), q->text(1)});
    }
  }));
  return out;
}

Result<void> SqlStore::set_web_setting(AccountId account, std::string_view name,
                                       std::string_view value) {
  if (name.empty() || name.size() > kMaxSettingBytes || value.size() > kMaxSettingBytes)
    return Error{ErrorKind::invalid, "a setting's name and value are at most 256 octets"};
  return transact(TransactionMode::write, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(account));
    POSTAMT_TRY(exec(db(), "DELETE FROM web_setting WHERE account_id = ? AND name = ?",
                     account.value(), name));
    if (value.empty()) return {};
    return exec(db(), "INSERT INTO web_setting (account_id, name, value) VALUES (?, ?, ?)",
                account.value(), name, value);
  });
}

}  // namespace postamt::store::sql
