#include "app/engine_pop3.h"

#include <memory>

#include "app/serve_context.h"
#include "pop3/session/session.h"

namespace postamt::app {
namespace {
// One table for the whole process (pop3 and pop3s listeners alike); it lives as long
// as the process, so it outlives every session.
pop3::MaildropLocks& maildrop_locks() {
  static pop3::MaildropLocks locks;
  return locks;
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
  services->locks = &maildrop_locks();
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
