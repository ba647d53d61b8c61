#include "app/serve.h"

#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>

#include "app/backends.h"
#include "app/first_start.h"
#include "app/mail_auth.h"
#include "app/privileges.h"
#include "app/resolver.h"
#include "app/serve_context.h"
#include "app/services.h"
#include "blob/garbage.h"
#include "jmap/engine/push_sender.h"
#include "mdn/engine.h"
#include "mdn/received.h"
#include "mdn/submission.h"
#include "net/runtime.h"
#include "net/sd_notify.h"
#include "net/server.h"
#include "net/tls.h"
#include "queue/outbound.h"
#include "store/postgres/change_listener.h"
#include "vacation/responder.h"

namespace postamt::app {
namespace {

using namespace std::chrono_literals;

// Sessions get this long to finish after SIGTERM; the process exits within 5 seconds.
constexpr net::Duration kShutdownGrace = 3s;
// Blobs no message refers to are removed once they are this old (blob/garbage.h).
constexpr std::chrono::seconds kBlobGrace = 1h;
constexpr net::Duration kGarbageInterval = 1h;
// How often the store's data_version is read for idle sessions (IMAP IDLE): together
// with the IDLE poll interval it bounds how late an idle client hears of new mail.
constexpr net::Duration kStoreWatchInterval = 200ms;
// With PostgreSQL a ChangeListener hears every node's writes (NOTIFY postamt_change) and
// the watch polls when told; the timer is only the fallback for a lost listener. The
// tick is how often the watch looks at the listener's flag: no database work.
constexpr net::Duration kListenedStoreWatchInterval = 5s;
constexpr net::Duration kListenerTick = 20ms;
// Receipt work still queued at shutdown gets this long to finish; whatever has not
// started by then is abandoned (the ledger is written before a receipt is sent, so an
// abandoned receipt is lost, never duplicated).
constexpr std::chrono::milliseconds kReceiptGrace = 1500ms;

// The blocking work the receipt engine hands off (Engine::on_download must not block a
// network thread): each task runs on the runtime's blocking pool, and shutdown waits for
// the ones in flight. Thread-safe.
class ReceiptWork {
 public:
  explicit ReceiptWork(net::Runtime& runtime) : runtime_(runtime) {}

  // Schedules `work`; refused (logged) once finish() was called.
  void post(std::function<void()> work) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) {
        log::warning("mdn", "shutting down: receipt work not started");
        return;
      }
      ++pending_;
    }
    runtime_.spawn(run(this, std::move(work)), "receipt work");
  }

  // Stops accepting work and waits up to `grace` for the pending tasks; tasks that have
  // not started by then are skipped, and the ones running are waited for (they are
  // bounded store and disk calls). When it returns no task runs or will run any work,
  // so the engine and its store may go. Returns how many tasks were skipped.
  // Blocks: call it on a blocking thread while the runtime still runs.
  size_t finish(std::chrono::milliseconds grace) {
    std::unique_lock lock(mutex_);
    closed_ = true;
    done_.wait_for(lock, grace, [this] { return pending_ == 0; });
    abandoned_ = true;
    const size_t skipped = pending_ - running_;
    done_.wait(lock, [this] { return running_ == 0; });
    return skipped;
  }

 private:
  static net::awaitable<void> run(ReceiptWork* self, std::function<void()> work) {
    auto task = self->runtime_.run_blocking([self, work = std::move(work)] {
      {
        std::lock_guard lock(self->mutex_);
        if (self->abandoned_) {
          --self->pending_;
          return;
        }
        ++self->running_;
      }
      work();
      std::lock_guard lock(self->mutex_);
      --self->running_;
      --self->pending_;
      self->done_.notify_all();
    });
    co_await std::move(task);
  }

  net::Runtime& runtime_;
  std::mutex mutex_;
  std::condition_variable done_;
  size_t pending_ = 0;  // posted and not finished (includes running_)
  size_t running_ = 0;
  bool closed_ = false;
  bool abandoned_ = false;
};

// delivery::Services holds one observer; every local delivery is told to both of these.
// The vacation responder is set once the outbound queue it replies through exists, while
// the queue's worker may already deliver bounces: hence the atomic.
class DeliveryObservers final : public delivery::DeliveryObserver {
 public:
  explicit DeliveryObservers(delivery::DeliveryObserver* receipts) : receipts_(receipts) {}
  void set_vacation(delivery::DeliveryObserver* vacation) { vacation_.store(vacation); }
  void delivered(const delivery::DeliveredMessage& message) override {
    receipts_->delivered(message);
    if (auto* vacation = vacation_.load()) vacation->delivered(message);
  }

 private:
  delivery::DeliveryObserver* receipts_;
  std::atomic<delivery::DeliveryObserver*> vacation_{nullptr};
};

std::chrono::sys_seconds now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// `changed`: set by a ChangeListener when another write committed (nullptr without one):
// then the store is polled at once, else every kListenedStoreWatchInterval.
net::awaitable<void> watch_store_forever(ServeContext* ctx, mail::StoreWatch* watch,
                                         std::atomic<bool>* changed) {
  bool failing = false;
  for (;;) {
    if (changed) changed->store(false);
    // Named awaitable: g++ 12 mishandles temporaries inside a co_await expression.
    auto poll = ctx->runtime->run_blocking([watch] { return watch->poll(); });
    auto polled = co_await std::move(poll);
    // One warning per failure streak, not five a second.
    if (!polled && !failing)
      log::warning("master", "reading the store version failed: {}", polled.error().message);
    failing = !polled;
    if (!changed) {
      auto pause = net::sleep(kStoreWatchInterval);
      co_await std::move(pause);
      continue;
    }
    for (auto waited = net::Duration::zero();
         !changed->load() && waited < kListenedStoreWatchInterval; waited += kListenerTick) {
      auto tick = net::sleep(kListenerTick);
      co_await std::move(tick);
    }
  }
}

net::awaitable<void> collect_garbage_forever(ServeContext* ctx) {
  for (;;) {
    co_await net::sleep(kGarbageInterval);
    auto report = co_await ctx->runtime->run_blocking([ctx] {
      return blob::collect_garbage(*ctx->blobs, std::chrono::system_clock::now() - kBlobGrace,
                                   [ctx] { return ctx->store->referenced_blobs(); });
    });
    if (!report)
      log::warning("master", "blob garbage collection failed: {}", report.error().message);
    else if (report->blobs_removed || report->temporaries_removed)
      log::info("master", "blob garbage collection: removed {} blobs ({} bytes), {} temporaries",
                report->blobs_removed, report->bytes_removed, report->temporaries_removed);
  }
}

// The sender of JMAP push subscriptions (RFC 8620 §7.2) with the [http] push settings;
// null, with a warning, when its TLS settings cannot be made (no trust store, a bad
// push_ca_file): subscriptions are then kept but nothing is POSTed.
std::unique_ptr<jmap::PushSender> make_push_sender(const Config& config, net::Runtime& runtime,
                                                   store::Store& store,
                                                   const mail::StoreWatch* watch) {
  auto tls =
      net::TlsClientContext::create(net::TlsVerify::verify, config.http.push_ca_file.string());
  if (!tls) {
    log::warning("master", "push subscriptions: {}; nothing will be POSTed", tls.error().message);
    return nullptr;
  }
  jmap::PushSenderOptions options;
  options.client.tls = *tls;
  options.client.private_addresses = config.http.push_allow_private_addresses
                                         ? http::PrivateAddresses::allow
                                         : http::PrivateAddresses::refuse;
  options.client.limits.request_timeout = config.http.push_timeout;
  options.client.limits.connect_timeout =
      std::min<net::Duration>(options.client.limits.connect_timeout, config.http.push_timeout);
  options.client.limits.tls_timeout =
      std::min<net::Duration>(options.client.limits.tls_timeout, config.http.push_timeout);
  options.ttl = config.http.push_ttl;
  options.max_concurrent_posts = config.http.push_max_concurrent_posts;
  options.max_backoff = config.http.push_max_backoff;
  return std::make_unique<jmap::PushSender>(runtime, store, watch, std::move(options));
}

// Tells systemd (net/sd_notify.h); a failure is logged and changes nothing else.
void notify(const net::SystemdNotifier* systemd, const std::string& message) {
  if (auto sent = systemd->send(message); !sent)
    log::warning("master", "systemd notification failed: {}", sent.error().message);
}

// Waits for signals: SIGHUP reloads TLS, SIGTERM/SIGINT stop the server and runtime.
// systemd hears of both (docs/process.md): RELOADING=1 then READY=1 around a reload,
// STOPPING=1 when shutdown begins.
net::awaitable<void> main_loop(ServeContext* ctx, net::Server* server,
                               queue::OutboundService* outbound, ReceiptWork* receipts,
                               const net::SystemdNotifier* systemd) {
  for (;;) {
    auto signal = co_await ctx->runtime->wait_signal();
    if (!signal) {
      log::error("master", "cannot wait for signals: {}", signal.error().message);
      ctx->runtime->stop();
      co_return;
    }
    net::Signal s = *signal;
    if (s == net::Signal::hangup) {
      notify(systemd, net::reloading_message(net::monotonic_usec()));
      auto r = ctx->tls->reload();
      if (r) {
        log::info("master", "tls: reloaded certificate {} and key {}", ctx->tls->cert_path(),
                  ctx->tls->key_path());
        notify(systemd, net::reloaded_message("Serving; reloaded the TLS certificate and key"));
      } else {
        log::warning("master", "tls: reload failed, keeping the current certificate: {}",
                     r.error().message);
        notify(systemd,
               net::reloaded_message("Serving; TLS reload failed, kept the current certificate"));
      }
      continue;
    }
    notify(systemd, net::stopping_message(fmt::format(
                        "Shutting down ({})", s == net::Signal::terminate ? "SIGTERM" : "SIGINT")));
    log::info("master", "shutting down ({})", s == net::Signal::terminate ? "SIGTERM" : "SIGINT");
    size_t left = co_await server->stop(kShutdownGrace);
    if (left) log::warning("master", "{} sessions did not end in time", left);
    // No session is left to report downloads; let queued receipts finish (they may
    // still queue mail, so before the outbound service stops).
    auto drain = ctx->runtime->run_blocking([receipts] { return receipts->finish(kReceiptGrace); });
    size_t abandoned = co_await std::move(drain);
    if (abandoned)
      log::warning("mdn", "shutting down: {} pending receipts abandoned (none will be sent twice)",
                   abandoned);
    // The delivery worker finishes its current attempt; an interrupted one is retried
    // after the restart (the queue file stays until the attempt's outcome is recorded).
    outbound->stop();
    log::info("master", "stopped");
    ctx->runtime->stop();
    co_return;
  }
}

// Whether the store has a local domain yet (app/first_start.h), read before anything is
// bound: read-only, as [process] user when started as root (app/privileges.h), so that
// root opens nothing in data_dir and nothing is created there before the switch.
Result<LocalDomains> local_domains(const Config& config) {
  auto some = read_as_process_user(config, [&config] { return store_has_domain(config); });
  if (!some) return some.error();
  return *some ? LocalDomains::some : LocalDomains::none;
}

}  // namespace

std::vector<std::string> config_warnings(const Config& config) {
  std::vector<std::string> out;
  for (const auto& s : config.services()) {
    if (!s.addresses.empty() && !find_service_engine(s.name))
      out.push_back(fmt::format(
          "{}: listen.{}: this version of Postamt has no {} service yet; it will not listen",
          config.file.string(), s.name, s.name));
  }
  return out;
}

int serve(const Config& config) {
  // glibc returns freed memory at the top of the heap once more than 128 KiB is free, so
  // every command that builds a few hundred KiB of answer (FETCH 1:* FLAGS) grew the
  // heap again, page by page: a fifth of that command's time in perf. Keep up to
  // kTrimThreshold free before giving it back. Setting it freezes glibc's mmap threshold
  // at 128 KiB, which would map (and unmap, with a TLB shootdown on every core) each
  // message buffer that blob::map_file reads; so allocations are mapped only above
  // kMmapThreshold, beyond blob::kReadInsteadOfMap.
  constexpr int kTrimThreshold = 8 * 1024 * 1024;
  constexpr int kMmapThreshold = 4 * 1024 * 1024;
  ::mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  ::mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  log::configure(config.hostname, config.log_level, config.log_format);
  for (const auto& w : config_warnings(config)) log::warning("master", "{}", w);

  // Privileges (docs/process.md, "postamt serve started as root"): data_dir is made the
  // user's, the store is read as the user for the first-start guard, the listeners are
  // bound while the process may still bind ports below 1024; then it becomes [process]
  // user before it opens the store or starts a thread, so that everything it creates
  // belongs to that user and every thread inherits PR_SET_NO_NEW_PRIVS and the empty
  // capability sets.
  auto identity = check_serve_identity(config, ::geteuid());
  if (!identity) {
    log::error("master", "{}", identity.error().message);
    return 1;
  }
  if (!identity->empty()) log::warning("master", "{}", *identity);
  // Connected now: systemd's socket may not be writable by the user dropped to.
  auto systemd = net::SystemdNotifier::from_environment();
  if (!systemd) {
    log::error("master", "{}", systemd.error().message);
    return 1;
  }
  struct Bound {
    std::string_view service;
    ServiceTls tls;
    const ServiceEngine* engine;
    net::ListeningSocket socket;
  };
  // The first-start guard (app/first_start.h) decides what is bound at all, so the store
  // is read before binding, as the user (data_dir is the user's first); public addresses
  // it leaves out are never bound.
  auto prepared = prepare_data_dir(config);
  if (!prepared) {
    log::error("master", "{}", prepared.error().message);
    return 1;
  }
  auto domains = local_domains(config);
  if (!domains) {
    log::error("master", "cannot open the store: {}", domains.error().message);
    return 1;
  }
  const ListenPlan plan = plan_listeners(config, *domains);
  std::vector<Bound> bound;
  for (const auto& s : plan.services) {
    const ServiceEngine* engine = find_service_engine(s.name);
    if (!engine) continue;
    for (const auto& addr : s.addresses) {
      auto socket = net::ListeningSocket::bind(addr.text);
      if (!socket) {
        log::error("master", "listen.{}: {}: {}", s.name, addr.text, socket.error().message);
        return 1;
      }
      bound.push_back(Bound{s.name, s.tls, engine, std::move(*socket)});
    }
  }
  auto became = become_process_user(config, ProcessRole::server);
  if (!became) {
    log::error("master", "{}", became.error().message);
    return 1;
  }
  if (!became->empty()) log::info("master", "{}{}", *became, *prepared);

  auto backends = open_backends(config);
  if (!backends) {
    log::error("master", "cannot open the store: {}", backends.error().message);
    return 1;
  }

  std::error_code ec;
  std::filesystem::create_directories(config.tls.certificate.parent_path(), ec);
  if (!ec) std::filesystem::create_directories(config.tls.private_key.parent_path(), ec);
  if (ec) {
    log::error("master", "tls: cannot create the folder for {}: {}",
               config.tls.private_key.string(), ec.message());
    return 1;
  }
  auto made = net::ensure_self_signed(config.tls.certificate.string(),
                                      config.tls.private_key.string(), config.hostname);
  if (!made) {
    log::error("master", "tls: {}", made.error().message);
    return 1;
  }
  if (*made == net::CertificateFiles::created)
    log::info("master", "tls: created a self-signed certificate for {} in {}", config.hostname,
              config.tls.certificate.string());
  auto tls =
      net::TlsContext::load(config.tls.certificate.string(), config.tls.private_key.string());
  if (!tls) {
    log::error("master", "tls: {}{}", tls.error().message,
               config.process.user.empty()
                   ? ""
                   : fmt::format(" (Postamt runs as {}, which must be able to read it)",
                                 config.process.user));
    return 1;
  }

  net::RuntimeOptions options;
  options.network_threads = 2;
  options.blocking_threads = 4;
  options.signals = net::SignalHandling::install;
  // Declared before the runtime so that they outlive its blocking pool. Receipt work
  // that was skipped at shutdown may still sit in the pool until the runtime is
  // destroyed; it touches only receipt_work then and runs no work.
  std::unique_ptr<mdn::ReceivedReceipts> received_receipts;
  std::unique_ptr<DeliveryObservers> delivery_observers;
  std::unique_ptr<vacation::Responder> vacation_responder;
  std::unique_ptr<mdn::Engine> receipt_engine;
  std::unique_ptr<mdn::ClientReceiptCheck> receipt_check;
  std::unique_ptr<ReceiptWork> receipt_work;
  std::unique_ptr<jmap::PushSender> push_sender;
  net::Runtime runtime(options);
  receipt_work = std::make_unique<ReceiptWork>(runtime);

  ServeContext ctx;
  ctx.config = &config;
  ctx.runtime = &runtime;
  ctx.store = backends->store.get();
  ctx.blobs = backends->blobs.get();
  ctx.tls = *tls;
  auth::FailureTracker auth_failures;
  ctx.auth_failures = &auth_failures;

  // Every delivery transaction records the read receipts that arrive for local users.
  received_receipts = std::make_unique<mdn::ReceivedReceipts>(*ctx.store, now_seconds);
  delivery_observers = std::make_unique<DeliveryObservers>(received_receipts.get());
  ctx.delivery = delivery::Services{ctx.store, ctx.blobs, nullptr, delivery_observers.get()};
  // One resolver for the whole process ([dns]): one cache, one validated chain.
  auto resolver = make_resolver(config);
  if (!resolver) {
    log::error("master", "{}", resolver.error().message);
    return 1;
  }
  ctx.resolver = *resolver;
  // The MX's checks of mail from outside (DKIM, SPF, ARC, DMARC) share it.
  auto mail_auth = make_mail_auth(config, ctx.resolver);
  if (!mail_auth) {
    log::error("master", "{}", mail_auth.error().message);
    return 1;
  }
  ctx.mail_auth = (*mail_auth)->checker();
  // Bounces for local senders are delivered the same way.
  auto outbound = queue::start_outbound(config, runtime, ctx.delivery, ctx.resolver);
  if (!outbound) {
    log::error("master", "outbound queue: {}", outbound.error().message);
    return 1;
  }
  ctx.delivery.outbound = outbound->get();
  // Vacation replies (src/vacation) go out through the same transaction, on the blocking
  // pool like the receipt work.
  vacation::ResponderDependencies vacation_deps;
  vacation_deps.delivery = ctx.delivery;
  vacation_deps.hostname = config.hostname;
  vacation_deps.now = now_seconds;
  vacation_deps.random_token = [] {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{:016x}{:016x}", rng(), rng());
  };
  vacation_deps.run_blocking = [work_queue = receipt_work.get()](std::function<void()> work) {
    work_queue->post(std::move(work));
  };
  vacation_responder = std::make_unique<vacation::Responder>(std::move(vacation_deps));
  delivery_observers->set_vacation(vacation_responder.get());
  mail::StoreWatch watch(*ctx.store);
  ctx.watch = &watch;
  push_sender = make_push_sender(config, runtime, *ctx.store, &watch);
  ctx.push = push_sender.get();

  mdn::EngineDependencies engine_deps;
  engine_deps.delivery = ctx.delivery;
  engine_deps.server_policy = config.receipts;
  engine_deps.hostname = config.hostname;
  engine_deps.now = now_seconds;
  engine_deps.random = [] {
    static thread_local std::mt19937 rng{std::random_device{}()};
    return static_cast<uint32_t>(rng());
  };
  engine_deps.run_blocking = [work_queue = receipt_work.get()](std::function<void()> work) {
    work_queue->post(std::move(work));
  };
  receipt_engine = std::make_unique<mdn::Engine>(std::move(engine_deps));
  ctx.downloads = receipt_engine.get();
  mdn::SubmissionDependencies check_deps;
  check_deps.store = ctx.store;
  check_deps.blobs = ctx.delivery.blobs;
  check_deps.hostname = config.hostname;
  check_deps.server_policy = config.receipts;
  check_deps.now = now_seconds;
  receipt_check = std::make_unique<mdn::ClientReceiptCheck>(std::move(check_deps));
  ctx.submission_check = receipt_check.get();

  net::Limits limits;
  limits.max_connections_per_ip = config.limits.connections_per_ip;
  limits.max_connections_per_service = config.limits.connections_per_service;
  limits.max_connections = config.limits.connections;
  net::Server server(runtime, limits, ctx.tls);

  if (!plan.skipped.empty()) log::warning("master", "{}", first_start_warning(plan));
  size_t listeners = 0;
  for (Bound& b : bound) {
    auto added = server.add_listener(
        std::string(b.service), std::move(b.socket),
        b.tls == ServiceTls::implicit ? net::TlsMode::implicit : net::TlsMode::plain,
        b.engine->make_handler(ctx));
    if (!added) {
      log::error("master", "listen.{}: {}", b.service, added.error().message);
      return 1;
    }
    ++listeners;
  }

  runtime.spawn(main_loop(&ctx, &server, outbound->get(), receipt_work.get(), &*systemd),
                "main loop");
  runtime.spawn(collect_garbage_forever(&ctx), "blob garbage collection");
  // PostgreSQL: hear the writes of every node instead of polling the database 5 times a
  // second. Without a listener (it could not connect) the watch keeps the fast poll.
  std::atomic<bool> store_changed{true};
  std::unique_ptr<store::postgres::ChangeListener> listener;
  if (config.storage.backend == "postgres") {
    auto options = postgres_options(config);
    auto started = options
                       ? store::postgres::ChangeListener::start(
                             *options, [&store_changed] { store_changed = true; })
                       : Result<std::unique_ptr<store::postgres::ChangeListener>>(options.error());
    if (started)
      listener = std::move(*started);
    else
      log::warning("master", "cannot listen for store changes, polling instead: {}",
                   started.error().message);
  }
  runtime.spawn(watch_store_forever(&ctx, &watch, listener ? &store_changed : nullptr),
                "store watch");
  if (push_sender) runtime.spawn(push_sender->run(), "push sender");
  log::info("master", "started: postamt {} with {} listeners, data in {}", POSTAMT_VERSION,
            listeners, config.data_dir.string());
  // Before the threads start, so that no STOPPING=1 can overtake it. Listeners are bound
  // (connections wait in their backlog) and the store is open.
  notify(&*systemd, net::ready_message(fmt::format("Serving: {} listeners, data in {}", listeners,
                                                   config.data_dir.string()),
                                       ::getpid()));
  runtime.start();
  runtime.join();
  // The store watch, the context and the server below the runtime go out of scope next;
  // a blocking task still running (a store poll at SIGTERM) must finish first.
  runtime.stop_blocking();
  return 0;
}

}  // namespace postamt::app
