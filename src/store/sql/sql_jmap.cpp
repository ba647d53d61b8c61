// SqlStore: what JMAP needs beyond IMAP (RFC 8620/8621): API tokens, account-wide
// changes, the account's messages across mailboxes, and threads for old messages.
#include <chrono>

#include "store/api/rules.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

namespace {

constexpr std::string_view kTokenColumns = "t.id, t.account_id, t.name, t.hash, t.created";

ApiToken token_from(const Query& q) {
  ApiToken t;
  t.id = static_cast<uint64_t>(q.integer(0));
  t.account = AccountId(q.integer(1));
  t.name = q.text(2);
  t.hash = q.text(3);
  t.created = InternalDate(std::chrono::seconds(q.integer(4)));
  return t;
}

int64_t seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// ---- API tokens ----

Result<ApiToken> SqlStore::create_token(AccountId account, std::string_view name,
                                        std::string_view hash) {
  POSTAMT_TRY(check_token_name(name));
  POSTAMT_TRY(check_token_hash(hash));
  ApiToken token;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(account));
    auto q = Query::prepare(db(),
                            "SELECT (SELECT count(*) FROM api_token WHERE account_id = ? AND "
                            "name = ?), (SELECT count(*) FROM api_token WHERE hash = ?)");
    if (!q) return q.error();
    auto row = q->bind(account.value()).bind(name).bind(hash).next();
    if (!row) return row.error();
    if (q->integer(0)) return errors::token_exists(name);
    if (q->integer(1)) return errors::token_hash_exists();
    int64_t created = seconds_now();
    auto insert = Query::prepare(db(),
                                 "INSERT INTO api_token (account_id, name, hash, created) VALUES "
                                 "(?, ?, ?, ?){RETURNING id}");
    if (!insert) return insert.error();
    auto id = insert->bind(account.value()).bind(name).bind(hash).bind(created).single_int(0);
    if (!id) return id.error();
    token = ApiToken{static_cast<uint64_t>(*id), account, std::string(name), std::string(hash),
                     InternalDate(std::chrono::seconds(created))};
    return {};
  }));
  return token;
}

Result<std::vector<ApiToken>> SqlStore::list_tokens(AccountId account) {
  std::vector<ApiToken> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    out.clear();
    POSTAMT_TRY(check_account(account));
    auto q = Query::prepare(db(), "SELECT " + std::string(kTokenColumns) +
                                      " FROM api_token t WHERE t.account_id = ? ORDER BY t.name");
    if (!q) return q.error();
    q->bind(account.value());
    for (;;) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      out.push_back(token_from(*q));
    }
  }));
  return out;
}

Result<void> SqlStore::revoke_token(AccountId account, std::string_view name) {
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT id FROM api_token WHERE account_id = ? AND name = ?");
    if (!q) return q.error();
    auto id = q->bind(account.value()).bind(name).single_int(0);
    if (!id) return id.error();
    if (*id == 0) return errors::token_missing(name);
    // RFC 8620 §7.2: the push subscriptions the token created die with it.
    POSTAMT_TRY(exec(db(),
                     "DELETE FROM push_subscription WHERE account_id = ? AND credential_kind = "
                     "'token' AND credential_id = ?",
                     account.value(), *id));
    return exec(db(), "DELETE FROM api_token WHERE id = ?", *id);
  });
}

Result<std::optional<std::pair<ApiToken, Account>>> SqlStore::find_token(std::string_view hash) {
  std::optional<std::pair<ApiToken, Account>> found;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    found.reset();
    auto q = Query::prepare(db(), "SELECT " + std::string(kTokenColumns) +
                                      ", a.address FROM api_token t JOIN account a ON a.id = "
                                      "t.account_id WHERE t.hash = ?");
    if (!q) return q.error();
    auto row = q->bind(hash).next();
    if (!row) return row.error();
    if (*row) {
      ApiToken token = token_from(*q);
      Account owner{token.account, q->text(5)};
      found.emplace(std::move(token), std::move(owner));
    }
    return {};
  }));
  return found;
}

// ---- account-wide changes ----

Result<std::vector<AccountMessage>> SqlStore::select_account_messages(AccountId account,
                                                                      std::string_view order,
                                                                      std::optional<ModSeq> since) {
  std::string sql =
      "SELECT mailbox_id, " + std::string(kMessageColumns) + " FROM message WHERE account_id = ?";
  if (since) sql += " AND modseq > ?";
  sql += " ORDER BY " + std::string(order);
  auto q = Query::prepare(db(), sql);
  if (!q) return q.error();
  q->bind(account.value());
  if (since) q->bind(static_cast<int64_t>(*since));
  std::vector<AccountMessage> out;
  for (;;) {
    auto row = q->next();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(AccountMessage{MailboxId(q->integer(0)), message_from(*q, 1)});
  }
}

Result<void> SqlStore::record_mailbox_deletion(const Mailbox& mailbox) {
  auto modseq = bump_account_modseq(mailbox.account);
  if (!modseq) return modseq.error();
  auto at = static_cast<int64_t>(*modseq);
  POSTAMT_TRY(exec(db(),
                   "INSERT INTO mailbox_tombstone (account_id, mailbox_id, uid_validity, modseq) "
                   "VALUES (?, ?, ?, ?)",
                   mailbox.account.value(), mailbox.id.value(), int64_t{mailbox.uid_validity}, at));
  // The per-mailbox expunge log goes with the mailbox (ON DELETE CASCADE); JMAP still
  // has to report its messages destroyed (RFC 8620 §5.2).
  return exec(db(),
              "INSERT INTO account_expunged (account_id, mailbox_id, uid, modseq, blob_ref, "
              "thread_id) SELECT ?, mailbox_id, uid, ?, blob_ref, thread_id FROM message WHERE "
              "mailbox_id = ?",
              mailbox.account.value(), at, mailbox.id.value());
}

Result<AccountChanges> SqlStore::account_changes(AccountId account, ModSeq since) {
  AccountChanges changes;
  auto after = static_cast<int64_t>(since);
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    changes = {};
    auto head = Query::prepare(db(), "SELECT modseq, history_start FROM account WHERE id = ?");
    if (!head) return head.error();
    auto row = head->bind(account.value()).next();
    if (!row) return row.error();
    if (!*row) return errors::account_id_missing(account);
    changes.highest_modseq = static_cast<ModSeq>(head->integer(0));
    changes.history_start = static_cast<ModSeq>(head->integer(1));

    auto messages = select_account_messages(account, "modseq, mailbox_id, uid", since);
    if (!messages) return messages.error();
    changes.messages = std::move(*messages);

    auto gone = Query::prepare(db(),
                               "SELECT mailbox_id, uid, modseq, blob_ref, thread_id FROM "
                               "account_expunged WHERE account_id = ? AND modseq > ? ORDER BY "
                               "modseq, mailbox_id, uid");
    if (!gone) return gone.error();
    gone->bind(account.value()).bind(after);
    for (;;) {
      auto next = gone->next();
      if (!next) return next.error();
      if (!*next) break;
      AccountExpunge e;
      e.mailbox = MailboxId(gone->integer(0));
      e.uid = static_cast<Uid>(gone->integer(1));
      e.modseq = static_cast<ModSeq>(gone->integer(2));
      e.blob = BlobRef::parse(gone->text(3)).value_or(BlobRef());
      if (!gone->is_null(4)) e.thread = static_cast<uint64_t>(gone->integer(4));
      changes.expunged.push_back(std::move(e));
    }

    auto boxes = Query::prepare(db(), "SELECT " + std::string(kMailboxColumns) +
                                          " FROM mailbox WHERE account_id = ? AND (modseq > ? OR "
                                          "highest_modseq > ?) ORDER BY id");
    if (!boxes) return boxes.error();
    boxes->bind(account.value()).bind(after).bind(after);
    for (;;) {
      auto next = boxes->next();
      if (!next) return next.error();
      if (!*next) break;
      changes.mailboxes.push_back(mailbox_from(*boxes));
    }

    auto tombs = Query::prepare(db(),
                                "SELECT mailbox_id, uid_validity, modseq FROM mailbox_tombstone "
                                "WHERE account_id = ? AND modseq > ? ORDER BY modseq, mailbox_id");
    if (!tombs) return tombs.error();
    tombs->bind(account.value()).bind(after);
    for (;;) {
      auto next = tombs->next();
      if (!next) return next.error();
      if (!*next) return {};
      changes.deleted_mailboxes.push_back(MailboxTombstone{
          MailboxId(tombs->integer(0)), static_cast<UidValidity>(tombs->integer(1)),
          static_cast<ModSeq>(tombs->integer(2))});
    }
  }));
  return changes;
}

Result<ModSeq> SqlStore::account_modseq(AccountId account) {
  ModSeq modseq = 0;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto q = Query::prepare(db(), "SELECT modseq FROM account WHERE id = ?");
    if (!q) return q.error();
    auto value = q->bind(account.value()).single_int(-1);
    if (!value) return value.error();
    if (*value < 0) return errors::account_id_missing(account);
    modseq = static_cast<ModSeq>(*value);
    return {};
  }));
  return modseq;
}

Result<std::vector<AccountMessage>> SqlStore::list_account_messages(AccountId account) {
  std::vector<AccountMessage> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(account));
    auto messages = select_account_messages(account, "mailbox_id, uid", std::nullopt);
    if (!messages) return messages.error();
    out = std::move(*messages);
    return {};
  }));
  return out;
}

// ---- threads for messages stored before migration 12 ----

Result<size_t> SqlStore::assign_missing_threads(AccountId account) {
  size_t assigned = 0;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    assigned = 0;
    POSTAMT_TRY(check_account(account));
    struct Unthreaded {
      int64_t mailbox;
      int64_t uid;
      NewMessage message;
    };
    std::vector<Unthreaded> pending;
    auto q = Query::prepare(db(),
                            "SELECT mailbox_id, uid, blob_ref, message_id, thread_refs FROM "
                            "message WHERE account_id = ? AND thread_id IS NULL ORDER BY "
                            "mailbox_id, uid");
    if (!q) return q.error();
    q->bind(account.value());
    for (;;) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) break;
      Unthreaded m{q->integer(0), q->integer(1), {}};
      m.message.blob = BlobRef::parse(q->text(2)).value_or(BlobRef());
      m.message.message_id = q->text(3);
      if (!q->is_null(4)) m.message.thread_refs = q->text(4);
      pending.push_back(std::move(m));
    }
    for (const Unthreaded& m : pending) {
      std::vector<std::string> keys = thread_link_keys(m.message);
      auto found = find_thread(account, keys);
      if (!found) return found.error();
      uint64_t thread = 0;
      if (*found) {
        thread = **found;
      } else {
        // A new thread is named by a fresh account modseq, as one stored now would be;
        // the message keeps its own modseq (a thread is not a flag change).
        auto modseq = bump_account_modseq(account);
        if (!modseq) return modseq.error();
        thread = *modseq;
      }
      POSTAMT_TRY(link_thread(account, keys, thread));
      POSTAMT_TRY(exec(db(), "UPDATE message SET thread_id = ? WHERE mailbox_id = ? AND uid = ?",
                       static_cast<int64_t>(thread), m.mailbox, m.uid));
      ++assigned;
    }
    return {};
  }));
  return assigned;
}

}  // namespace postamt::store::sql
