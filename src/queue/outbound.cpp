#include "queue/outbound.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/log.h"
#include "base/unique_fd.h"
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

TlsMode tls_mode(OutboundTls t) {
  switch (t) {
    case OutboundTls::opportunistic:
      return TlsMode::opportunistic;
    case OutboundTls::verify:
      return TlsMode::verify;
    case OutboundTls::dane:
      break;
  }
  return TlsMode::dane;
}

}  // namespace

TlsPolicyConfig tls_policy_config(const Config& config) {
  TlsPolicyConfig out;
  out.default_mode = tls_mode(config.outbound.tls);
  for (const auto& [domain, mode] : config.outbound.tls_policy)
    out.domains[domain] = tls_mode(mode);
  return out;
}

Result<std::string> read_relay_password(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0)
    return Error{ErrorKind::io, fmt::format("cannot read outbound.relay_password_file {}: {}",
                                            path.string(), std::strerror(errno))};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return Error{
        ErrorKind::invalid,
        fmt::format("outbound.relay_password_file {} is not a regular file", path.string())};
  if (st.st_mode & S_IRWXO)
    return Error{ErrorKind::invalid,
                 fmt::format("outbound.relay_password_file {} is accessible by others (mode {:o}); "
                             "chmod o= it",
                             path.string(), st.st_mode & 07777)};
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return Error{ErrorKind::io, fmt::format("cannot read outbound.relay_password_file {}: {}",
                                              path.string(), std::strerror(errno))};
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxRelayPassword)
      return Error{ErrorKind::invalid,
                   fmt::format("outbound.relay_password_file {} is longer than {} octets",
                               path.string(), kMaxRelayPassword)};
  }
  // One line: a final line end is not part of the password.
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.empty() || text.find_first_of(std::string_view("\0\r\n", 3)) != std::string::npos)
    return Error{
        ErrorKind::invalid,
        fmt::format("outbound.relay_password_file {} must hold one non-empty line", path.string())};
  return text;
}

Result<void> relay_settings(const Config& config, WorkerOptions& options) {
  const auto& o = config.outbound;
  if (!o.relay_username.empty()) {
    auto password = read_relay_password(o.relay_password_file);
    POSTAMT_TRY(password);
    options.relay_credentials = smtp::client::Credentials{o.relay_username, std::move(*password)};
  }
  options.relay_tls_required = o.relay_tls != RelayTls::unset || options.relay_credentials;
  options.relay_implicit_tls = o.relay_tls == RelayTls::implicit;
  return {};
}

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

  // The trust store for verified deliveries; each delivery's check is its own (worker.h).
  auto tls =
      net::TlsClientContext::create(net::TlsVerify::verify, config.outbound.ca_file.string());
  POSTAMT_TRY(tls);

  WorkerOptions options;
  options.hostname = config.hostname;
  options.retry.max_age = config.outbound.max_age;
  options.tls = *tls;
  options.tls_policy = tls_policy_config(config);
  POSTAMT_TRY(relay_settings(config, options));
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
