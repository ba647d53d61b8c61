#include "app/first_start.h"

#include <fmt/format.h>

#include "base/ip_network.h"
#include "base/strings.h"

namespace postamt::app {

bool is_loopback_host(std::string_view host) {
  if (iequals(host, "localhost")) return true;
  // RFC 1122 §3.2.1.3 (127/8) and RFC 4291 §2.5.3 (::1); contains() matches
  // "::ffff:127.x.y.z" as its IPv4 address.
  static const IpNetwork v4 = *IpNetwork::parse("127.0.0.0/8");
  static const IpNetwork v6 = *IpNetwork::parse("::1/128");
  return v4.contains(host) || v6.contains(host);
}

ListenPlan plan_listeners(const Config& config, LocalDomains domains) {
  ListenPlan plan;
  for (ServiceListen service : config.services()) {
    if (domains == LocalDomains::none) {
      std::vector<ListenAddress> kept;
      for (auto& address : service.addresses) {
        if (is_loopback_host(address.host))
          kept.push_back(std::move(address));
        else
          plan.skipped.push_back(fmt::format("listen.{} {}", service.name, address.text));
      }
      service.addresses = std::move(kept);
    }
    plan.services.push_back(std::move(service));
  }
  return plan;
}

std::string first_start_warning(const ListenPlan& plan) {
  if (plan.skipped.empty()) return {};
  std::string list;
  for (const auto& s : plan.skipped) list += (list.empty() ? "" : ", ") + s;
  return fmt::format(
      "no local domain yet: listening on loopback addresses only, not on {}; "
      "add one with `postamt domain add DOMAIN`, then restart the server "
      "(`systemctl restart postamt`)",
      list);
}

}  // namespace postamt::app
