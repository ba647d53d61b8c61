// The first-start guard of `postamt serve`: a server whose store has no local domain yet
// (a fresh package install) listens on loopback addresses only, so that nothing answers
// on a public interface before the admin has said which mail it is for. Pure functions
// over the configuration; serve.cpp asks the store and logs the warning.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"

namespace postamt::app {

// Whether the store has at least one local domain (`postamt domain add`).
enum class LocalDomains { none, some };

// True for "localhost" (the listener binds it as 127.0.0.1) and for address literals in
// 127.0.0.0/8 or ::1, also written IPv4-mapped ("::ffff:127.0.0.1"). Everything else,
// the wildcards "0.0.0.0" and "::" included, is public.
bool is_loopback_host(std::string_view host);

struct ListenPlan {
  // config.services() in their order, with the addresses to bind.
  std::vector<ServiceListen> services;
  // "listen.smtp 0.0.0.0:25" for each address left out, in the same order.
  std::vector<std::string> skipped;
};

// With LocalDomains::some, every configured address; with none, only the loopback ones.
ListenPlan plan_listeners(const Config& config, LocalDomains domains);

// The one warning logged when `plan.skipped` is not empty: names every skipped address
// and the commands that end the guard. Empty when nothing was skipped.
std::string first_start_warning(const ListenPlan& plan);

}  // namespace postamt::app
