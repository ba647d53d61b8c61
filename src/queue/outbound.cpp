#include "queue/outbound.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/log.h"
#include "base/unique_fd.h"

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
  auto q = FileQueue::open(config.data_dir / "queue", std::move(clock));
  POSTAMT_TRY(q);
  state->queue = std::move(*q);

  if (!resolver) return Error{ErrorKind::invalid, "start_outbound: no resolver"};
  state->resolver = std::move(resolver);

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
