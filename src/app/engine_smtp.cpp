#include "app/engine_smtp.h"

#include <memory>

#include "app/serve_context.h"
#include "smtp/server/session.h"

namespace postamt::app {
namespace {
net::Handler make_handler(ServeContext& context, smtp::server::Mode mode) {
  smtp::server::Services services;
  services.runtime = context.runtime;
  services.auth_failures = context.auth_failures;
  services.delivery = context.delivery;
  // The session consults it only in submission mode, for authenticated users.
  services.submission_check = context.submission_check;
  // The session runs them only in MX mode, on mail from outside.
  services.mail_auth = context.mail_auth;
  auto options = std::make_shared<smtp::server::Options>();
  options->mode = mode;
  options->hostname = context.config->hostname;
  options->plaintext = context.config->auth.plaintext;
  options->starttls =
      context.tls ? smtp::server::StartTlsOffer::offered : smtp::server::StartTlsOffer::unavailable;
  const Config::Smtp& limits = context.config->smtp;
  options->limits.max_message_size = limits.max_message_size;
  options->limits.max_recipients = limits.max_recipients;
  options->limits.max_errors = limits.max_errors;
  options->limits.max_received_headers = limits.max_received_headers;
  options->limits.command_timeout = limits.command_timeout;
  options->limits.data_timeout = limits.data_timeout;
  options->limits.line_timeout = context.config->limits.line_timeout;
  options->limits.bare_newline = limits.bare_newline == BareNewline::reject
                                     ? smtp::proto::BareLineEnds::reject
                                     : smtp::proto::BareLineEnds::normalize;
  options->trusted_networks = limits.trusted_networks;
  std::shared_ptr<const smtp::server::Options> shared = std::move(options);
  return [services, shared](std::unique_ptr<net::Connection> connection,
                            net::SessionContext session) {
    return smtp::server::run_session(std::move(connection), std::move(session), services, *shared);
  };
}

}  // namespace

net::Handler make_smtp_handler(ServeContext& context) {
  return make_handler(context, smtp::server::Mode::mx);
}

net::Handler make_submission_handler(ServeContext& context) {
  return make_handler(context, smtp::server::Mode::submission);
}

}  // namespace postamt::app
