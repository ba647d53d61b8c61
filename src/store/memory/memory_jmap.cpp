// MemoryStore: what JMAP needs beyond IMAP (as store/sql/sql_jmap.cpp): API tokens,
// account-wide changes, the account's messages across mailboxes, threads for messages
// without one.
#include <algorithm>
#include <chrono>
#include <tuple>

#include "store/api/rules.h"
#include "store/memory/memory_store.h"

namespace postamt::store {

using Lock = std::lock_guard<std::mutex>;

// ---- API tokens ----

Result<ApiToken> MemoryStore::create_token(AccountId account, std::string_view name,
                                           std::string_view hash) {
  POSTAMT_TRY(check_token_name(name));
  POSTAMT_TRY(check_token_hash(hash));
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  if (owner->tokens.count(std::string(name))) return errors::token_exists(name);
  for (const auto& [key, entry] : accounts_)
    for (const auto& [token_name, token] : entry.tokens)
      if (token.hash == hash) return errors::token_hash_exists();
  ApiToken token{next_token_id_++, account, std::string(name), std::string(hash),
                 std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
  owner->tokens.emplace(token.name, token);
  ++data_version_;
  return token;
}

Result<std::vector<ApiToken>> MemoryStore::list_tokens(AccountId account) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  std::vector<ApiToken> out;
  for (const auto& [name, token] : owner->tokens) out.push_back(token);
  return out;
}

Result<void> MemoryStore::revoke_token(AccountId account, std::string_view name) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::token_missing(name);
  auto it = owner->tokens.find(std::string(name));
  if (it == owner->tokens.end()) return errors::token_missing(name);
  // RFC 8620 §7.2: the push subscriptions the token created die with it.
  const Credential credential{CredentialKind::token, static_cast<int64_t>(it->second.id)};
  std::erase_if(owner->push_subscriptions,
                [&](const PushSubscription& s) { return s.credential == credential; });
  owner->tokens.erase(it);
  ++data_version_;
  return {};
}

Result<std::optional<std::pair<ApiToken, Account>>> MemoryStore::find_token(std::string_view hash) {
  Lock lock(mutex_);
  for (const auto& [key, entry] : accounts_)
    for (const auto& [name, token] : entry.tokens)
      if (token.hash == hash) return std::optional(std::make_pair(token, entry.account));
  return std::optional<std::pair<ApiToken, Account>>();
}

// ---- account-wide changes ----

void MemoryStore::record_removal(const MailboxEntry& box, const MessageRecord& message,
                                 ModSeq modseq) {
  account_by_id(box.mailbox.account)
      ->removals.push_back(
          AccountExpunge{box.mailbox.id, message.uid, modseq, message.blob, message.thread});
}

void MemoryStore::record_mailbox_deletion(const MailboxEntry& box) {
  AccountEntry* owner = account_by_id(box.mailbox.account);
  ModSeq modseq = ++owner->modseq;
  owner->tombstones.push_back(MailboxTombstone{box.mailbox.id, box.mailbox.uid_validity, modseq});
  // RFC 8620 §5.2: the messages of a deleted mailbox are destroyed too.
  for (const auto& [uid, m] : box.messages) record_removal(box, m, modseq);
}

Result<AccountChanges> MemoryStore::account_changes(AccountId account, ModSeq since) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  AccountChanges changes;
  changes.highest_modseq = owner->modseq;
  changes.history_start = owner->history_start;
  for (const auto& [id, entry] : mailboxes_) {  // by id
    if (entry.mailbox.account != account) continue;
    if (entry.mailbox.modseq > since || entry.mailbox.highest_modseq > since)
      changes.mailboxes.push_back(entry.mailbox);
    for (const auto& [uid, m] : entry.messages)
      if (m.modseq > since) changes.messages.push_back(AccountMessage{entry.mailbox.id, m});
  }
  std::stable_sort(changes.messages.begin(), changes.messages.end(),
                   [](const AccountMessage& a, const AccountMessage& b) {
                     return a.record.modseq < b.record.modseq;
                   });
  for (const AccountExpunge& e : owner->removals)
    if (e.modseq > since) changes.expunged.push_back(e);
  std::sort(changes.expunged.begin(), changes.expunged.end(),
            [](const AccountExpunge& a, const AccountExpunge& b) {
              return std::make_tuple(a.modseq, a.mailbox.value(), a.uid) <
                     std::make_tuple(b.modseq, b.mailbox.value(), b.uid);
            });
  for (const MailboxTombstone& t : owner->tombstones)
    if (t.modseq > since) changes.deleted_mailboxes.push_back(t);
  return changes;
}

Result<ModSeq> MemoryStore::account_modseq(AccountId account) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  return owner->modseq;
}

Result<std::vector<AccountMessage>> MemoryStore::list_account_messages(AccountId account) {
  Lock lock(mutex_);
  if (!account_by_id(account)) return errors::account_id_missing(account);
  std::vector<AccountMessage> out;
  for (const auto& [id, entry] : mailboxes_) {
    if (entry.mailbox.account != account) continue;
    for (const auto& [uid, m] : entry.messages) out.push_back(AccountMessage{entry.mailbox.id, m});
  }
  return out;
}

// ---- threads for messages stored without one ----

Result<size_t> MemoryStore::assign_missing_threads(AccountId account) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  size_t assigned = 0;
  for (auto& [id, entry] : mailboxes_) {  // by id, then by uid
    if (entry.mailbox.account != account) continue;
    for (auto& [uid, m] : entry.messages) {
      if (m.thread) continue;
      NewMessage linked;
      linked.blob = m.blob;
      linked.message_id = m.message_id;
      if (auto header = entry.headers.find(uid); header != entry.headers.end())
        linked.thread_refs = header->second.thread_refs;
      std::vector<std::string> keys = thread_link_keys(linked);
      std::optional<uint64_t> thread;
      for (const std::string& key : keys) {
        auto it = owner->thread_links.find(key);
        if (it != owner->thread_links.end() && (!thread || it->second < *thread))
          thread = it->second;
      }
      // A new thread is named by a fresh account modseq (as SqlStore does); the message
      // keeps its own modseq.
      if (!thread) thread = ++owner->modseq;
      for (const std::string& key : keys) owner->thread_links.emplace(key, *thread);
      m.thread = thread;
      ++assigned;
    }
  }
  if (assigned) ++data_version_;
  return assigned;
}

}  // namespace postamt::store
