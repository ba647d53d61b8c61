#include "mail/web_session.h"

#include "auth/api_token.h"

namespace postamt::mail {

namespace {
constexpr size_t kSecretOctets = 32;
constexpr size_t kCsrfOctets = 24;
}  // namespace

Result<OpenedWebSession> open_web_session(store::Store& store, AccountId account, int64_t now) {
  OpenedWebSession opened;
  opened.secret = auth::random_secret(kSecretOctets);
  auto session = store.create_web_session(account, auth::api_token_hash(opened.secret),
                                          auth::random_secret(kCsrfOctets), now);
  if (!session) return session.error();
  opened.session = std::move(*session);
  return opened;
}

Result<std::optional<FoundWebSession>> find_web_session(store::Store& store,
                                                        std::string_view secret,
                                                        const WebSessionLimits& limits,
                                                        int64_t now) {
  if (secret.empty() || secret.size() > 128) return std::optional<FoundWebSession>();
  auto found = store.find_web_session(auth::api_token_hash(secret));
  if (!found) return found.error();
  if (!*found) return std::optional<FoundWebSession>();
  auto& [session, account] = **found;
  if (now - session.last_used >= limits.idle_timeout.count() ||
      now - session.created >= limits.max_lifetime.count()) {
    auto deleted = store.delete_web_session(session.id);
    if (!deleted) return deleted.error();
    return std::optional<FoundWebSession>();
  }
  if (now - session.last_used >= kTouchInterval.count()) {
    auto touched = store.touch_web_session(session.id, now);
    if (!touched) return touched.error();
    session.last_used = now;
  }
  return std::optional(FoundWebSession{std::move(session), std::move(account)});
}

bool csrf_token_matches(const store::WebSession& session, std::string_view sent) {
  const std::string& expected = session.csrf_token;
  if (sent.size() != expected.size() || expected.empty()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < expected.size(); ++i)
    diff |= static_cast<unsigned char>(expected[i] ^ sent[i]);
  return diff == 0;
}

}  // namespace postamt::mail
