// The IMAP engine's row in the service table (services.cpp): "imap" (plaintext with
// STARTTLS) and "imaps" (implicit TLS, RFC 8314) share this handler; serve picks the
// TLS mode from [listen].
#pragma once

#include "net/server.h"

namespace postamt::app {

struct ServeContext;

// Returns the handler for every IMAP connection, with the [imap] limits. `context` must
// outlive the handler and every session it starts (serve() guarantees that).
net::Handler make_imap_handler(ServeContext& context);

}  // namespace postamt::app
