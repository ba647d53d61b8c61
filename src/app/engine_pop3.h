// The POP3 engine's row in the service table (services.cpp): "pop3" (plaintext with
// STLS) and "pop3s" (implicit TLS, RFC 8314) share this handler; serve picks the TLS
// mode from [listen].
#pragma once

#include "net/server.h"

namespace postamt::app {

struct ServeContext;

// Returns the handler for every POP3 connection. `context` must outlive the handler and
// every session it starts (serve() guarantees that). Called once per listener; all
// handlers share one process-wide maildrop lock table, so a session on pop3 and one on
// pop3s exclude each other, and the table claims each maildrop in the store, so that
// sessions on other nodes (processes) over the same database do too. The first call
// also starts the task that renews those claims every third of [storage] lease.
net::Handler make_pop3_handler(ServeContext& context);

}  // namespace postamt::app
