#include "queue/outbound.h"

#include "base/log.h"

// See smtp/client/client.cpp: g++ 12 false positive on Asio's coroutine frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace postamt::queue {
namespace {

// Holds the state alive for as long as the worker coroutine runs.
net::awaitable<void> run_worker(std::shared_ptr<OutboundService::State> state) {
  co_await state->worker->run();
}

}  // namespace

OutboundService::~OutboundService() {
  stop();
}

Result<std::string> OutboundService::enqueue(const delivery::OutboundMessage& message) {
  return state_->queue->enqueue(message);
}

Result<std::vector<delivery::QueuedRecipient>> OutboundService::queued_recipients(
    std::string_view id) {
  return state_->queue->queued_recipients(id);
}

void OutboundService::stop() {
  state_->worker->stop();
}

Result<std::unique_ptr<OutboundService>> start_outbound(const Config& config, net::Runtime& runtime,
                                                        delivery::Services local,
                                                        std::shared_ptr<dns::Resolver> resolver,
                                                        Clock clock) {
  auto state = std::make_shared<OutboundService::State>();
  auto q = FileQueue::open(config.data_dir / "queue", std::move(clock));
  POSTAMT_TRY(q);
  state->queue = std::move(*q);

  if (!resolver) return Error{ErrorKind::invalid, "start_outbound: no resolver"};
  state->resolver = std::move(resolver);

  auto tls = net::TlsClientContext::create(net::TlsVerify::opportunistic);
  POSTAMT_TRY(tls);

  WorkerOptions options;
  options.hostname = config.hostname;
  options.retry.max_age = config.outbound.max_age;
  options.tls = *tls;
  if (config.outbound.relay)
    options.route.relay = std::pair{config.outbound.relay->host, config.outbound.relay->port};
  WorkerDeps deps{state->queue.get(), state->resolver.get(), &runtime, local};
  if (config.dkim.sign) {
    auto keys = dkim::KeyRing::load(config.data_dir / "dkim");
    POSTAMT_TRY(keys);
    if (!keys->empty()) {
      log::info("smtp", "dkim: signing with {} key(s) from {}", keys->keys().size(),
                (config.data_dir / "dkim").string());
    }
    state->dkim = std::make_unique<dkim::KeyRing>(std::move(*keys));
    deps.dkim = state->dkim.get();
  }
  state->worker = std::make_unique<Worker>(deps, std::move(options));

  log::info(
      "smtp", "outbound queue {}: {}", (config.data_dir / "queue").string(),
      config.outbound.relay ? "relay " + config.outbound.relay->text : std::string("MX lookup"));
  runtime.spawn(run_worker(state), "outbound queue worker");
  return std::make_unique<OutboundService>(std::move(state));
}

}  // namespace postamt::queue
