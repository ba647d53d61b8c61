#include "app/services.h"

#include <array>

namespace postamt::app {

std::span<const ServiceEngine> service_engines() {
  // Protocol issues add their engines here as they land (SMTP, POP3, IMAP, JMAP).
  static const std::array<ServiceEngine, 0> engines{};
  return engines;
}

const ServiceEngine* find_service_engine(std::string_view name) {
  for (const auto& e : service_engines())
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace postamt::app
