#include "webmail/service.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>

#include "auth/api_token.h"
#include "auth/auth_log.h"
#include "auth/policy.h"
#include "base/log.h"
#include "base/strings.h"
#include "http/cookies.h"
#include "mail/login.h"
#include "mdn/policy.h"
#include "webmail/assets.h"
#include "webmail/settings.h"

namespace postamt::webmail {

namespace json = boost::json;

namespace {

// What the client's page may load (docs/protocols/webmail.md, Security). Remote images
// are allowed at the page level only so that a message whose images the user allowed
// can show them; the message frame carries its own, stricter policy until then.
constexpr std::string_view kClientCsp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https: http:; media-src 'self' blob:; font-src 'self'; "
    "connect-src 'self'; frame-src 'self' blob:; child-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

http::Response json_response(int status, const json::object& body) {
  http::Response r;
  r.status = status;
  r.with("Content-Type", "application/json");
  r.body = json::serialize(body);
  return r;
}

// RFC 7807 problem details, as the JMAP endpoints answer.
http::Response problem(int status, std::string_view detail) {
  json::object o{{"type", "about:blank"}, {"status", status}, {"detail", detail}};
  http::Response r = json_response(status, o);
  r.headers.front().value = "application/problem+json";
  return r;
}

http::Response method_not_allowed(std::string_view allow) {
  http::Response r = problem(405, "method not allowed here");
  r.with("Allow", std::string(allow));
  return r;
}

// RFC 9110 §12.5.3: gzip is acceptable unless given q=0.
bool accepts_gzip(const http::Request& request) {
  auto field = request.header("Accept-Encoding");
  if (!field) return false;
  for (std::string_view item : split(*field, ',')) {
    std::vector<std::string_view> parts = split(item, ';');
    if (parts.empty() || !iequals(trim(parts[0]), "gzip")) continue;
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string_view p = trim(parts[i]);
      if (istarts_with(p, "q=") && trim(p.substr(2)).find_first_not_of("0.") == std::string::npos)
        return false;
    }
    return true;
  }
  return false;
}

// RFC 9110 §13.1.2: a weak comparison of the client's validators with ours.
bool not_modified(const http::Request& request, std::string_view etag) {
  auto field = request.header("If-None-Match");
  if (!field) return false;
  for (std::string_view tag : split(*field, ',')) {
    tag = trim(tag);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag = tag.substr(2);
    if (tag == etag) return true;
  }
  return false;
}

http::Response serve_asset(const Asset& asset, const http::Request& request) {
  http::Response r;
  r.with("ETag", std::string(asset.etag));
  r.with("Cache-Control", asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (!asset.gzip.empty()) r.with("Vary", "Accept-Encoding");
  if (not_modified(request, asset.etag)) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.with("Content-Type", std::string(asset.content_type));
  if (asset.content_type.starts_with("text/html"))
    r.with("Content-Security-Policy", std::string(kClientCsp));
  if (!asset.gzip.empty() && accepts_gzip(request)) {
    r.with("Content-Encoding", "gzip");
    r.body = std::string(asset.gzip);
  } else {
    r.body = std::string(asset.body);
  }
  return r;
}

// A path the client routes itself: not an API, not a file name.
bool client_route(std::string_view path) {
  if (path.starts_with("/webmail/") || path.starts_with("/assets/") || path.starts_with("/jmap/") ||
      path.starts_with("/.well-known/"))
    return false;
  std::string_view last = path.substr(path.rfind('/') + 1);
  return last.find('.') == std::string_view::npos;
}

std::string session_cookie(const std::string& secret, bool secure,
                           std::optional<std::chrono::seconds> max_age) {
  http::SetCookie c{std::string(mail::kWebSessionCookie), secret};
  c.secure = secure;
  c.max_age = max_age;
  return http::set_cookie_value(c);
}

bool secure_request(const Services& services, const http::Peer& peer) {
  return services.secure_cookies || peer.service == "https";
}

json::object session_json(const Services& services, const store::Account& account,
                          const store::WebSession& session) {
  return json::object{{"username", account.address},
                      {"accountId", services.account_id ? services.account_id(account.id) : ""},
                      {"csrfToken", session.csrf_token}};
}

// The user's settings with the effective receipt policy. Blocking.
Result<json::object> read_settings(store::Store& store, const Config::Receipts& server,
                                   const store::Account& account) {
  auto rows = store.web_settings(account.id);
  if (!rows) return rows.error();
  auto overrides = store.list_policy_overrides();
  if (!overrides) return overrides.error();
  std::string_view address = account.address;
  std::string_view domain = address.substr(address.rfind('@') + 1);
  mdn::Policy policy = mdn::effective_policy(server, *overrides, domain, address);
  return settings_json(settings_from(*rows), policy);
}

struct LoginOutcome {
  Result<store::Account> account = Error{ErrorKind::auth_failed, ""};
  mail::OpenedWebSession session;
};

// Blocking: checks the password (or an API token of the same user) and opens a session.
LoginOutcome check_login(store::Store& store, const mail::WebSessionLimits& limits,
                         const std::string& user, const std::string& password) {
  LoginOutcome out;
  if (auth::looks_like_api_token(password)) {
    auto found = store.find_token(auth::api_token_hash(password));
    if (!found) {
      out.account = found.error();
      return out;
    }
    if (!*found || !iequals((*found)->second.address, user)) {
      out.account = Error{ErrorKind::auth_failed, "unknown token"};
      return out;
    }
    out.account = (*found)->second;
  } else {
    out.account = mail::verify_login(store, user, password);
    if (!out.account) return out;
  }
  int64_t now = now_seconds();
  // Sign-ins are rare enough to sweep expired sessions of every user now and then.
  auto swept = store.expire_web_sessions(now - limits.idle_timeout.count(),
                                         now - limits.max_lifetime.count());
  if (!swept) log::warning("webmail", "cannot remove expired sessions: {}", swept.error().message);
  auto opened = mail::open_web_session(store, out.account->id, now);
  if (!opened) {
    out.account = opened.error();
    return out;
  }
  out.session = std::move(*opened);
  return out;
}

}  // namespace

size_t Service::body_limit(const http::Request& head) const {
  return head.path.starts_with("/webmail/") ? kMaxBodyBytes : 0;
}

net::awaitable<http::Response> Service::handle(http::Request request, http::Peer peer) {
  if (request.path == "/webmail/login") {
    auto answered = login(std::move(request), std::move(peer));
    co_return co_await std::move(answered);
  }
  if (request.path.starts_with("/webmail/")) {
    auto answered = with_session(std::move(request), std::move(peer));
    co_return co_await std::move(answered);
  }
  if (request.method != "GET" && request.method != "HEAD")
    co_return method_not_allowed("GET, HEAD");
  const Asset* asset = find_asset(request.path == "/" ? "/index.html" : request.path);
  if (!asset && client_route(request.path)) asset = find_asset("/index.html");
  if (!asset) {
    http::Response r;
    r.status = 404;
    r.with("Content-Type", "text/plain; charset=utf-8");
    r.body = "Not found\n";
    co_return r;
  }
  co_return serve_asset(*asset, request);
}

net::awaitable<http::Response> Service::login(http::Request request, http::Peer peer) {
  if (request.method != "POST") co_return method_not_allowed("POST");
  // A form of another site cannot send JSON without a CORS preflight, which fails.
  if (!istarts_with(request.header("Content-Type").value_or(""), "application/json"))
    co_return problem(415, "send the sign-in as application/json");
  json::error_code ec;
  json::value body = json::parse(request.body, ec);
  const json::object* o = !ec && body.is_object() ? &body.as_object() : nullptr;
  const json::value* user_value = o ? o->if_contains("username") : nullptr;
  const json::value* password_value = o ? o->if_contains("password") : nullptr;
  if (!user_value || !user_value->is_string() || !password_value || !password_value->is_string() ||
      user_value->as_string().empty())
    co_return problem(400, "send {\"username\": ..., \"password\": ...}");
  if (auth::plaintext_mechanisms(services_.plaintext, peer.trust) !=
      auth::PlaintextMechanisms::allowed)
    co_return problem(403, "passwords are only accepted over TLS");

  std::string user(user_value->as_string());
  std::string password(password_value->as_string());
  store::Store* store = services_.store;
  mail::WebSessionLimits limits = services_.sessions;
  auto work = [store, limits, user, password] {
    return check_login(*store, limits, user, password);
  };
  auto task = services_.runtime->run_blocking(std::move(work));
  LoginOutcome outcome = co_await std::move(task);
  const std::string& remote = peer.remote.address;
  if (!outcome.account) {
    if (outcome.account.error().kind != ErrorKind::auth_failed) {
      log::warning(peer.service, "webmail sign-in from {} failed: {}", remote,
                   outcome.account.error().message);
      co_return problem(503, "temporary failure, try again later");
    }
    auth::log_auth_failure(peer.service, user, remote, "webmail");
    if (services_.auth_failures) {
      net::Duration delay = services_.auth_failures->record_failure(remote, user);
      if (delay > net::Duration::zero()) co_await net::sleep(delay);
    }
    co_return problem(401, "wrong address or password");
  }
  if (services_.auth_failures)
    services_.auth_failures->record_success(remote, outcome.account->address);
  auth::count_login_success(peer.service);
  http::Response r =
      json_response(200, session_json(services_, *outcome.account, outcome.session.session));
  r.with("Set-Cookie",
         session_cookie(outcome.session.secret, secure_request(services_, peer), std::nullopt));
  r.log_user = outcome.account->address;
  co_return r;
}

net::awaitable<http::Response> Service::with_session(http::Request request, http::Peer peer) {
  const std::string& path = request.path;
  const bool reading = request.method == "GET" || request.method == "HEAD";
  if (path == "/webmail/session" && !reading) co_return method_not_allowed("GET, HEAD");
  if (path == "/webmail/logout" && request.method != "POST") co_return method_not_allowed("POST");
  if (path == "/webmail/settings" && !reading && request.method != "PUT")
    co_return method_not_allowed("GET, HEAD, PUT");
  if (path != "/webmail/session" && path != "/webmail/logout" && path != "/webmail/settings")
    co_return problem(404, "no such resource");

  auto secret = http::cookie(request, mail::kWebSessionCookie);
  if (!secret) co_return problem(401, "not signed in");
  store::Store* store = services_.store;
  mail::WebSessionLimits limits = services_.sessions;
  int64_t now = now_seconds();
  std::string cookie_secret = *secret;
  auto find = [store, limits, now, cookie_secret] {
    return mail::find_web_session(*store, cookie_secret, limits, now);
  };
  auto find_task = services_.runtime->run_blocking(std::move(find));
  auto found = co_await std::move(find_task);
  if (!found) {
    log::warning(peer.service, "session check from {} failed: {}", peer.remote.address,
                 found.error().message);
    co_return problem(503, "temporary failure, try again later");
  }
  if (!*found) co_return problem(401, "the session has expired or ended");
  mail::FoundWebSession who = std::move(**found);
  if (!reading &&
      !mail::csrf_token_matches(who.session, request.header("X-CSRF-Token").value_or("")))
    co_return problem(403, "a missing or wrong X-CSRF-Token header");

  http::Response r;
  if (path == "/webmail/session") {
    r = json_response(200, session_json(services_, who.account, who.session));
  } else if (path == "/webmail/logout") {
    json::error_code ec;
    json::value body =
        request.body.empty() ? json::value(json::object{}) : json::parse(request.body, ec);
    const json::value* everywhere =
        !ec && body.is_object() ? body.as_object().if_contains("everywhere") : nullptr;
    if (ec || !body.is_object() || (everywhere && !everywhere->is_bool()))
      co_return problem(400, "send {\"everywhere\": true|false}");
    bool all = everywhere && everywhere->as_bool();
    uint64_t session_id = who.session.id;
    AccountId account = who.account.id;
    auto end = [store, all, session_id, account]() -> Result<void> {
      if (all) {
        auto n = store->delete_web_sessions(account);
        if (!n) return n.error();
        return {};
      }
      return store->delete_web_session(session_id);
    };
    auto end_task = services_.runtime->run_blocking(std::move(end));
    auto ended = co_await std::move(end_task);
    if (!ended) co_return problem(503, "temporary failure, try again later");
    r.status = 204;
    r.with("Set-Cookie",
           session_cookie("", secure_request(services_, peer), std::chrono::seconds(0)));
  } else {
    std::vector<store::WebSetting> changes;
    if (!reading) {
      auto parsed = parse_settings_update(request.body);
      if (!parsed) co_return problem(400, parsed.error().message);
      changes = std::move(*parsed);
    }
    Config::Receipts receipts = services_.receipts;
    store::Account account = who.account;
    auto settle = [store, receipts, account, changes]() -> Result<json::object> {
      for (const store::WebSetting& c : changes) {
        auto set = store->set_web_setting(account.id, c.name, c.value);
        if (!set) return set.error();
      }
      return read_settings(*store, receipts, account);
    };
    auto settle_task = services_.runtime->run_blocking(std::move(settle));
    auto settings = co_await std::move(settle_task);
    if (!settings) co_return problem(503, "temporary failure, try again later");
    r = json_response(200, *settings);
  }
  r.log_user = who.account.address;
  co_return r;
}

}  // namespace postamt::webmail
