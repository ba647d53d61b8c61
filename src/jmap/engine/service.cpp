#include "jmap/engine/service.h"

// g++ 12 reports -Wmismatched-new-delete for Asio's coroutine frame allocator in large
// coroutines (a false positive: Asio pairs its own operator new/delete), as in
// http/server.cpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

#include <chrono>

#include "auth/api_token.h"
#include "auth/auth_log.h"
#include "auth/policy.h"
#include "base/base64.h"
#include "base/log.h"
#include "base/strings.h"
#include "http/cookies.h"
#include "jmap/email/blob_ids.h"
#include "jmap/engine/api.h"
#include "jmap/engine/call_context.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/problem.h"
#include "jmap/engine/websocket.h"
#include "jmap/proto/websocket.h"
#include "mail/login.h"
#include "mail/web_session.h"

namespace postamt::jmap {

namespace json = boost::json;

namespace {

http::Response json_response(int status, std::string body, std::string type = "application/json") {
  http::Response r;
  r.status = status;
  r.with("Content-Type", std::move(type));
  r.body = std::move(body);
  return r;
}

http::Response unauthorized(bool offer_basic) {
  http::Response r = problem(401, "about:blank", "valid credentials are required");
  if (offer_basic) r.with("WWW-Authenticate", "Basic realm=\"postamt\", charset=\"UTF-8\"");
  r.with("WWW-Authenticate", "Bearer realm=\"postamt\"");
  return r;
}

std::string base_url(const Services& services, const http::Request& request,
                     const http::Peer& peer) {
  if (!services.base_url.empty()) return services.base_url;
  std::string host(request.header("Host").value_or(""));
  if (host.empty() || host.find_first_of(" /\\\"") != std::string::npos) host = services.hostname;
  return fmt::format("{}://{}", peer.service == "https" ? "https" : "http", host);
}

std::string session_resource(const Services& services, const store::Account& account,
                             const std::string& base) {
  const Limits& l = services.limits;
  json::object core{{"maxSizeUpload", l.max_size_upload},
                    {"maxConcurrentUpload", l.max_concurrent_upload},
                    {"maxSizeRequest", l.max_size_request},
                    {"maxConcurrentRequests", l.max_concurrent_requests},
                    {"maxCallsInRequest", l.max_calls_in_request},
                    {"maxObjectsInGet", l.max_objects_in_get},
                    {"maxObjectsInSet", l.max_objects_in_set},
                    {"collationAlgorithms", json::array{"i;unicode-casemap"}}};
  // RFC 8621 §1.3.1 and §1.3.2.
  json::object mail{
      {"maxMailboxesPerEmail", nullptr},
      {"maxMailboxDepth", nullptr},
      {"maxSizeMailboxName", 1000},
      {"maxSizeAttachmentsPerEmail", l.max_size_upload},
      {"emailQuerySortOptions",
       json::array{"receivedAt", "size", "from", "to", "subject", "sentAt", "hasKeyword",
                   "allInThreadHaveKeyword", "someInThreadHaveKeyword"}},
      {"mayCreateTopLevelMailbox", true}};
  json::object submission{{"maxDelayedSend", 0}, {"submissionExtensions", json::object{}}};
  std::string id = account_object_id(account.id);
  json::object account_caps{{std::string(kMailCapability), mail},
                            {std::string(kSubmissionCapability), submission}};
  // RFC 9007 §1.3: an empty object in both places.
  account_caps[kMdnCapability] = json::object{};
  json::object session{
      {"capabilities", json::object{{std::string(kCoreCapability), core},
                                    {std::string(kMailCapability), json::object{}},
                                    {std::string(kSubmissionCapability), json::object{}}}},
      {"accounts", json::object{{id, json::object{{"name", account.address},
                                                  {"isPersonal", true},
                                                  {"isReadOnly", false},
                                                  {"accountCapabilities", account_caps}}}}},
      {"primaryAccounts",
       json::object{{std::string(kMailCapability), id}, {std::string(kSubmissionCapability), id}}},
      {"username", account.address},
      {"apiUrl", base + "/jmap/api"},
      {"downloadUrl", base + "/jmap/download/{accountId}/{blobId}/{name}?accept={type}"},
      {"uploadUrl", base + "/jmap/upload/{accountId}/"},
      {"eventSourceUrl",
       base + "/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}"},
      {"state", "0"}};
  session["capabilities"].as_object()[kMdnCapability] = json::object{};
  session["primaryAccounts"].as_object()[kMdnCapability] = id;
  // RFC 8621 §1.3.3: VacationResponse, a capability without properties.
  const std::string vacation(kVacationCapability);
  session["capabilities"].as_object()[vacation] = json::object{};
  session["accounts"].as_object()[id].as_object()["accountCapabilities"].as_object()[vacation] =
      json::object{};
  session["primaryAccounts"].as_object()[vacation] = id;
  // RFC 8887 §3: the WebSocket URL, ws: on a plaintext listener.
  std::string ws_base = base.starts_with("https://")  ? "wss://" + base.substr(8)
                        : base.starts_with("http://") ? "ws://" + base.substr(7)
                                                      : base;
  session["capabilities"].as_object()[kWebSocketCapability] =
      json::object{{"url", ws_base + "/jmap/ws"}, {"supportsPush", true}};
  return json::serialize(session);
}

// What authentication found: the account and the credential that proved it (RFC 8620
// §7.2 ties push subscriptions to it), or the response to send instead.
struct Authenticated {
  std::optional<store::Account> account;
  http::Response refusal;
  store::Credential credential;
};

struct Verified {
  store::Account account;
  store::Credential credential;
};

// A webmail session cookie (docs/protocols/webmail.md, Sessions) in place of credentials:
// valid while the session lives; a request that can change something (any method but
// GET and HEAD) must also carry the session's X-CSRF-Token, which a page of another site
// cannot read.
net::awaitable<Authenticated> check_web_session(const Services& services, http::Request request,
                                                http::Peer peer, std::string secret) {
  store::Store* store = services.store;
  mail::WebSessionLimits limits = services.web_sessions;
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto work = [store, secret, limits, now] {
    return mail::find_web_session(*store, secret, limits, now);
  };
  auto task = services.runtime->run_blocking(std::move(work));
  auto found = co_await std::move(task);
  if (!found) {
    log::warning(peer.service, "session check from {} failed: {}", peer.remote.address,
                 found.error().message);
    co_return Authenticated{std::nullopt,
                            problem(503, "about:blank", "temporary failure, try again later")};
  }
  if (!*found)
    co_return Authenticated{std::nullopt,
                            problem(401, "about:blank", "the session has expired or ended")};
  if (request.method != "GET" && request.method != "HEAD" &&
      !mail::csrf_token_matches((*found)->session, request.header("X-CSRF-Token").value_or(""))) {
    co_return Authenticated{std::nullopt,
                            problem(403, "about:blank", "a missing or wrong X-CSRF-Token header")};
  }
  store::Credential credential{store::CredentialKind::session,
                               static_cast<int64_t>((*found)->session.id)};
  co_return Authenticated{std::move((*found)->account), {}, credential};
}

// A browser answers a Basic challenge to a script's request (fetch, EventSource) with its
// own password dialog, which would stand in front of the webmail's sign-in page when its
// cookie is gone. Such requests carry Sec-Fetch-Mode other than "navigate" (Fetch
// Metadata); they get only the Bearer challenge, still a valid 401 (RFC 9110 §11.6.1).
bool from_browser_script(const http::Request& request) {
  auto mode = request.header("Sec-Fetch-Mode");
  return mode && !iequals(trim(*mode), "navigate");
}

net::awaitable<Authenticated> authenticate(const Services& services, const http::Request& request,
                                           const http::Peer& peer) {
  bool plaintext_ok = auth::plaintext_mechanisms(services.plaintext, peer.trust) ==
                      auth::PlaintextMechanisms::allowed;
  bool offer_basic = plaintext_ok && !from_browser_script(request);
  auto header = request.header("Authorization");
  if (!header) {
    if (auto secret = http::cookie(request, mail::kWebSessionCookie)) {
      auto checked = check_web_session(services, request, peer, std::move(*secret));
      co_return co_await std::move(checked);
    }
    co_return Authenticated{std::nullopt, unauthorized(offer_basic)};
  }
  std::string_view value = trim(*header);
  std::string user, password, mechanism;
  bool bearer = false;
  if (istarts_with(value, "Basic ")) {
    mechanism = "basic";
    auto decoded = base64::decode(trim(value.substr(6)));
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos)
      co_return Authenticated{std::nullopt, unauthorized(offer_basic)};
    user = decoded->substr(0, colon);
    password = decoded->substr(colon + 1);
  } else if (istarts_with(value, "Bearer ")) {
    mechanism = "bearer";
    bearer = true;
    password = std::string(trim(value.substr(7)));
  } else {
    co_return Authenticated{std::nullopt, unauthorized(offer_basic)};
  }
  // A password or token in the clear is refused where [auth] plaintext says so, before
  // it is checked (the same rule as IMAP LOGIN and SMTP AUTH PLAIN).
  if (!plaintext_ok) {
    http::Response r = problem(403, "about:blank", "credentials are only accepted over TLS");
    co_return Authenticated{std::nullopt, std::move(r)};
  }
  store::Store* store = services.store;
  mail::LoginCache* logins = services.logins;
  auto work = [store, logins, user, password, bearer]() -> Result<Verified> {
    if (bearer) {
      if (!auth::looks_like_api_token(password))
        return Error{ErrorKind::auth_failed, "not a token"};
      auto found = store->find_token(auth::api_token_hash(password));
      if (!found) return found.error();
      if (!*found) return Error{ErrorKind::auth_failed, "unknown or revoked token"};
      return Verified{(*found)->second,
                      {store::CredentialKind::token, static_cast<int64_t>((*found)->first.id)}};
    }
    auto account = logins ? logins->verify(*store, user, password)
                          : mail::verify_login(*store, user, password);
    if (!account) return account.error();
    return Verified{std::move(*account), {store::CredentialKind::password, 0}};
  };
  auto task = services.runtime->run_blocking(std::move(work));
  auto verified = co_await std::move(task);
  std::string remote = peer.remote.address;
  if (!verified) {
    if (verified.error().kind != ErrorKind::auth_failed) {
      log::warning(peer.service, "login from {} failed: {}", remote, verified.error().message);
      co_return Authenticated{std::nullopt,
                              problem(503, "about:blank", "temporary failure, try again later")};
    }
    auth::log_auth_failure(peer.service, bearer ? "(token)" : user, remote, mechanism);
    if (services.auth_failures) {
      net::Duration delay = services.auth_failures->record_failure(remote, bearer ? "" : user);
      if (delay > net::Duration::zero()) co_await net::sleep(delay);
    }
    co_return Authenticated{std::nullopt, unauthorized(!from_browser_script(request))};
  }
  if (services.auth_failures)
    services.auth_failures->record_success(remote, verified->account.address);
  auth::count_login_success(peer.service);
  co_return Authenticated{std::move(verified->account), {}, verified->credential};
}

// "/a/b/c" -> {"a","b","c"}.
std::vector<std::string> path_parts(std::string_view path) {
  std::vector<std::string> out;
  for (std::string_view p : split(path, '/'))
    if (!p.empty()) out.emplace_back(p);
  return out;
}

std::string query_value(std::string_view query, std::string_view name) {
  for (std::string_view pair : split(query, '&')) {
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
  }
  return {};
}

}  // namespace

Service::Service(Services services) : services_(std::move(services)) {
  services_.uploads = &uploads_;
  services_.views = &views_;
  services_.logins = &logins_;
}

size_t Service::body_limit(const http::Request& head) const {
  if (head.path.starts_with("/jmap/upload/")) return services_.limits.max_size_upload;
  if (head.path == "/jmap/api") return services_.limits.max_size_request;
  return 0;
}

net::awaitable<http::Response> Service::handle(http::Request request, http::Peer peer) {
  if (request.path == "/.well-known/jmap" &&
      (request.method == "GET" || request.method == "HEAD")) {
    http::Response r;
    r.status = 307;
    r.with("Location", "/jmap/session");
    co_return r;
  }
  std::vector<std::string> parts = path_parts(request.path);
  if (parts.empty() || parts[0] != "jmap")
    co_return problem(404, "about:blank", "no such resource");

  Authenticated who = co_await authenticate(services_, request, peer);
  if (!who.account) co_return std::move(who.refusal);
  const store::Account& account = *who.account;

  if (parts.size() == 2 && parts[1] == "eventsource") {
    auto opened = open_event_source(services_, event_streams_, account, std::move(request));
    http::Response stream = co_await std::move(opened);
    stream.log_user = account.address;
    co_return stream;
  }
  if (parts.size() == 2 && parts[1] == "ws") {
    // RFC 8887 §4.1: the credentials of the handshake hold for the whole connection.
    http::Response socket =
        open_websocket(services_, WebSocketSlots{websockets_, api_slots_}, account, who.credential,
                       request, base_url(services_, request, peer));
    socket.log_user = account.address;
    co_return socket;
  }
  http::Response response;
  if (parts.size() == 2 && parts[1] == "session" &&
      (request.method == "GET" || request.method == "HEAD")) {
    response = json_response(
        200, session_resource(services_, account, base_url(services_, request, peer)));
  } else if (parts.size() == 2 && parts[1] == "api") {
    if (request.method != "POST") {
      response = problem(405, "about:blank", "use POST");
      response.with("Allow", "POST");
    } else {
      auto slot =
          AccountSlots::take(api_slots_, account.id, services_.limits.max_concurrent_requests);
      if (!slot) {
        response = problem(400, "urn:ietf:params:jmap:error:limit",
                           "too many requests of this account at once", "maxConcurrentRequests");
      } else {
        const Services* services = &services_;
        std::string body = std::move(request.body);
        store::Account who_account = account;
        store::Credential credential = who.credential;
        auto work = [services, who_account, credential, body]() {
          return process_api_request(*services, who_account, credential, body);
        };
        auto task = services_.runtime->run_blocking(std::move(work));
        ApiResult result = co_await std::move(task);
        response = json_response(result.status, std::move(result.body), result.content_type);
        if (services_.downloads)
          for (const mail::DownloadEvent& e : result.downloads) services_.downloads->on_download(e);
      }
    }
  } else if (parts.size() == 3 && parts[1] == "upload") {
    if (parts[2] != account_object_id(account.id)) {
      response = problem(404, "about:blank", "no such account");
    } else if (request.method != "POST") {
      response = problem(405, "about:blank", "use POST");
    } else {
      auto slot =
          AccountSlots::take(upload_slots_, account.id, services_.limits.max_concurrent_upload);
      if (!slot) {
        response = problem(400, "urn:ietf:params:jmap:error:limit",
                           "too many uploads of this account at once", "maxConcurrentUpload");
      } else {
        blob::BlobStore* blobs = services_.blobs;
        std::string body = std::move(request.body);
        uint64_t size = body.size();
        auto work = [blobs, body]() { return blobs->put(body); };
        auto task = services_.runtime->run_blocking(std::move(work));
        auto stored = co_await std::move(task);
        if (!stored) {
          log::warning(peer.service, "upload of <{}> failed: {}", account.address,
                       stored.error().message);
          response = problem(503, "about:blank", "the blob could not be stored; try again");
        } else {
          std::string type(request.header("Content-Type").value_or("application/octet-stream"));
          uploads_.add(account.id,
                       {*stored, type, size, std::chrono::system_clock::now() + kUploadLifetime});
          // RFC 8620 §6.1: the blob is durable (the blob store fsyncs) before this answer.
          json::object o{{"accountId", account_object_id(account.id)},
                         {"blobId", blob_id(*stored)},
                         {"type", type},
                         {"size", size}};
          response = json_response(201, json::serialize(o));
        }
      }
    }
  } else if (parts.size() == 5 && parts[1] == "download" &&
             (request.method == "GET" || request.method == "HEAD")) {
    auto ref = parse_blob_id(parts[3]);
    if (parts[2] != account_object_id(account.id) || !ref) {
      response = problem(404, "about:blank", "no such blob");
    } else {
      const Services* services = &services_;
      store::Account who_account = account;
      BlobIdRef wanted = *ref;
      auto work = [services, who_account, wanted]() {
        std::map<std::string, std::string> no_ids;
        CallContext context(*services, who_account, no_ids);
        try {
          return fetch_blob_bytes(context, wanted);
        } catch (...) {
          return std::optional<std::string>();
        }
      };
      auto task = services_.runtime->run_blocking(std::move(work));
      std::optional<std::string> bytes = co_await std::move(task);
      if (!bytes) {
        response = problem(404, "about:blank", "no such blob");
      } else {
        std::string type = query_value(request.query, "accept");
        if (type.empty() || type.find_first_of("\r\n") != std::string::npos)
          type = "application/octet-stream";
        std::string name = percent_decode(parts[4]);
        std::string safe;
        for (char c : name)
          if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) safe.push_back(c);
        response.status = 200;
        response.with("Content-Type", type);
        response.with("Content-Disposition", fmt::format("attachment; filename=\"{}\"", safe));
        response.body = std::move(*bytes);
      }
    }
  } else {
    response = problem(404, "about:blank", "no such resource");
  }
  response.log_user = account.address;
  co_return response;
}

}  // namespace postamt::jmap
