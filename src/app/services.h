// The protocol engines this build can serve, by [listen] key. serve binds only the
// services listed here; a configured service that is not listed is reported and left
// unbound (config check warns about it too), never answered by something pretending
// to be it.
#pragma once

#include <span>
#include <string_view>

#include "net/server.h"

namespace postamt::app {

struct ServeContext;  // serve.cpp

struct ServiceEngine {
  std::string_view name;  // [listen] key: "smtp", "imaps", ...
  net::Handler (*make_handler)(ServeContext& context);
};

// Engines available in this build, in [listen] order.
std::span<const ServiceEngine> service_engines();
const ServiceEngine* find_service_engine(std::string_view name);

}  // namespace postamt::app
