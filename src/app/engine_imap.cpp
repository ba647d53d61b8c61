#include "app/engine_imap.h"

#include <memory>

#include "app/serve_context.h"
#include "base/strings.h"
#include "imap/session/session.h"

namespace postamt::app {
namespace {

// One of each for the whole process (imap and imaps listeners alike); they live as long
// as the process, so they outlive every session.
mail::ConnectionsPerUser& user_connections(size_t limit) {
  static mail::ConnectionsPerUser connections(limit);
  return connections;
}
net::MemoryBudget& command_memory(size_t limit) {
  static net::MemoryBudget budget(limit, 64 * 1024);
  return budget;
}

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
  services->limits.sort_cache = limits.sort_cache;
  services->utf8_accept = limits.utf8_accept;
  for (const std::string& admin : context.config->quota.admins)
    services->quota_admins.push_back(ascii_lower(admin));
  services->limits.notify_max_changes = limits.notify_max_changes;
  services->limits.idle_timeout_authenticated = limits.idle_timeout;
  services->limits.login_timeout = context.config->limits.login_timeout;
  services->limits.line_timeout = context.config->limits.line_timeout;
  services->limits.authenticated.max_line = limits.max_line;
  services->limits.authenticated.max_literal = limits.max_literal;
  services->limits.authenticated.max_inline_literal = limits.max_inline_literal;
  // A command holds its lines and inline literals; APPEND's message is streamed.
  services->limits.authenticated.max_command =
      std::max<uint64_t>(limits.max_command, limits.max_line + limits.max_inline_literal);
  services->user_connections = &user_connections(context.config->limits.connections_per_user);
  services->command_memory = &command_memory(limits.command_memory);
  std::shared_ptr<const imap::Services> shared = std::move(services);
  return [shared](std::unique_ptr<net::Connection> connection, net::SessionContext session) {
    return serve_imap(std::move(connection), std::move(session), shared);
  };
}

}  // namespace postamt::app
