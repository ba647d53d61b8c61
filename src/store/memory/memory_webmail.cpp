// MemoryStore: webmail sessions and settings (as store/sql/sql_webmail.cpp).
#include "store/api/rules.h"
#include "store/memory/memory_store.h"

namespace postamt::store {

using Lock = std::lock_guard<std::mutex>;

namespace {
constexpr size_t kMaxSettingBytes = 256;

// RFC 8620 §7.2: push subscriptions made with a session die with it.
void forget_session_pushes(std::vector<PushSubscription>& pushes, uint64_t session) {
  const Credential credential{CredentialKind::session, static_cast<int64_t>(session)};
  std::erase_if(pushes, [&](const PushSubscription& s) { return s.credential == credential; });
}
}  // namespace

Result<WebSession> MemoryStore::create_web_session(AccountId account, std::string_view hash,
                                                   std::string_view csrf_token, int64_t now) {
  POSTAMT_TRY(check_token_hash(hash));
  if (csrf_token.empty()) return Error{ErrorKind::invalid, "empty CSRF token"};
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  for (const auto& [key, entry] : accounts_)
    for (const auto& [id, session] : entry.web_sessions)
      if (session.hash == hash)
        return Error{ErrorKind::exists, "a session with this secret exists already"};
  WebSession session{next_web_session_id_++,  account, std::string(hash),
                     std::string(csrf_token), now,     now};
  owner->web_sessions[session.id] = session;
  ++data_version_;
  return session;
}

Result<std::optional<std::pair<WebSession, Account>>> MemoryStore::find_web_session(
    std::string_view hash) {
  Lock lock(mutex_);
  for (const auto& [key, entry] : accounts_)
    for (const auto& [id, session] : entry.web_sessions)
      if (session.hash == hash) return std::optional(std::make_pair(session, entry.account));
  return std::optional<std::pair<WebSession, Account>>();
}

Result<void> MemoryStore::touch_web_session(uint64_t id, int64_t now) {
  Lock lock(mutex_);
  for (auto& [key, entry] : accounts_) {
    auto it = entry.web_sessions.find(id);
    if (it != entry.web_sessions.end() && it->second.last_used < now) {
      it->second.last_used = now;
      ++data_version_;
    }
  }
  return {};
}

Result<void> MemoryStore::delete_web_session(uint64_t id) {
  Lock lock(mutex_);
  for (auto& [key, entry] : accounts_) {
    if (entry.web_sessions.erase(id)) {
      forget_session_pushes(entry.push_subscriptions, id);
      ++data_version_;
    }
  }
  return {};
}

Result<uint64_t> MemoryStore::delete_web_sessions(AccountId account) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return uint64_t{0};
  uint64_t ended = owner->web_sessions.size();
  for (const auto& [id, session] : owner->web_sessions)
    forget_session_pushes(owner->push_subscriptions, id);
  owner->web_sessions.clear();
  ++data_version_;
  return ended;
}

Result<uint64_t> MemoryStore::expire_web_sessions(int64_t idle_before, int64_t created_before) {
  Lock lock(mutex_);
  uint64_t ended = 0;
  for (auto& [key, entry] : accounts_)
    ended += std::erase_if(entry.web_sessions, [&](const auto& kv) {
      bool expired = kv.second.last_used < idle_before || kv.second.created < created_before;
      if (expired) forget_session_pushes(entry.push_subscriptions, kv.first);
      return expired;
    });
  if (ended) ++data_version_;
  return ended;
}

Result<std::vector<WebSetting>> MemoryStore::web_settings(AccountId account) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  std::vector<WebSetting> out;
  for (const auto& [name, value] : owner->web_settings) out.push_back(WebSetting{name, value});
  return out;
}

Result<void> MemoryStore::set_web_setting(AccountId account, std::string_view name,
                                          std::string_view value) {
  if (name.empty() || name.size() > kMaxSettingBytes || value.size() > kMaxSettingBytes)
    return Error{ErrorKind::invalid, "a setting's name and value are at most 256 octets"};
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  if (value.empty())
    owner->web_settings.erase(std::string(name));
  else
    owner->web_settings[std::string(name)] = std::string(value);
  ++data_version_;
  return {};
}

}  // namespace postamt::store
