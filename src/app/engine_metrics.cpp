#include "app/engine_metrics.h"

#include <fmt/format.h>

#include <atomic>
#include <optional>

#include "app/serve_context.h"
#include "http/server.h"
#include "metrics/catalog.h"
#include "metrics/exposition.h"

namespace postamt::app {

using namespace std::chrono_literals;

// How often a waiting /readyz looks whether the probe has answered.
constexpr net::Duration kProbePoll = 5ms;

struct AdminHandler::Probe {
  std::atomic<bool> done{false};
  std::mutex mutex;
  std::optional<Error> failure;  // set before done
};

namespace {

http::Response text(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.with("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

net::awaitable<void> run_probe(net::Runtime* runtime, std::function<Result<void>()> probe,
                               std::shared_ptr<AdminHandler::Probe> state) {
  auto task = runtime->run_blocking([probe] { return probe(); });
  Result<void> answered = co_await std::move(task);
  {
    std::lock_guard lock(state->mutex);
    if (!answered) state->failure = answered.error();
  }
  state->done.store(true);
}

net::awaitable<void> serve_admin(std::unique_ptr<net::Connection> connection,
                                 net::SessionContext context,
                                 std::shared_ptr<const http::Services> services) {
  co_await http::run_session(*connection, std::move(context), services.get());
}

}  // namespace

AdminHandler::AdminHandler(net::Runtime& runtime, std::function<Result<void>()> probe,
                           net::Duration ready_timeout)
    : runtime_(runtime), probe_(std::move(probe)), ready_timeout_(ready_timeout) {}

size_t AdminHandler::body_limit(const http::Request&) const {
  return 0;  // GET and HEAD only
}

net::awaitable<http::Response> AdminHandler::handle(http::Request request, http::Peer) {
  const std::string& path = request.path;
  if (path != "/metrics" && path != "/healthz" && path != "/readyz")
    co_return text(404, "not found\n");
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = text(405, "method not allowed\n");
    r.with("Allow", "GET, HEAD");
    co_return r;
  }
  if (path == "/healthz") co_return text(200, "ok\n");
  if (path == "/readyz") {
    auto answered = ready();
    co_return co_await std::move(answered);
  }
  // The collectors read /proc: not on a network thread.
  auto rendered = runtime_.run_blocking([] {
    metrics::catalog();  // registers every family, so that a scrape lists them all
    return metrics::render(metrics::registry());
  });
  http::Response r;
  r.with("Content-Type", std::string(metrics::kContentType));
  r.body = co_await std::move(rendered);
  co_return r;
}

net::awaitable<http::Response> AdminHandler::ready() {
  std::shared_ptr<Probe> probe;
  {
    std::lock_guard lock(mutex_);
    if (!running_ || running_->done.load()) {
      running_ = std::make_shared<Probe>();
      runtime_.spawn(run_probe(&runtime_, probe_, running_), "readiness probe");
    }
    probe = running_;
  }
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout_;
  while (!probe->done.load() && std::chrono::steady_clock::now() < deadline) {
    auto pause = net::sleep(kProbePoll);
    co_await std::move(pause);
  }
  if (!probe->done.load())
    co_return text(
        503,
        fmt::format("not ready: the store did not answer within {} ms\n",
                    std::chrono::duration_cast<std::chrono::milliseconds>(ready_timeout_).count()));
  std::lock_guard lock(probe->mutex);
  if (probe->failure) co_return text(503, "not ready: " + probe->failure->message + "\n");
  co_return text(200, "ready\n");
}

net::Handler make_metrics_handler(ServeContext& context) {
  // All metrics listeners share one handler and one probe.
  static std::shared_ptr<const http::Services> services;
  static std::unique_ptr<AdminHandler> handler;
  if (!services) {
    const Config& config = *context.config;
    store::Store* store = context.store;
    handler = std::make_unique<AdminHandler>(
        *context.runtime,
        [store]() -> Result<void> {
          auto version = store->data_version();
          if (!version) return version.error();
          return {};
        },
        config.metrics.ready_timeout);
    auto made = std::make_shared<http::Services>();
    made->handler = handler.get();
    made->limits.max_header_bytes = config.http.max_header_bytes;
    made->limits.request_timeout = config.http.request_timeout;
    made->limits.idle_timeout = config.http.idle_timeout;
    services = std::move(made);
    metrics::catalog().build_info.with({POSTAMT_VERSION}).set(1);
  }
  std::shared_ptr<const http::Services> shared = services;
  return [shared](std::unique_ptr<net::Connection> connection, net::SessionContext session) {
    return serve_admin(std::move(connection), std::move(session), shared);
  };
}

}  // namespace postamt::app
