// MemoryStore: JMAP EmailSubmission records (as store/sql/sql_submissions.cpp).
#include <algorithm>

#include "store/api/rules.h"
#include "store/memory/memory_store.h"

namespace postamt::store {

using Lock = std::lock_guard<std::mutex>;

namespace {

Result<void> check_record(const NewEmailSubmission& record) {
  if (record.email_id.empty())
    return Error{ErrorKind::invalid, "an email submission needs an email id"};
  if (record.rcpt_to.empty())
    return Error{ErrorKind::invalid, "an email submission needs recipients"};
  return {};
}

}  // namespace

Result<EmailSubmission> MemoryStore::create_email_submission(const NewEmailSubmission& record) {
  POSTAMT_TRY(check_record(record));
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(record.account);
  if (!owner) return errors::account_id_missing(record.account);
  EmailSubmission stored;
  static_cast<NewEmailSubmission&>(stored) = record;
  stored.id = ++owner->modseq;
  owner->submissions.push_back(stored);
  ++data_version_;
  return stored;
}

Result<std::vector<EmailSubmission>> MemoryStore::list_email_submissions(AccountId account) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  return owner->submissions;
}

Result<ModSeq> MemoryStore::destroy_email_submission(AccountId account, uint64_t id) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  auto it = std::find_if(owner->submissions.begin(), owner->submissions.end(),
                         [&](const EmailSubmission& s) { return s.id == id; });
  if (it == owner->submissions.end()) return errors::submission_missing(id);
  ModSeq modseq = ++owner->modseq;
  owner->destroyed_submissions.push_back({id, modseq});
  owner->submissions.erase(it);
  ++data_version_;
  return modseq;
}

Result<SubmissionChanges> MemoryStore::email_submission_changes(AccountId account, ModSeq since) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  SubmissionChanges changes;
  changes.highest_modseq = owner->modseq;
  changes.history_start = owner->history_start;
  for (const EmailSubmission& s : owner->submissions)
    if (s.id > since) changes.created.push_back(s);
  for (const auto& d : owner->destroyed_submissions)
    if (d.modseq > since) changes.destroyed.push_back(d);
  return changes;
}

}  // namespace postamt::store
