// `postamt serve`: runs the server in the foreground until SIGTERM or SIGINT.
#pragma once

#include <string>
#include <vector>

#include "base/config.h"

namespace postamt::app {

// Returns the process exit code: 0 after a clean shutdown, 1 when start-up failed
// (the reason is logged). SIGHUP reloads the TLS certificate and key.
int serve(const Config& config);

// Warnings about a configuration that is valid but will not do what it says, e.g. a
// [listen] service this build has no engine for. One line each, for `config check`
// and the start-up log.
std::vector<std::string> config_warnings(const Config& config);

}  // namespace postamt::app
