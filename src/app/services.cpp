#include "app/services.h"

#include <vector>

#include "app/engine_http.h"
#include "app/engine_imap.h"
#include "app/engine_metrics.h"
#include "app/engine_pop3.h"
#include "app/engine_smtp.h"

namespace postamt::app {

// Protocol engines, one row each, in [listen] order. Each engine's make_handler lives
// in its own engine_<protocol>.cpp in this folder. Rows are added as engines land.
static const std::vector<ServiceEngine> kEngines = {
    {"smtp", &make_smtp_handler},
    {"submission", &make_submission_handler},
    {"submissions", &make_submission_handler},
    {"pop3", &make_pop3_handler},
    {"pop3s", &make_pop3_handler},
    {"imap", &make_imap_handler},
    {"imaps", &make_imap_handler},
    {"http", &make_http_handler},
    {"https", &make_http_handler},
    {"metrics", &make_metrics_handler},
};

std::span<const ServiceEngine> service_engines() {
  return kEngines;
}

const ServiceEngine* find_service_engine(std::string_view name) {
  for (const auto& e : service_engines())
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace postamt::app
