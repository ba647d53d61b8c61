#include "app/engine_http.h"

#include <memory>

#include "app/serve_context.h"
#include "autoconfig/service/service.h"
#include "http/server.h"
#include "jmap/engine/call_context.h"
#include "jmap/engine/service.h"
#include "webmail/service.h"

namespace postamt::app {
namespace {

// The autoconfiguration paths (autoconfig/service.h) go to that service (when enabled),
// JMAP's paths to the JMAP engine, every other path to the webmail (when enabled).
class Router : public http::Handler {
 public:
  Router(http::Handler* jmap, http::Handler* webmail, http::Handler* autoconfig)
      : jmap_(jmap), webmail_(webmail), autoconfig_(autoconfig) {}
  size_t body_limit(const http::Request& head) const override {
    return pick(head).body_limit(head);
  }
  net::awaitable<http::Response> handle(http::Request request, http::Peer peer) override {
    http::Handler& handler = pick(request);
    auto answered = handler.handle(std::move(request), std::move(peer));
    co_return co_await std::move(answered);
  }

 private:
  http::Handler& pick(const http::Request& request) const {
    if (autoconfig_ && autoconfig::Service::serves(request.path)) return *autoconfig_;
    bool jmap = request.path.starts_with("/jmap/") || request.path.starts_with("/.well-known/");
    return jmap || !webmail_ ? *jmap_ : *webmail_;
  }
  http::Handler* jmap_;
  http::Handler* webmail_;
  http::Handler* autoconfig_;
};

struct HttpEngine {
  std::unique_ptr<jmap::Service> jmap;
  std::unique_ptr<webmail::Service> webmail;
  std::unique_ptr<autoconfig::Service> autoconfig;
  std::unique_ptr<Router> router;
  http::Services http;
};

std::unique_ptr<webmail::Service> make_webmail(ServeContext& context) {
  const Config& config = *context.config;
  webmail::Services services;
  services.runtime = context.runtime;
  services.store = context.store;
  services.auth_failures = context.auth_failures;
  services.plaintext = config.auth.plaintext;
  services.sessions = {config.webmail.session_idle_timeout, config.webmail.session_lifetime};
  services.receipts = config.receipts;
  services.account_id = [](AccountId id) { return jmap::account_object_id(id); };
  services.secure_cookies = config.webmail.secure_cookies;
  return std::make_unique<webmail::Service>(std::move(services));
}

std::unique_ptr<autoconfig::Service> make_autoconfig(ServeContext& context) {
  const Config& config = *context.config;
  autoconfig::Services services;
  services.runtime = context.runtime;
  services.store = context.store;
  services.server = autoconfig::public_server(config);
  services.max_request_body = config.autoconfig.max_request_body;
  services.mta_sts_mode = config.autoconfig.mta_sts_mode;
  services.mta_sts_max_age = config.autoconfig.mta_sts_max_age;
  return std::make_unique<autoconfig::Service>(std::move(services));
}

net::awaitable<void> serve_http(std::unique_ptr<net::Connection> connection,
                                net::SessionContext context,
                                std::shared_ptr<const HttpEngine> engine) {
  co_await http::run_session(*connection, std::move(context), &engine->http);
}

std::shared_ptr<const HttpEngine> make_engine(ServeContext& context) {
  const Config& config = *context.config;
  jmap::Services services;
  services.runtime = context.runtime;
  services.store = context.store;
  services.blobs = context.blobs;
  services.auth_failures = context.auth_failures;
  services.plaintext = config.auth.plaintext;
  services.watch = context.watch;
  services.downloads = context.downloads;
  services.delivery = &context.delivery;
  services.submission_check = context.submission_check;
  services.receipts = config.receipts;
  services.hostname = config.hostname;
  services.base_url = config.http.base_url;
  services.web_sessions = {config.webmail.session_idle_timeout, config.webmail.session_lifetime};
  services.cors_origins = config.http.cors_origins;
  jmap::Limits& limits = services.limits;
  limits.max_size_request = config.http.max_size_request;
  limits.max_size_upload = config.http.max_size_upload;
  limits.max_concurrent_requests = config.http.max_concurrent_requests;
  limits.max_concurrent_upload = config.http.max_concurrent_upload;
  limits.max_calls_in_request = config.http.max_calls_in_request;
  limits.max_objects_in_get = config.http.max_objects_in_get;
  limits.max_objects_in_set = config.http.max_objects_in_set;
  limits.min_ping_interval = config.http.min_ping_interval;
  limits.max_event_streams = config.http.max_event_streams;
  limits.max_websocket_message =
      config.http.max_websocket_message.value_or(config.http.max_size_request);
  limits.max_websockets = config.http.max_websockets;
  limits.websocket_ping_interval = config.http.websocket_ping_interval;
  limits.websocket_idle_timeout = config.http.websocket_idle_timeout;
  limits.push_max_subscriptions = config.http.push_max_subscriptions;
  limits.push_max_expiry = config.http.push_max_expiry;
  limits.push_addresses = config.http.push_allow_private_addresses ? http::PrivateAddresses::allow
                                                                   : http::PrivateAddresses::refuse;
  services.push = context.push;

  auto engine = std::make_shared<HttpEngine>();
  engine->jmap = std::make_unique<jmap::Service>(std::move(services));
  if (config.webmail.enabled) engine->webmail = make_webmail(context);
  if (config.autoconfig.enabled) engine->autoconfig = make_autoconfig(context);
  engine->router =
      std::make_unique<Router>(engine->jmap.get(), engine->webmail.get(), engine->autoconfig.get());
  engine->http.handler = engine->router.get();
  engine->http.limits.max_header_bytes = config.http.max_header_bytes;
  engine->http.limits.request_timeout = config.http.request_timeout;
  engine->http.limits.idle_timeout = config.http.idle_timeout;
  engine->http.cors_origins = config.http.cors_origins;
  return engine;
}

}  // namespace

net::Handler make_http_handler(ServeContext& context) {
  // http and https share one engine, so that per-account limits count both.
  static std::shared_ptr<const HttpEngine> engine;
  if (!engine) engine = make_engine(context);
  std::shared_ptr<const HttpEngine> shared = engine;
  return [shared](std::unique_ptr<net::Connection> connection, net::SessionContext session) {
    return serve_http(std::move(connection), std::move(session), shared);
  };
}

}  // namespace postamt::app
