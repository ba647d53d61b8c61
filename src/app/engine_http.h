// The HTTP engine's row in the service table (services.cpp): "http" (plaintext, for
// loopback or behind a proxy) and "https" (implicit TLS with the server's certificate)
// serve JMAP (src/jmap/engine), the webmail (src/webmail) and client autoconfiguration
// (src/autoconfig) through the HTTP/1.1 session (src/http).
#pragma once

#include "net/server.h"

namespace postamt::app {

struct ServeContext;

// One JMAP service and one HTTP configuration for the whole process, shared by every
// http and https listener. `context` must outlive the handler and its sessions.
net::Handler make_http_handler(ServeContext& context);

}  // namespace postamt::app
