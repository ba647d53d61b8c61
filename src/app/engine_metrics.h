// The admin listener's row in the service table (services.cpp): "metrics", plain HTTP
// through the HTTP/1.1 session (src/http), for Prometheus and service managers:
//
//   GET /metrics  200, "text/plain; version=0.0.4; charset=utf-8", every metric of
//                 metrics/catalog.h (docs/monitoring.md), rendered on the blocking pool
//   GET /healthz  200 "ok\n" while the process runs its event loop (liveness)
//   GET /readyz   200 "ready\n" when a trivial store read (Store::data_version) succeeds
//                 within [metrics] ready_timeout on the blocking pool; else 503
//                 "not ready: <reason>\n" (readiness)
//
// HEAD works wherever GET does; another method on these paths is 405 with "Allow: GET,
// HEAD"; any other path is 404. No authentication: bind it to loopback only. At most one
// readiness probe runs at a time; requests arriving meanwhile wait for that one, so a
// stuck store takes one blocking thread, not one per request.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "base/result.h"
#include "http/message.h"
#include "net/runtime.h"
#include "net/server.h"

namespace postamt::app {

struct ServeContext;

// The routes above as an http::Handler; `probe` is the blocking store read behind
// /readyz (run on `runtime`'s blocking pool). `runtime` outlives the handler.
class AdminHandler final : public http::Handler {
 public:
  AdminHandler(net::Runtime& runtime, std::function<Result<void>()> probe,
               net::Duration ready_timeout);
  size_t body_limit(const http::Request& head) const override;
  net::awaitable<http::Response> handle(http::Request request, http::Peer peer) override;

  struct Probe;  // one readiness check in flight (engine_metrics.cpp)

 private:
  net::awaitable<http::Response> ready();

  net::Runtime& runtime_;
  std::function<Result<void>()> probe_;
  net::Duration ready_timeout_;
  std::mutex mutex_;
  std::shared_ptr<Probe> running_;  // the probe in flight, if any
};

// One handler for every metrics listener. `context` must outlive the handler and its
// sessions.
net::Handler make_metrics_handler(ServeContext& context);

}  // namespace postamt::app
