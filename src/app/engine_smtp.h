// The SMTP engine's rows in the service table (services.cpp): "smtp" is the MX listener
// (no AUTH required, relaying only when authenticated); "submission" (STARTTLS) and
// "submissions" (implicit TLS, RFC 8314) require AUTH before MAIL. serve picks the TLS
// mode from [listen].
#pragma once

#include "net/server.h"

namespace postamt::app {

struct ServeContext;

// Each returns the handler for every connection of its listener. `context` must outlive
// the handler and every session it starts (serve() guarantees that).
net::Handler make_smtp_handler(ServeContext& context);
net::Handler make_submission_handler(ServeContext& context);

}  // namespace postamt::app
