// The webmail service (docs/protocols/webmail.md): the http::Handler for every path of
// [listen] http/https that is not JMAP's. Routes:
//   GET  /, /assets/..., other files of the build   the embedded client (assets.h)
//   GET  any other path without a file extension    index.html (the client's own routes)
//   POST /webmail/login      {"username","password"} -> session cookie + CSRF token
//   GET  /webmail/session    the signed-in session (for a reloaded page)
//   POST /webmail/logout     {"everywhere": bool}
//   GET  /webmail/settings   PUT /webmail/settings   (settings.h)
// Sessions are mail/web_session.h; the JMAP engine accepts the same cookie. Sign-in
// follows [auth] plaintext like every protocol, with the same failure delay and the
// fail2ban line "auth failed: service=<http|https> ... mechanism=webmail".
#pragma once

#include <functional>
#include <string>

#include "auth/failure_tracker.h"
#include "base/config.h"
#include "base/connection_trust.h"
#include "http/message.h"
#include "mail/web_session.h"
#include "net/runtime.h"
#include "store/api/store.h"

namespace postamt::webmail {

// Request bodies of the /webmail endpoints are small JSON objects.
inline constexpr size_t kMaxBodyBytes = 64 * 1024;

struct Services {
  net::Runtime* runtime = nullptr;
  store::Store* store = nullptr;  // blocking: call through runtime->run_blocking
  auth::FailureTracker* auth_failures = nullptr;
  PlaintextAuth plaintext = PlaintextAuth::loopback;
  mail::WebSessionLimits sessions;
  Config::Receipts receipts;  // the server's policy, shown in the settings
  // The JMAP account id of an account (the page names it in API calls).
  std::function<std::string(AccountId)> account_id;
  // Session cookies get Secure on the https listener, and on http as well when this is
  // set (behind a proxy that terminates TLS).
  bool secure_cookies = false;
};

class Service : public http::Handler {
 public:
  explicit Service(Services services) : services_(std::move(services)) {}
  size_t body_limit(const http::Request& head) const override;
  net::awaitable<http::Response> handle(http::Request request, http::Peer peer) override;

 private:
  net::awaitable<http::Response> login(http::Request request, http::Peer peer);
  net::awaitable<http::Response> with_session(http::Request request, http::Peer peer);

  Services services_;
};

}  // namespace postamt::webmail
