// SqlStore: read receipt ledger, message-id lookup, receipt policy overrides.
#include <map>

#include "model/address.h"
#include "store/api/receipt_rules.h"
#include "store/api/rules.h"
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

namespace {

int64_t seconds(ReceiptTime t) {
  return static_cast<int64_t>(t.time_since_epoch().count());
}
ReceiptTime time_from(int64_t s) {
  return ReceiptTime(std::chrono::seconds(s));
}

constexpr std::string_view kSentColumns =
    "r.id, r.account_id, a.address, r.message_id, r.requester, r.disposition, r.path, "
    "r.sent_at, r.matched_by";

SentReceipt sent_from(const Query& q) {
  SentReceipt r;
  r.id = q.integer(0);
  r.account = AccountId(q.integer(1));
  r.account_address = q.text(2);
  r.message_id = q.text(3);
  r.requester = q.text(4);
  r.disposition = q.text(5);
  r.path = parse_receipt_path(q.text(6)).value_or(ReceiptPath::server_on_download);
  r.at = time_from(q.integer(7));
  r.matched_by = parse_receipt_match(q.text(8)).value_or(ReceiptMatch::message);
  return r;
}

}  // namespace

Result<std::optional<std::string>> SqlStore::account_address(AccountId account) {
  auto q = Query::prepare(db(), "SELECT address FROM account WHERE id = ?");
  if (!q) return q.error();
  auto row = q->bind(account.value()).next();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(q->text(0));
}

Result<std::vector<MessageLocation>> SqlStore::locations_by_message_id(
    AccountId account, std::string_view message_id) {
  auto q = Query::prepare(db(),
                          "SELECT mailbox_id, uid FROM message WHERE account_id = ? AND "
                          "message_id = ? ORDER BY mailbox_id, uid");
  if (!q) return q.error();
  q->bind(account.value()).bind(message_id);
  std::vector<MessageLocation> out;
  while (true) {
    auto row = q->next();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(MessageLocation{MailboxId(q->integer(0)), static_cast<Uid>(q->integer(1))});
  }
}

Result<std::vector<MessageLocation>> SqlStore::find_messages_by_message_id(
    AccountId account, std::string_view message_id) {
  if (message_id.empty()) return Error{ErrorKind::invalid, "an empty Message-ID names nothing"};
  std::vector<MessageLocation> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto address = account_address(account);
    if (!address) return address.error();
    if (!*address) return errors::account_id_missing(account);
    auto r = locations_by_message_id(account, message_id);
    if (!r) return r.error();
    out = std::move(*r);
    return {};
  }));
  return out;
}

Result<RecordedReceipt> SqlStore::record_receipt(const NewSentReceipt& receipt,
                                                 ReceiptUniqueness uniqueness) {
  POSTAMT_TRY(check_sent_receipt(receipt));
  RecordedReceipt result;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    result = {};
    auto address = account_address(receipt.account);
    if (!address) return address.error();
    if (!*address) return errors::account_id_missing(receipt.account);
    std::string message_id = receipt.message_id;
    std::vector<MessageLocation> copies;
    if (receipt.message) {
      auto box = load_mailbox(receipt.message->mailbox);
      if (!box) return box.error();
      if (box->account != receipt.account) return errors::mailbox_id_missing(box->id);
      auto found = select_messages(box->id, "AND uid = ?", receipt.message->uid);
      if (!found) return found.error();
      if (found->empty()) return errors::message_missing(receipt.message->uid);
      if (message_id.empty()) message_id = found->front().message_id;
      if (message_id.empty()) copies.push_back(*receipt.message);
    }
    const bool unmatched = receipt.matched_by == ReceiptMatch::unmatched;
    const std::string key =
        unmatched ? std::string(kUnmatchedOriginalKey)
                  : original_key(message_id, receipt.message.value_or(MessageLocation{}));
    if (!message_id.empty()) {
      auto found = locations_by_message_id(receipt.account, message_id);
      if (!found) return found.error();
      copies = std::move(*found);
    }

    auto existing = Query::prepare(db(), "SELECT " + std::string(kSentColumns) +
                                             " FROM sent_receipt r JOIN account a ON a.id = "
                                             "r.account_id WHERE r.account_id = ? AND "
                                             "r.original_key = ? AND r.sequence = 0");
    if (!existing) return existing.error();
    auto row = existing->bind(receipt.account.value()).bind(key).next();
    if (!row) return row.error();
    if (*row && !unmatched && uniqueness == ReceiptUniqueness::one_per_recipient) {
      result.outcome = RecordOutcome::already_sent;
      result.receipt = sent_from(*existing);
    } else {
      auto next = Query::prepare(db(),
                                 "SELECT coalesce(max(sequence) + 1, 0) FROM sent_receipt "
                                 "WHERE account_id = ? AND original_key = ?");
      if (!next) return next.error();
      auto sequence = next->bind(receipt.account.value()).bind(key).single_int(0);
      if (!sequence) return sequence.error();
      auto insert = Query::prepare(
          db(),
          "INSERT INTO sent_receipt (account_id, original_key, message_id, sequence, requester, "
          "disposition, path, sent_at, matched_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
          "{RETURNING id}");
      if (!insert) return insert.error();
      insert->bind(receipt.account.value())
          .bind(key)
          .bind(message_id)
          .bind(*sequence)
          .bind(receipt.requester)
          .bind(receipt.disposition)
          .bind(to_string(receipt.path))
          .bind(seconds(receipt.at))
          .bind(to_string(receipt.matched_by));
      // The UNIQUE constraint reports a racing writer as ErrorKind::exists; the write
      // lock taken at begin makes that unreachable with SQLite, but it is the guarantee.
      auto id = insert->single_int(0);
      if (!id) return id.error();
      result.outcome = RecordOutcome::recorded;
      result.receipt = SentReceipt{*id,          receipt.account,    **address,
                                   message_id,   receipt.requester,  receipt.disposition,
                                   receipt.path, receipt.matched_by, receipt.at};
    }

    // RFC 3503 §2: $MDNSent on every copy, so that no client offers a second receipt.
    std::map<int64_t, std::vector<Uid>> by_mailbox;
    for (const MessageLocation& c : copies) by_mailbox[c.mailbox.value()].push_back(c.uid);
    FlagUpdate update;
    update.operation = FlagOperation::add;
    update.keywords.add(kMdnSentKeyword);
    for (const auto& [mailbox, uids] : by_mailbox) {
      auto box = load_mailbox(MailboxId(mailbox));
      if (!box) return box.error();
      auto changed = update_flags_in(*box, uids, update);
      if (!changed) return changed.error();
      for (const MessageRecord& m : changed->changed) {
        result.flagged.push_back(MessageLocation{MailboxId(mailbox), m.uid});
      }
    }
    return {};
  }));
  return result;
}

Result<ReceivedReceipt> SqlStore::record_received_receipt(const NewReceivedReceipt& receipt) {
  POSTAMT_TRY(check_received_receipt(receipt));
  ReceivedReceipt result;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto address = account_address(receipt.account);
    if (!address) return address.error();
    if (!*address) return errors::account_id_missing(receipt.account);
    auto insert = Query::prepare(db(),
                                 "INSERT INTO received_receipt (account_id, message_id, "
                                 "final_recipient, disposition, received_at) VALUES (?, ?, ?, "
                                 "?, ?){RETURNING id}");
    if (!insert) return insert.error();
    auto id = insert->bind(receipt.account.value())
                  .bind(receipt.message_id)
                  .bind(receipt.final_recipient)
                  .bind(receipt.disposition)
                  .bind(seconds(receipt.at))
                  .single_int(0);
    if (!id) return id.error();
    result = ReceivedReceipt{*id,
                             receipt.account,
                             **address,
                             receipt.message_id,
                             receipt.final_recipient,
                             receipt.disposition,
                             receipt.at};
    return {};
  }));
  return result;
}

Result<RefusedReceipt> SqlStore::record_refused_receipt(const NewRefusedReceipt& receipt) {
  POSTAMT_TRY(check_refused_receipt(receipt));
  RefusedReceipt result;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto address = account_address(receipt.account);
    if (!address) return address.error();
    if (!*address) return errors::account_id_missing(receipt.account);
    result = RefusedReceipt{0,
                            receipt.account,
                            **address,
                            receipt.message_id,
                            receipt.requester,
                            receipt.path,
                            receipt.reason,
                            receipt.at};
    if (!receipt.message_id.empty()) {
      auto existing = Query::prepare(db(),
                                     "SELECT id, refused_at FROM refused_receipt WHERE "
                                     "account_id = ? AND message_id = ? AND path = ? AND "
                                     "requester = ? AND reason = ? ORDER BY id LIMIT 1");
      if (!existing) return existing.error();
      auto row = existing->bind(receipt.account.value())
                     .bind(receipt.message_id)
                     .bind(to_string(receipt.path))
                     .bind(receipt.requester)
                     .bind(receipt.reason)
                     .next();
      if (!row) return row.error();
      if (*row) {
        result.id = existing->integer(0);
        result.at = time_from(existing->integer(1));
        return {};
      }
    }
    auto insert =
        Query::prepare(db(),
                       "INSERT INTO refused_receipt (account_id, message_id, requester, "
                       "path, reason, refused_at) VALUES (?, ?, ?, ?, ?, ?){RETURNING id}");
    if (!insert) return insert.error();
    auto id = insert->bind(receipt.account.value())
                  .bind(receipt.message_id)
                  .bind(receipt.requester)
                  .bind(to_string(receipt.path))
                  .bind(receipt.reason)
                  .bind(seconds(receipt.at))
                  .single_int(0);
    if (!id) return id.error();
    result.id = *id;
    return {};
  }));
  return result;
}

Result<ReceiptLedger> SqlStore::list_receipts(std::optional<AccountId> account) {
  ReceiptLedger ledger;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    ledger = {};
    if (account) {
      auto address = account_address(*account);
      if (!address) return address.error();
      if (!*address) return errors::account_id_missing(*account);
    }
    const std::string filter = account ? " WHERE r.account_id = ?" : "";
    auto sent = Query::prepare(db(), "SELECT " + std::string(kSentColumns) +
                                         " FROM sent_receipt r JOIN account a ON a.id = "
                                         "r.account_id" +
                                         filter + " ORDER BY r.sent_at, r.id");
    if (!sent) return sent.error();
    if (account) sent->bind(account->value());
    while (true) {
      auto row = sent->next();
      if (!row) return row.error();
      if (!*row) break;
      ledger.sent.push_back(sent_from(*sent));
    }
    auto received = Query::prepare(
        db(),
        "SELECT r.id, r.account_id, a.address, r.message_id, r.final_recipient, r.disposition, "
        "r.received_at FROM received_receipt r JOIN account a ON a.id = r.account_id" +
            filter + " ORDER BY r.received_at, r.id");
    if (!received) return received.error();
    if (account) received->bind(account->value());
    while (true) {
      auto row = received->next();
      if (!row) return row.error();
      if (!*row) break;
      ledger.received.push_back(
          ReceivedReceipt{received->integer(0), AccountId(received->integer(1)), received->text(2),
                          received->text(3), received->text(4), received->text(5),
                          time_from(received->integer(6))});
    }
    auto refused = Query::prepare(
        db(),
        "SELECT r.id, r.account_id, a.address, r.message_id, r.requester, r.path, r.reason, "
        "r.refused_at FROM refused_receipt r JOIN account a ON a.id = r.account_id" +
            filter + " ORDER BY r.refused_at, r.id");
    if (!refused) return refused.error();
    if (account) refused->bind(account->value());
    while (true) {
      auto row = refused->next();
      if (!row) return row.error();
      if (!*row) return {};
      ledger.refused.push_back(RefusedReceipt{
          refused->integer(0), AccountId(refused->integer(1)), refused->text(2), refused->text(3),
          refused->text(4),
          parse_receipt_path(refused->text(5)).value_or(ReceiptPath::server_on_download),
          refused->text(6), time_from(refused->integer(7))});
    }
  }));
  return ledger;
}

Result<SqlStore::PolicySubject> SqlStore::policy_subject(PolicyScope scope,
                                                         std::string_view subject) {
  if (scope == PolicyScope::domain) {
    auto name = normalize_domain(subject);
    if (!name) return name.error();
    auto q = Query::prepare(db(), "SELECT count(*) FROM domain WHERE name = ?");
    if (!q) return q.error();
    auto n = q->bind(*name).single_int(0);
    if (!n) return n.error();
    if (!*n) return errors::domain_missing(*name);
    return PolicySubject{*name, *name, std::nullopt};
  }
  auto key = address_key(subject);
  if (!key) return key.error();
  auto q = Query::prepare(db(), "SELECT id, address FROM account WHERE address_key = ?");
  if (!q) return q.error();
  auto row = q->bind(*key).next();
  if (!row) return row.error();
  if (!*row) return errors::user_missing(*normalize_address(subject));
  return PolicySubject{*key, q->text(1), q->integer(0)};
}

Result<void> SqlStore::set_policy_override(PolicyScope scope, std::string_view subject,
                                           std::string_view key, std::string_view value) {
  POSTAMT_TRY(check_policy_word("key", key));
  POSTAMT_TRY(check_policy_word("value", value));
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto who = policy_subject(scope, subject);
    if (!who) return who.error();
    POSTAMT_TRY(exec(db(),
                     "DELETE FROM receipt_policy WHERE scope = ? AND subject_key = ? AND name = ?",
                     to_string(scope), who->key, key));
    auto q = Query::prepare(db(),
                            "INSERT INTO receipt_policy (scope, subject_key, subject, account_id, "
                            "name, value) VALUES (?, ?, ?, ?, ?, ?)");
    if (!q) return q.error();
    q->bind(to_string(scope)).bind(who->key).bind(who->display);
    if (who->account_id) {
      q->bind(*who->account_id);
    } else {
      q->bind_null();
    }
    return q->bind(key).bind(value).run();
  });
}

Result<void> SqlStore::unset_policy_override(PolicyScope scope, std::string_view subject,
                                             std::string_view key) {
  return transact(TransactionMode::write, [&]() -> Result<void> {
    auto who = policy_subject(scope, subject);
    if (!who) return who.error();
    auto q = Query::prepare(
        db(),
        "SELECT count(*) FROM receipt_policy WHERE scope = ? AND subject_key = ? AND name = ?");
    if (!q) return q.error();
    auto n = q->bind(to_string(scope)).bind(who->key).bind(key).single_int(0);
    if (!n) return n.error();
    if (!*n) return policy_override_missing(scope, who->display, key);
    return exec(db(), "DELETE FROM receipt_policy WHERE scope = ? AND subject_key = ? AND name = ?",
                to_string(scope), who->key, key);
  });
}

Result<std::vector<PolicyOverride>> SqlStore::list_policy_overrides() {
  std::vector<PolicyOverride> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    out.clear();
    // 'domain' sorts before 'user', which is the documented order.
    auto q = Query::prepare(
        db(),
        "SELECT scope, subject, name, value FROM receipt_policy ORDER BY scope, subject_key, name");
    if (!q) return q.error();
    while (true) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      out.push_back(PolicyOverride{q->text(0) == "domain" ? PolicyScope::domain : PolicyScope::user,
                                   q->text(1), q->text(2), q->text(3)});
    }
  }));
  return out;
}

}  // namespace postamt::store::sql
