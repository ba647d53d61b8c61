#include "queue/route.h"

#include <arpa/inet.h>

#include <fmt/format.h>
#include <algorithm>
#include <random>

namespace postamt::queue {
namespace {

bool is_ip_literal(const std::string& s) {
  unsigned char raw[16];
  return inet_pton(AF_INET, s.c_str(), raw) == 1 || inet_pton(AF_INET6, s.c_str(), raw) == 1;
}

}  // namespace

Result<std::vector<Hop>> route(const std::string& domain, const RouteOptions& options,
                               Resolver& resolver) {
  std::vector<Hop> hops;
  if (options.relay) {
    const auto& [host, port] = *options.relay;
    if (is_ip_literal(host)) return std::vector<Hop>{{host, host, port}};
    auto addrs = resolver.addresses(host);
    POSTAMT_TRY(addrs);
    for (const auto& a : *addrs) hops.push_back({host, a, port});
    if (hops.empty())
      return Error{ErrorKind::temporary, fmt::format("relay {} has no address", host)};
    return hops;
  }

  auto mx = resolver.mx(domain);
  POSTAMT_TRY(mx);
  if (mx->size() == 1 && (*mx)[0].host.empty())
    return Error{ErrorKind::not_found, fmt::format("{} accepts no mail (null MX)", domain)};
  std::vector<MxRecord> records = *mx;
  if (records.empty()) records.push_back({0, domain});  // RFC 5321 §5.1 implicit MX
  // RFC 5321 §5.1: equal preferences in random order, then sorted by preference.
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::shuffle(records.begin(), records.end(), rng);
  std::stable_sort(records.begin(), records.end(), [](const MxRecord& a, const MxRecord& b) {
    return a.preference < b.preference;
  });

  std::optional<Error> last_error;
  for (const MxRecord& r : records) {
    if (r.host.empty()) continue;
    auto addrs = resolver.addresses(r.host);
    if (!addrs) {
      last_error = addrs.error();
      continue;
    }
    for (const auto& a : *addrs)
      if (hops.size() < options.max_hops) hops.push_back({r.host, a, options.smtp_port});
  }
  if (!hops.empty()) return hops;
  if (last_error && last_error->kind == ErrorKind::temporary) return *last_error;
  return Error{ErrorKind::not_found, fmt::format("no mail server address for {}", domain)};
}

}  // namespace postamt::queue
