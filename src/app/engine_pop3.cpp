#include "app/engine_pop3.h"

#include <chrono>
#include <memory>

#include "app/serve_context.h"
#include "base/log.h"
#include "pop3/session/session.h"

namespace postamt::app {
namespace {

// Renews this process's maildrop claims every third of the lease (and releases those a
// session could not release), so that they outlive only a dead process. A failure (the
// database unreachable) is logged once per streak; sessions keep their local locks.
net::awaitable<void> keep_maildrop_claims(net::Runtime* runtime, pop3::MaildropLocks* locks,
                                          net::Duration interval) {
  bool failing = false;
  for (;;) {
    auto pause = net::sleep(interval);
    co_await std::move(pause);
    auto task = runtime->run_blocking([locks] { return locks->maintain(); });
    auto kept = co_await std::move(task);
    if (!kept && !failing)
      log::warning("pop3",
                   "renewing the maildrop locks failed: {}; if this lasts longer than the lease, "
                   "other nodes may open maildrops this node has open",
                   kept.error().message);
    else if (kept && failing)
      log::info("pop3", "renewing the maildrop locks works again");
    failing = !kept;
  }
}

// One table for the whole process (pop3 and pop3s listeners alike), made by the first
// listener; it lives as long as the process, so it outlives every session and every
// guard. The lock is cluster-wide on every backend (pop3/session/maildrop_lock.h): a
// claim in the store, so that nodes over one PostgreSQL database, and processes over
// one SQLite file, exclude each other.
pop3::MaildropLocks& maildrop_locks(ServeContext& context) {
  static pop3::MaildropLocks* const locks = [&context] {
    const std::chrono::seconds lease = context.config->storage.lease;
    auto* made =
        new pop3::MaildropLocks(pop3::ClusterLock{context.store, pop3::cluster_owner_id(), lease});
    const net::Duration interval = std::chrono::duration_cast<net::Duration>(lease) / 3;
    context.runtime->spawn(keep_maildrop_claims(context.runtime, made, interval),
                           "maildrop lock renewal");
    return made;
  }();
  return *locks;
}

net::awaitable<void> serve_pop3(std::unique_ptr<net::Connection> connection,
                                net::SessionContext context,
                                std::shared_ptr<const pop3::Services> services) {
  auto session = pop3::run_session(*connection, std::move(context), services.get());
  co_await std::move(session);
}

}  // namespace

net::Handler make_pop3_handler(ServeContext& context) {
  auto services = std::make_shared<pop3::Services>();
  services->runtime = context.runtime;
  services->store = context.store;
  services->blobs = context.blobs;
  services->auth_failures = context.auth_failures;
  services->locks = &maildrop_locks(context);
  services->downloads = context.downloads;
  services->plaintext = context.config->auth.plaintext;
  services->stls = context.tls ? pop3::StlsSupport::available : pop3::StlsSupport::unavailable;
  services->limits.max_bad_commands = context.config->pop3.max_bad_commands;
  services->limits.idle_timeout = context.config->pop3.idle_timeout;
  services->limits.login_timeout = context.config->limits.login_timeout;
  services->limits.line_timeout = context.config->limits.line_timeout;
  std::shared_ptr<const pop3::Services> shared = std::move(services);
  return [shared](std::unique_ptr<net::Connection> connection, net::SessionContext session) {
    return serve_pop3(std::move(connection), std::move(session), shared);
  };
}

}  // namespace postamt::app
