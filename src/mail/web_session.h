// Webmail sessions (docs/protocols/webmail.md, Sessions): what a signed-in browser holds
// in its cookie, and the rules for when it stops working. The webmail engine opens and
// ends sessions; the JMAP engine accepts them as credentials. Protocol-neutral: no
// cookie syntax here, only the cookie's name, the secret and the times.
//
// A session ends when it has not been used for `idle_timeout`, when it is older than
// `max_lifetime`, when the user signs out (this session or every one), and when the
// account is removed. Uses are recorded at most once a minute (kTouchInterval), so a
// busy page does not write to the store on every request; idle expiry is therefore
// exact to within that minute.
//
// Threads: every function blocks on the store: call it on a store thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::mail {

// Named limits (docs/architecture.md, Limits); [webmail] in the configuration.
struct WebSessionLimits {
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds max_lifetime{7 * 24 * 3600};
};

inline constexpr std::chrono::seconds kTouchInterval{60};

// The cookie that carries the secret, the same for every engine that accepts it.
inline constexpr std::string_view kWebSessionCookie = "postamt_session";

struct OpenedWebSession {
  std::string secret;  // goes into the cookie; the store keeps only its hash
  store::WebSession session;
};

// Opens a session for `account` at `now` (seconds since the epoch). Errors: the store's.
Result<OpenedWebSession> open_web_session(store::Store& store, AccountId account, int64_t now);

struct FoundWebSession {
  store::WebSession session;
  store::Account account;
};

// The live session whose cookie secret is `secret`, or nullopt when there is none or it
// has expired (an expired one is deleted). Records the use when the last one is older
// than kTouchInterval. Errors: the store's (the caller answers "try again", not "signed
// out").
Result<std::optional<FoundWebSession>> find_web_session(store::Store& store,
                                                        std::string_view secret,
                                                        const WebSessionLimits& limits,
                                                        int64_t now);

// True when `sent` (the page's X-CSRF-Token) is the session's token; compares in time
// independent of where they differ.
bool csrf_token_matches(const store::WebSession& session, std::string_view sent);

}  // namespace postamt::mail
