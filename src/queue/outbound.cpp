#include "queue/outbound.h"

#include "base/log.h"
#include "queue/dns.h"

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

// Stands in when no DNS server is known and a relay (an address literal) is used.
class NoResolver final : public Resolver {
 public:
  Result<std::vector<MxRecord>> mx(std::string_view) override {
    return Error{ErrorKind::temporary, "no DNS resolver configured"};
  }
  Result<std::vector<std::string>> addresses(std::string_view) override {
    return Error{ErrorKind::temporary, "no DNS resolver configured"};
  }
};

// The stub client behind the dns::Resolver interface route() uses, until the libunbound
// resolver replaces both: never DNSSEC-secure; only the lookups routing needs.
class StubAsDnsResolver final : public dns::Resolver {
 public:
  explicit StubAsDnsResolver(std::unique_ptr<queue::Resolver> stub) : stub_(std::move(stub)) {}
  Result<dns::Answer<dns::MxRecord>> mx(std::string_view name) override {
    auto r = stub_->mx(name);
    POSTAMT_TRY(r);
    dns::Answer<dns::MxRecord> answer;
    for (auto& m : *r) answer.records.push_back({m.preference, std::move(m.host)});
    return answer;
  }
  Result<dns::Answer<std::string>> a(std::string_view name) override { return query(name, 1); }
  Result<dns::Answer<std::string>> aaaa(std::string_view name) override { return query(name, 28); }
  Result<dns::Answer<std::string>> txt(std::string_view) override { return unsupported(); }
  Result<dns::Answer<std::string>> ptr(std::string_view) override { return unsupported(); }
  Result<dns::Answer<dns::TlsaRecord>> tlsa(std::string_view) override { return unsupported(); }

 private:
  Result<dns::Answer<std::string>> query(std::string_view name, uint16_t type) {
    auto* client = dynamic_cast<DnsClient*>(stub_.get());
    if (!client) return Error{ErrorKind::temporary, "no DNS resolver configured"};
    auto r = client->query(name, type);
    POSTAMT_TRY(r);
    return dns::Answer<std::string>{std::move(*r), false};
  }
  static Error unsupported() {
    return Error{ErrorKind::invalid, "the stub resolver looks up MX, A and AAAA only"};
  }
  std::unique_ptr<queue::Resolver> stub_;
};

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
                                                        delivery::Services local, Clock clock) {
  auto state = std::make_shared<OutboundService::State>();
  auto q = FileQueue::open(config.data_dir / "queue", std::move(clock));
  POSTAMT_TRY(q);
  state->queue = std::move(*q);

  std::unique_ptr<Resolver> stub;
  if (config.outbound.resolver) {
    stub =
        std::make_unique<DnsClient>(config.outbound.resolver->host, config.outbound.resolver->port);
  } else {
    auto system = DnsClient::from_resolv_conf();
    if (system) {
      stub = std::move(*system);
    } else {
      // Local mail must keep flowing on a host without DNS: remote mail is deferred
      // (and bounces after max_age) instead of the whole server refusing to start.
      if (!config.outbound.relay)
        log::warning("smtp",
                     "outbound: {}; mail for remote domains will be deferred until "
                     "outbound.resolver or outbound.relay is set",
                     system.error().message);
      stub = std::make_unique<NoResolver>();
    }
  }
  state->resolver = std::make_unique<StubAsDnsResolver>(std::move(stub));

  auto tls = net::TlsClientContext::create(net::TlsVerify::opportunistic);
  POSTAMT_TRY(tls);

  WorkerOptions options;
  options.hostname = config.hostname;
  options.retry.max_age = config.outbound.max_age;
  options.tls = *tls;
  if (config.outbound.relay)
    options.route.relay = std::pair{config.outbound.relay->host, config.outbound.relay->port};
  WorkerDeps deps{state->queue.get(), state->resolver.get(), &runtime, local};
  state->worker = std::make_unique<Worker>(deps, std::move(options));

  log::info(
      "smtp", "outbound queue {}: {}", (config.data_dir / "queue").string(),
      config.outbound.relay ? "relay " + config.outbound.relay->text : std::string("MX lookup"));
  runtime.spawn(run_worker(state), "outbound queue worker");
  return std::make_unique<OutboundService>(std::move(state));
}

}  // namespace postamt::queue
