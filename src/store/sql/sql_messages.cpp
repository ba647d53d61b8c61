// SqlStore: messages, flags, expunge, copy/move, the change log.
#include <algorithm>
#include <set>

#include "base/strings.h"
#include "store/api/rules.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

namespace {

std::string join_keywords(const Keywords& keywords) {
  std::string out;
  for (const std::string& k : keywords.items()) {
    if (!out.empty()) out += ' ';
    out += k;
  }
  return out;
}

Keywords split_keywords(std::string_view text) {
  Keywords out;
  if (text.empty()) return out;
  for (std::string_view k : split(text, ' ')) out.add(k);
  return out;
}

// RFC 8514 §3: the save date is now, whatever the message's internal date.
int64_t save_date_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t unseen_of(SystemFlags flags) {
  return flags.has(SystemFlag::seen) ? 0 : 1;
}

std::vector<Uid> sorted_unique(const std::vector<Uid>& uids) {
  std::set<Uid> s(uids.begin(), uids.end());
  return std::vector<Uid>(s.begin(), s.end());
}

}  // namespace

MessageRecord message_from(const Query& q, int first) {
  MessageRecord m;
  m.uid = static_cast<Uid>(q.integer(first + 0));
  m.modseq = static_cast<ModSeq>(q.integer(first + 1));
  m.flags = SystemFlags::from_bits(static_cast<uint32_t>(q.integer(first + 2)));
  m.keywords = split_keywords(q.text(first + 3));
  m.internal_date = InternalDate(std::chrono::seconds(q.integer(first + 4)));
  m.size = static_cast<uint64_t>(q.integer(first + 5));
  m.blob = BlobRef::parse(q.text(first + 6)).value_or(BlobRef());
  m.message_id = q.text(first + 7);
  if (!q.is_null(first + 8)) m.save_date = InternalDate(std::chrono::seconds(q.integer(first + 8)));
  if (!q.is_null(first + 9)) m.thread = static_cast<uint64_t>(q.integer(first + 9));
  m.created_modseq = static_cast<ModSeq>(q.integer(first + 10));
  return m;
}

Result<ModSeq> SqlStore::bump_account_modseq(AccountId account) {
  auto q =
      Query::prepare(db(), "UPDATE account SET modseq = modseq + 1 WHERE id = ?{RETURNING modseq}");
  if (!q) return q.error();
  auto modseq = q->bind(account.value()).single_int(0);
  if (!modseq) return modseq.error();
  return static_cast<ModSeq>(*modseq);
}

Result<ModSeq> SqlStore::next_modseq(const Mailbox& mailbox) {
  auto modseq = bump_account_modseq(mailbox.account);
  if (!modseq) return modseq.error();
  POSTAMT_TRY(exec(db(), "UPDATE mailbox SET highest_modseq = ? WHERE id = ?",
                   static_cast<int64_t>(*modseq), mailbox.id.value()));
  return *modseq;
}

Result<std::optional<uint64_t>> SqlStore::find_thread(AccountId account,
                                                      const std::vector<std::string>& keys) {
  std::string sql = "SELECT MIN(thread_id) FROM thread_link WHERE account_id = ? AND link IN (";
  for (size_t i = 0; i < keys.size(); ++i) sql += i == 0 ? "?" : ", ?";
  sql += ")";
  auto q = Query::prepare(db(), sql);
  if (!q) return q.error();
  q->bind(account.value());
  for (const std::string& key : keys) q->bind(key);
  auto row = q->next();
  if (!row) return row.error();
  if (!*row || q->is_null(0)) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(q->integer(0)));
}

Result<void> SqlStore::link_thread(AccountId account, const std::vector<std::string>& keys,
                                   uint64_t thread) {
  for (const std::string& key : keys)
    POSTAMT_TRY(exec(db(),
                     "INSERT INTO thread_link (account_id, link, thread_id) VALUES (?, ?, ?)"
                     "{IGNORE}",
                     account.value(), key, static_cast<int64_t>(thread)));
  return {};
}

Result<uint64_t> SqlStore::thread_of(AccountId account, const NewMessage& message, ModSeq modseq) {
  std::vector<std::string> keys = thread_link_keys(message);
  auto found = find_thread(account, keys);
  if (!found) return found.error();
  // No key known yet: the message starts a thread, named by its own modseq.
  uint64_t thread = found->value_or(modseq);
  POSTAMT_TRY(link_thread(account, keys, thread));
  return thread;
}

Result<Keywords> SqlStore::canonical_keywords(AccountId account, const Keywords& keywords) {
  Keywords out;
  for (const std::string& k : keywords.items()) {
    std::string key = ascii_lower(k);
    POSTAMT_TRY(exec(db(),
                     "INSERT INTO account_keyword (account_id, name, name_key) VALUES (?, ?, "
                     "?){IGNORE}",
                     account.value(), k, key));
    auto q = Query::prepare(
        db(), "SELECT name FROM account_keyword WHERE account_id = ? AND name_key = ?");
    if (!q) return q.error();
    auto row = q->bind(account.value()).bind(key).next();
    if (!row) return row.error();
    out.add(*row ? q->text(0) : k);
  }
  return out;
}

Result<void> SqlStore::adjust_counts(MailboxId mailbox, int64_t messages, int64_t unseen,
                                     int64_t size) {
  if (messages == 0 && unseen == 0 && size == 0) return {};
  return exec(db(),
              "UPDATE mailbox SET messages = messages + ?, unseen = unseen + ?, size = size + ? "
              "WHERE id = ?",
              messages, unseen, size, mailbox.value());
}

Result<std::vector<MessageRecord>> SqlStore::select_messages(MailboxId mailbox,
                                                             std::string_view where,
                                                             int64_t argument, size_t expected) {
  auto q = Query::prepare(db(), "SELECT " + std::string(kMessageColumns) +
                                    " FROM message WHERE mailbox_id = ? " + std::string(where) +
                                    " ORDER BY uid");
  if (!q) return q.error();
  q->bind(mailbox.value());
  if (!where.empty()) q->bind(argument);
  std::vector<MessageRecord> out;
  out.reserve(expected);
  while (true) {
    auto row = q->next();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(message_from(*q));
  }
}

Result<std::vector<Appended>> SqlStore::insert_messages(
    const NewMessage& message, const std::vector<DeliveryTarget>& targets) {
  std::vector<Appended> out;
  for (const DeliveryTarget& target : targets) {
    auto box = load_mailbox(target.mailbox);
    if (!box) return box.error();
    Keywords wanted = message.keywords;
    for (const std::string& k : target.keywords.items()) wanted.add(k);
    auto keywords = canonical_keywords(box->account, wanted);
    if (!keywords) return keywords.error();
    auto modseq = next_modseq(*box);
    if (!modseq) return modseq.error();
    SystemFlags flags = message.flags | target.flags;
    // Before the insert, in its transaction: earlier targets of this delivery count.
    POSTAMT_TRY(check_quota_in(box->account, QuotaLimits{message.size, 1}));
    // uid_next is stored in the same transaction as the message, so a crash can never
    // hand out a uid twice (RFC 9051 §2.3.1.1).
    auto thread = thread_of(box->account, message, *modseq);
    if (!thread) return thread.error();
    Uid uid = box->uid_next;
    POSTAMT_TRY(exec(db(),
                     "INSERT INTO message (mailbox_id, uid, modseq, flags, keywords, "
                     "internal_date, size, blob_ref, account_id, message_id, envelope_header, "
                     "thread_refs, save_date, thread_id, created_modseq) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     box->id.value(), int64_t{uid}, static_cast<int64_t>(*modseq),
                     int64_t{flags.bits()}, join_keywords(*keywords),
                     static_cast<int64_t>(message.internal_date.time_since_epoch().count()),
                     static_cast<int64_t>(message.size), message.blob.hex(), box->account.value(),
                     message.message_id, message.envelope_header, message.thread_refs,
                     save_date_now(), static_cast<int64_t>(*thread),
                     static_cast<int64_t>(*modseq)));
    POSTAMT_TRY(exec(db(), "UPDATE mailbox SET uid_next = ? WHERE id = ?", int64_t{uid} + 1,
                     box->id.value()));
    POSTAMT_TRY(adjust_counts(box->id, 1, unseen_of(flags), static_cast<int64_t>(message.size)));
    out.push_back(Appended{box->id, uid, *modseq});
  }
  return out;
}

Result<Appended> SqlStore::append(MailboxId mailbox, const NewMessage& message) {
  POSTAMT_TRY(check_keywords(message.keywords));
  std::vector<Appended> out;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto r = insert_messages(message, {DeliveryTarget{mailbox, {}, {}}});
    if (!r) return r.error();
    out = std::move(*r);
    return {};
  }));
  return out.front();
}

Result<std::vector<Appended>> SqlStore::append_all(MailboxId mailbox,
                                                   const std::vector<NewMessage>& messages) {
  for (const NewMessage& m : messages) POSTAMT_TRY(check_keywords(m.keywords));
  std::vector<Appended> out;
  if (messages.empty()) return out;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    std::vector<Appended> added;
    for (const NewMessage& m : messages) {
      auto r = insert_messages(m, {DeliveryTarget{mailbox, {}, {}}});
      if (!r) return r.error();
      added.push_back(r->front());
    }
    out = std::move(added);
    return {};
  }));
  return out;
}

Result<std::vector<Appended>> SqlStore::deliver(const NewMessage& message,
                                                const std::vector<DeliveryTarget>& targets) {
  POSTAMT_TRY(check_keywords(message.keywords));
  for (const DeliveryTarget& t : targets) POSTAMT_TRY(check_keywords(t.keywords));
  std::vector<Appended> out;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto r = insert_messages(message, targets);
    if (!r) return r.error();
    out = std::move(*r);
    return {};
  }));
  return out;
}

Result<std::vector<MessageRecord>> SqlStore::list_messages(MailboxId mailbox) {
  std::vector<MessageRecord> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto box = load_mailbox(mailbox);
    if (!box) return box.error();
    auto r = select_messages(mailbox, "", 0, box->messages);
    if (!r) return r.error();
    out = std::move(*r);
    return {};
  }));
  return out;
}

Result<MessageRecord> SqlStore::get_message(MailboxId mailbox, Uid uid) {
  std::vector<MessageRecord> found;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto box = load_mailbox(mailbox);
    if (!box) return box.error();
    auto r = select_messages(mailbox, "AND uid = ?", uid);
    if (!r) return r.error();
    found = std::move(*r);
    return {};
  }));
  if (found.empty()) return errors::message_missing(uid);
  return found.front();
}

Result<FlagUpdateResult> SqlStore::update_flags_in(const Mailbox& box, const std::vector<Uid>& uids,
                                                   const FlagUpdate& update) {
  FlagUpdateResult result;
  FlagUpdate canonical = update;
  // Removing compares case-insensitively and must not register new spellings.
  if (update.operation != FlagOperation::remove) {
    auto keywords = canonical_keywords(box.account, update.keywords);
    if (!keywords) return keywords.error();
    canonical.keywords = *keywords;
  }
  ModSeq modseq = 0;
  int64_t unseen_delta = 0;
  for (Uid uid : sorted_unique(uids)) {
    auto found = select_messages(box.id, "AND uid = ?", uid);
    if (!found) return found.error();
    if (found->empty()) continue;
    MessageRecord m = found->front();
    // RFC 7162 §3.1.3: a message changed after UNCHANGEDSINCE is left alone and
    // reported back.
    if (update.unchanged_since && m.modseq > *update.unchanged_since) {
      result.modified.push_back(uid);
      continue;
    }
    SystemFlags flags = m.flags;
    Keywords next_keywords = m.keywords;
    apply_flag_update(canonical, flags, next_keywords);
    if (flags == m.flags && next_keywords == m.keywords) continue;
    if (modseq == 0) {
      auto n = next_modseq(box);
      if (!n) return n.error();
      modseq = *n;
    }
    unseen_delta += unseen_of(flags) - unseen_of(m.flags);
    POSTAMT_TRY(exec(db(),
                     "UPDATE message SET flags = ?, keywords = ?, modseq = ? WHERE "
                     "mailbox_id = ? AND uid = ?",
                     int64_t{flags.bits()}, join_keywords(next_keywords),
                     static_cast<int64_t>(modseq), box.id.value(), int64_t{uid}));
    m.flags = flags;
    m.keywords = std::move(next_keywords);
    m.modseq = modseq;
    result.changed.push_back(std::move(m));
  }
  POSTAMT_TRY(adjust_counts(box.id, 0, unseen_delta));
  return result;
}

Result<FlagUpdateResult> SqlStore::update_flags(MailboxId mailbox, const std::vector<Uid>& uids,
                                                const FlagUpdate& update) {
  POSTAMT_TRY(check_keywords(update.keywords));
  FlagUpdateResult result;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto box = load_mailbox(mailbox);
    if (!box) return box.error();
    auto r = update_flags_in(*box, uids, update);
    if (!r) return r.error();
    result = std::move(*r);
    return {};
  }));
  return result;
}

Result<std::vector<Expunged>> SqlStore::expunge_in(const Mailbox& mailbox,
                                                   const std::vector<Uid>& uids,
                                                   ExpungeScope scope) {
  std::vector<Expunged> out;
  ModSeq modseq = 0;
  int64_t unseen_delta = 0;
  int64_t size_delta = 0;
  for (Uid uid : sorted_unique(uids)) {
    auto found = select_messages(mailbox.id, "AND uid = ?", uid);
    if (!found) return found.error();
    if (found->empty()) continue;
    if (scope == ExpungeScope::deleted_only && !found->front().flags.has(SystemFlag::deleted))
      continue;
    if (modseq == 0) {
      auto n = next_modseq(mailbox);
      if (!n) return n.error();
      modseq = *n;
    }
    unseen_delta -= unseen_of(found->front().flags);
    size_delta -= static_cast<int64_t>(found->front().size);
    POSTAMT_TRY(exec(db(), "DELETE FROM message WHERE mailbox_id = ? AND uid = ?",
                     mailbox.id.value(), int64_t{uid}));
    POSTAMT_TRY(exec(db(), "INSERT INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)",
                     mailbox.id.value(), int64_t{uid}, static_cast<int64_t>(modseq)));
    const MessageRecord& gone = found->front();
    std::optional<int64_t> thread;
    if (gone.thread) thread = static_cast<int64_t>(*gone.thread);
    POSTAMT_TRY(exec(db(),
                     "INSERT INTO account_expunged (account_id, mailbox_id, uid, modseq, "
                     "blob_ref, thread_id) VALUES (?, ?, ?, ?, ?, ?)",
                     mailbox.account.value(), mailbox.id.value(), int64_t{uid},
                     static_cast<int64_t>(modseq), gone.blob.hex(), thread));
    out.push_back(Expunged{uid, modseq});
  }
  POSTAMT_TRY(
      adjust_counts(mailbox.id, -static_cast<int64_t>(out.size()), unseen_delta, size_delta));
  return out;
}

Result<std::vector<Expunged>> SqlStore::expunge(MailboxId mailbox, const std::vector<Uid>& uids) {
  return expunge_scoped(mailbox, uids, ExpungeScope::listed);
}

Result<std::vector<Expunged>> SqlStore::expunge_deleted(MailboxId mailbox,
                                                        const std::vector<Uid>& uids) {
  return expunge_scoped(mailbox, uids, ExpungeScope::deleted_only);
}

Result<std::vector<Expunged>> SqlStore::expunge_scoped(MailboxId mailbox,
                                                       const std::vector<Uid>& uids,
                                                       ExpungeScope scope) {
  std::vector<Expunged> out;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto box = load_mailbox(mailbox);
    if (!box) return box.error();
    auto r = expunge_in(*box, uids, scope);
    if (!r) return r.error();
    out = std::move(*r);
    return {};
  }));
  return out;
}

Result<CopyResult> SqlStore::copy_in(MailboxId source, const std::vector<Uid>& uids,
                                     MailboxId destination, QuotaCheck check) {
  auto from = load_mailbox(source);
  if (!from) return from.error();
  auto to = load_mailbox(destination);
  if (!to) return to.error();
  CopyResult result;
  result.destination_uid_validity = to->uid_validity;
  std::vector<MessageRecord> originals;
  for (Uid uid : sorted_unique(uids)) {
    auto found = select_messages(source, "AND uid = ?", uid);
    if (!found) return found.error();
    if (!found->empty()) originals.push_back(found->front());
  }
  if (originals.empty()) return result;
  QuotaLimits adding{0, originals.size()};
  for (const MessageRecord& m : originals) adding.storage += m.size;
  if (check == QuotaCheck::yes) POSTAMT_TRY(check_quota_in(to->account, adding));
  auto modseq = next_modseq(*to);
  if (!modseq) return modseq.error();
  Uid uid = to->uid_next;
  int64_t unseen = 0;
  for (const MessageRecord& m : originals) {
    auto keywords = canonical_keywords(to->account, m.keywords);
    if (!keywords) return keywords.error();
    POSTAMT_TRY(exec(
        db(),
        "INSERT INTO message (mailbox_id, uid, modseq, flags, keywords, "
        "internal_date, size, blob_ref, account_id, message_id, envelope_header, thread_refs, "
        "save_date, thread_id, created_modseq) "
        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, envelope_header, thread_refs, ?, thread_id, ? "
        "FROM message "
        "WHERE mailbox_id = ? AND uid = ?",
        destination.value(), int64_t{uid}, static_cast<int64_t>(*modseq), int64_t{m.flags.bits()},
        join_keywords(*keywords), static_cast<int64_t>(m.internal_date.time_since_epoch().count()),
        static_cast<int64_t>(m.size), m.blob.hex(), to->account.value(), m.message_id,
        save_date_now(), static_cast<int64_t>(*modseq), source.value(), int64_t{m.uid}));
    unseen += unseen_of(m.flags);
    result.mapping.push_back(UidMapping{m.uid, uid});
    ++uid;
  }
  POSTAMT_TRY(exec(db(), "UPDATE mailbox SET uid_next = ? WHERE id = ?", int64_t{uid},
                   destination.value()));
  POSTAMT_TRY(adjust_counts(destination, static_cast<int64_t>(originals.size()), unseen,
                            static_cast<int64_t>(adding.storage)));
  return result;
}

Result<CopyResult> SqlStore::copy(MailboxId source, const std::vector<Uid>& uids,
                                  MailboxId destination) {
  CopyResult result;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto r = copy_in(source, uids, destination);
    if (!r) return r.error();
    result = std::move(*r);
    return {};
  }));
  return result;
}

Result<CopyResult> SqlStore::move(MailboxId source, const std::vector<Uid>& uids,
                                  MailboxId destination) {
  CopyResult result;
  POSTAMT_TRY(transact(TransactionMode::write, [&]() -> Result<void> {
    auto r = copy_in(source, uids, destination, QuotaCheck::no);
    if (!r) return r.error();
    result = std::move(*r);
    std::vector<Uid> moved;
    for (const UidMapping& m : result.mapping) moved.push_back(m.source);
    auto from = load_mailbox(source);
    if (!from) return from.error();
    auto expunged = expunge_in(*from, moved);
    if (!expunged) return expunged.error();
    return {};
  }));
  return result;
}

Result<MailboxChanges> SqlStore::changes_since(MailboxId mailbox, ModSeq since) {
  MailboxChanges changes;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    changes = {};
    auto box = load_mailbox(mailbox);
    if (!box) return box.error();
    changes.highest_modseq = box->highest_modseq;
    auto changed = select_messages(mailbox, "AND modseq > ?", static_cast<int64_t>(since));
    if (!changed) return changed.error();
    changes.changed = std::move(*changed);
    auto q = Query::prepare(
        db(), "SELECT uid, modseq FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid");
    if (!q) return q.error();
    q->bind(mailbox.value()).bind(static_cast<int64_t>(since));
    while (true) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      changes.expunged.push_back(
          Expunged{static_cast<Uid>(q->integer(0)), static_cast<ModSeq>(q->integer(1))});
    }
  }));
  return changes;
}

Result<std::vector<EnvelopeHeader>> SqlStore::envelope_headers(MailboxId mailbox, Uid first,
                                                               Uid last) {
  std::vector<EnvelopeHeader> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    out.clear();
    POSTAMT_TRY(load_mailbox(mailbox));
    auto q = Query::prepare(db(),
                            "SELECT uid, envelope_header, thread_refs FROM message WHERE "
                            "mailbox_id = ? AND "
                            "uid >= ? AND uid <= ? AND envelope_header IS NOT NULL ORDER BY uid");
    if (!q) return q.error();
    q->bind(mailbox.value()).bind(int64_t{first}).bind(int64_t{last});
    while (true) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      std::optional<std::string> refs;
      if (!q->is_null(2)) refs = q->text(2);
      out.push_back(EnvelopeHeader{static_cast<Uid>(q->integer(0)), q->text(1), std::move(refs)});
    }
  }));
  return out;
}

Result<std::vector<std::string>> SqlStore::known_keywords(AccountId account) {
  std::vector<std::string> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    auto names =
        account_texts(account, "SELECT name FROM account_keyword WHERE account_id = ? ORDER BY id");
    if (!names) return names.error();
    out = std::move(*names);
    return {};
  }));
  return out;
}

Result<std::unordered_set<BlobRef>> SqlStore::referenced_blobs() {
  std::unordered_set<BlobRef> out;
  POSTAMT_TRY(transact(TransactionMode::read, [&]() -> Result<void> {
    out.clear();
    auto q = Query::prepare(db(), "SELECT DISTINCT blob_ref FROM message");
    if (!q) return q.error();
    while (true) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      if (auto ref = BlobRef::parse(q->text(0))) out.insert(*ref);
    }
  }));
  return out;
}

}  // namespace postamt::store::sql
