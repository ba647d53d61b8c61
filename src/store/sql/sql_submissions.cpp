// SqlStore: JMAP EmailSubmission records (RFC 8621 §7; tables of store migration 14).
#include "store/api/rules.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

namespace {

std::string_view route_word(SubmissionRoute route) {
  switch (route) {
    case SubmissionRoute::local:
      return "local";
    case SubmissionRoute::remote:
      return "remote";
    case SubmissionRoute::dropped:
      return "dropped";
  }
  return "remote";
}

SubmissionRoute route_from(std::string_view word) {
  if (word == "local") return SubmissionRoute::local;
  if (word == "dropped") return SubmissionRoute::dropped;
  return SubmissionRoute::remote;
}

Result<void> check_record(const NewEmailSubmission& record) {
  if (record.email_id.empty())
    return Error{ErrorKind::invalid, "an email submission needs an email id"};
  if (record.rcpt_to.empty())
    return Error{ErrorKind::invalid, "an email submission needs recipients"};
  return {};
}

}  // namespace

Result<EmailSubmission> SqlStore::create_email_submission(const NewEmailSubmission& record) {
  POSTAMT_TRY(check_record(record));
  EmailSubmission stored;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(record.account));
    auto modseq = bump_account_modseq(record.account);
    if (!modseq) return modseq.error();
    static_cast<NewEmailSubmission&>(stored) = record;
    stored.id = *modseq;
    const int64_t account = record.account.value();
    const auto id = static_cast<int64_t>(stored.id);
    POSTAMT_TRY(exec(db(),
                     "INSERT INTO email_submission (account_id, id, identity_id, email_id, "
                     "thread_id, message_id, mail_from, mail_from_parameters, send_at, queue_id) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     account, id, record.identity_id, record.email_id, record.thread_id,
                     record.message_id, record.mail_from.email, record.mail_from.parameters,
                     record.send_at, record.queue_id));
    for (size_t i = 0; i < record.rcpt_to.size(); ++i) {
      const SubmissionAddress& r = record.rcpt_to[i];
      POSTAMT_TRY(exec(db(),
                       "INSERT INTO email_submission_rcpt (account_id, submission_id, position, "
                       "address, parameters, route) VALUES (?, ?, ?, ?, ?, ?)",
                       account, id, static_cast<int64_t>(i), r.email, r.parameters,
                       route_word(r.route)));
    }
    return {};
  }));
  return stored;
}

Result<std::vector<EmailSubmission>> SqlStore::list_email_submissions(AccountId account) {
  std::vector<EmailSubmission> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    out.clear();
    POSTAMT_TRY(check_account(account));
    auto q = Query::prepare(db(),
                            "SELECT id, identity_id, email_id, thread_id, message_id, mail_from, "
                            "mail_from_parameters, send_at, queue_id FROM email_submission WHERE "
                            "account_id = ? ORDER BY id");
    if (!q) return q.error();
    q->bind(account.value());
    for (;;) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) break;
      EmailSubmission s;
      s.account = account;
      s.id = static_cast<uint64_t>(q->integer(0));
      s.identity_id = q->text(1);
      s.email_id = q->text(2);
      s.thread_id = q->text(3);
      s.message_id = q->text(4);
      s.mail_from.email = q->text(5);
      s.mail_from.parameters = q->text(6);
      s.send_at = q->integer(7);
      s.queue_id = q->text(8);
      out.push_back(std::move(s));
    }
    auto r = Query::prepare(db(),
                            "SELECT submission_id, address, parameters, route FROM "
                            "email_submission_rcpt WHERE account_id = ? ORDER BY submission_id, "
                            "position");
    if (!r) return r.error();
    r->bind(account.value());
    size_t at = 0;
    for (;;) {
      auto row = r->next();
      if (!row) return row.error();
      if (!*row) return {};
      auto id = static_cast<uint64_t>(r->integer(0));
      while (at < out.size() && out[at].id < id) ++at;
      if (at == out.size() || out[at].id != id) continue;
      out[at].rcpt_to.push_back(SubmissionAddress{r->text(1), r->text(2), route_from(r->text(3))});
    }
  }));
  return out;
}

Result<ModSeq> SqlStore::destroy_email_submission(AccountId account, uint64_t id) {
  ModSeq destroyed = 0;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    POSTAMT_TRY(check_account(account));
    auto q = Query::prepare(
        db(), "SELECT count(*) FROM email_submission WHERE account_id = ? AND id = ?");
    if (!q) return q.error();
    auto n = q->bind(account.value()).bind(static_cast<int64_t>(id)).single_int(0);
    if (!n) return n.error();
    if (*n == 0) return errors::submission_missing(id);
    auto modseq = bump_account_modseq(account);
    if (!modseq) return modseq.error();
    destroyed = *modseq;
    POSTAMT_TRY(exec(db(), "DELETE FROM email_submission WHERE account_id = ? AND id = ?",
                     account.value(), static_cast<int64_t>(id)));
    return exec(db(),
                "INSERT INTO email_submission_tombstone (account_id, submission_id, modseq) "
                "VALUES (?, ?, ?)",
                account.value(), static_cast<int64_t>(id), static_cast<int64_t>(destroyed));
  }));
  return destroyed;
}

Result<SubmissionChanges> SqlStore::email_submission_changes(AccountId account, ModSeq since) {
  auto all = list_email_submissions(account);
  if (!all) return all.error();
  SubmissionChanges changes;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    changes = {};
    auto head = Query::prepare(db(), "SELECT modseq, history_start FROM account WHERE id = ?");
    if (!head) return head.error();
    auto row = head->bind(account.value()).next();
    if (!row) return row.error();
    if (!*row) return errors::account_id_missing(account);
    changes.highest_modseq = static_cast<ModSeq>(head->integer(0));
    changes.history_start = static_cast<ModSeq>(head->integer(1));
    auto q = Query::prepare(db(),
                            "SELECT submission_id, modseq FROM email_submission_tombstone WHERE "
                            "account_id = ? AND modseq > ? ORDER BY modseq, submission_id");
    if (!q) return q.error();
    q->bind(account.value()).bind(static_cast<int64_t>(since));
    for (;;) {
      auto next = q->next();
      if (!next) return next.error();
      if (!*next) return {};
      changes.destroyed.push_back(
          {static_cast<uint64_t>(q->integer(0)), static_cast<ModSeq>(q->integer(1))});
    }
  }));
  // Read in two transactions: a record created between them is listed without its
  // modseq being below highest_modseq, which only makes the client ask again.
  for (EmailSubmission& s : *all)
    if (s.id > since && s.id <= changes.highest_modseq) changes.created.push_back(std::move(s));
  return changes;
}

}  // namespace postamt::store::sql
