#include "app/engine_imap.h"

#include <memory>

#include "app/serve_context.h"
#include "imap/session/session.h"

namespace postamt::app {
namespace {

net::awaitable<void> serve_imap(std::unique_ptr<net::Connection> connection,
                                net::SessionContext context,
                                std::shared_ptr<const imap::Services> services) {
  auto session = imap::run_session(*connection, std::move(context), services.get());
  co_await std::move(session);
}

}  // namespace

net::Handler make_imap_handler(ServeContext& context) {
  auto services = std::make_shared<imap::Services>();
  services->runtime = context.runtime;
  services->store = context.store;
  services->blobs = context.blobs;
  services->auth_failures = context.auth_failures;
  services->downloads = context.downloads;
  services->watch = context.watch;
  services->plaintext = context.config->auth.plaintext;
  services->starttls =
      context.tls ? imap::StartTlsSupport::available : imap::StartTlsSupport::unavailable;
  const Config::Imap& limits = context.config->imap;
  services->limits.max_bad_commands = limits.max_bad_commands;
  services->limits.idle_timeout_authenticated = limits.idle_timeout;
  services->limits.login_timeout = context.config->limits.login_timeout;
  services->limits.line_timeout = context.config->limits.line_timeout;
  services->limits.authenticated.max_line = limits.max_line;
  services->limits.authenticated.max_literal = limits.max_literal;
  // A command may carry one literal of max_literal plus its lines.
  services->limits.authenticated.max_command =
      std::max(services->limits.authenticated.max_command, limits.max_literal + limits.max_line);
  std::shared_ptr<const imap::Services> shared = std::move(services);
  return [shared](std::unique_ptr<net::Connection> connection, net::SessionContext session) {
    return serve_imap(std::move(connection), std::move(session), shared);
  };
}

}  // namespace postamt::app
