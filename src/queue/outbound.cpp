#include "queue/outbound.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/log.h"
#include "base/unique_fd.h"
#include "queue/mta_sts.h"
#include "queue/mta_sts_fetch.h"
#include "queue/store_queue.h"
#include "queue/tls_report.h"

// See smtp/client/client.cpp: g++ 12 false positive on Asio's coroutine frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace postamt::queue {
namespace {

// The worker's view of MTA-STS (tls_policy.h) over the policy cache (mta_sts.h): a policy
// in mode "none" is no policy (RFC 8461 §5).
class CachedStsPolicies final : public StsPolicySource {
 public:
  explicit CachedStsPolicies(std::unique_ptr<mta_sts::PolicyCache> cache)
      : cache_(std::move(cache)) {}

  net::awaitable<Result<std::optional<Policy>>> lookup(std::string domain) override {
    // The awaitable first: g++ 12 may destroy a temporary inside co_await twice
    // (docs/architecture.md).
    auto lookup = cache_->lookup(std::move(domain));
    auto found = co_await std::move(lookup);
    if (!found) co_return found.error();
    if (!*found || (*found)->mode == mta_sts::Mode::none) co_return std::nullopt;
    Policy policy;
    policy.mode = (*found)->mode == mta_sts::Mode::enforce ? StsMode::enforce : StsMode::testing;
    policy.mx_matches = [p = **found](std::string_view host) {
      return mta_sts::mx_matches(p, host);
    };
    co_return policy;
  }

 private:
  std::unique_ptr<mta_sts::PolicyCache> cache_;
};

net::awaitable<void> write_tls_report(std::shared_ptr<TlsReportLog> log, TlsReportEntry entry,
                                      net::Runtime* runtime) {
  co_await runtime->run_blocking([&log, &entry] { log->record(entry); });
}

// The worker's TLS outcomes (tls_policy.h) as TLS-RPT data (tls_report.h). The file write
// goes to the blocking pool: record() is called on the network executor.
class TlsReportWriter final : public TlsAttemptSink {
 public:
  TlsReportWriter(std::shared_ptr<TlsReportLog> log, net::Runtime& runtime)
      : log_(std::move(log)), runtime_(runtime) {}

  void record(const TlsAttempt& a) override {
    TlsReportEntry e;
    e.domain = a.domain;
    e.policy_type = a.policy_type;
    e.mx_host = a.mx_host;
    e.address = a.address;
    e.success = a.success;
    e.failure = a.failure;
    e.detail = a.detail;
    runtime_.spawn(write_tls_report(log_, std::move(e), &runtime_), "tls-rpt record");
  }

 private:
  std::shared_ptr<TlsReportLog> log_;
  net::Runtime& runtime_;
};

// Holds the state alive for as long as the worker coroutine runs.
net::awaitable<void> run_worker(std::shared_ptr<OutboundService::State> state) {
  co_await state->worker->run();
}

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
                                                        delivery::Services local,
                                                        std::shared_ptr<dns::Resolver> resolver,
                                                        Clock clock) {
  auto state = std::make_shared<OutboundService::State>();
  const bool in_database = config.storage.backend == "postgres";
  if (in_database) {
    // Several nodes share one queue: it lives in the database (store_queue.h).
    if (!local.store)
      return Error{ErrorKind::invalid, "start_outbound: the database queue needs the store"};
    state->queue = std::make_unique<StoreQueue>(*local.store, std::move(clock));
  } else {
    auto q = FileQueue::open(config.data_dir / "queue", std::move(clock));
    POSTAMT_TRY(q);
    state->queue = std::move(*q);
  }

  if (!resolver) return Error{ErrorKind::invalid, "start_outbound: no resolver"};
  state->resolver = std::move(resolver);

  // The trust store for verified deliveries; each delivery's check is its own (worker.h).
  auto tls =
      net::TlsClientContext::create(net::TlsVerify::verify, config.outbound.ca_file.string());
  POSTAMT_TRY(tls);

  WorkerOptions options;
  options.hostname = config.hostname;
  options.retry.max_age = config.outbound.max_age;
  options.claim_lease = config.outbound.claim_lease;
  options.tls = *tls;
  options.tls_policy = tls_policy_config(config);
  POSTAMT_TRY(relay_settings(config, options));
  if (config.outbound.relay)
    options.route.relay = std::pair{config.outbound.relay->host, config.outbound.relay->port};
  WorkerDeps deps{state->queue.get(), state->resolver.get(), &runtime, local};
  // MTA-STS (RFC 8461): policies fetched over HTTPS with the same trust store, cached
  // under data_dir/mta-sts; TLS-RPT data (RFC 8460) under data_dir/tls-rpt.
  mta_sts::HttpsFetchOptions fetch_options;
  fetch_options.ca_file = config.outbound.ca_file.string();
  fetch_options.max_policy_bytes = config.outbound.mta_sts_max_policy_bytes;
  fetch_options.timeout = config.outbound.mta_sts_timeout;
  auto fetch = mta_sts::make_https_fetch(std::move(fetch_options));
  POSTAMT_TRY(fetch);
  mta_sts::Limits sts_limits;
  sts_limits.max_policy_bytes = config.outbound.mta_sts_max_policy_bytes;
  state->sts = std::make_unique<CachedStsPolicies>(std::make_unique<mta_sts::PolicyCache>(
      config.data_dir / "mta-sts", *state->resolver, std::move(*fetch), system_clock_now,
      sts_limits, &runtime));
  deps.sts = state->sts.get();
  state->tls_reports = std::make_unique<TlsReportWriter>(
      std::make_shared<TlsReportLog>(config.data_dir / "tls-rpt"), runtime);
  deps.tls_reports = state->tls_reports.get();
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
      "smtp", "outbound queue {}: {}",
      in_database ? std::string("in the database") : (config.data_dir / "queue").string(),
      config.outbound.relay ? "relay " + config.outbound.relay->text : std::string("MX lookup"));
  runtime.spawn(run_worker(state), "outbound queue worker");
  return std::make_unique<OutboundService>(std::move(state));
}

}  // namespace postamt::queue
