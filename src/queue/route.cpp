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

// The A then AAAA addresses of `host` as hops. `name_secure`: the step that led to this
// host (the MX answer) was secure; each hop is secure only if its own address answer was
// too. Errors: not_found only when both lookups say NXDOMAIN; otherwise the first
// temporary/invalid error, unless the other family answered.
Result<std::vector<Hop>> hops_of(const std::string& host, uint16_t port, bool name_secure,
                                 dns::Resolver& resolver) {
  std::vector<Hop> hops;
  auto v4 = resolver.a(host);
  auto v6 = resolver.aaaa(host);
  if (v4)
    for (const auto& a : v4->records) hops.push_back({host, a, port, name_secure && v4->secure});
  if (v6)
    for (const auto& a : v6->records) hops.push_back({host, a, port, name_secure && v6->secure});
  if (!hops.empty() || (v4 && v6)) return hops;
  // No address: report the more telling failure (a temporary one wins over NXDOMAIN).
  for (const auto* r : {&v4, &v6})
    if (!*r && (*r).error().kind != ErrorKind::not_found) return (*r).error();
  if (!v4) return v4.error();
  return v6.error();
}

}  // namespace

Result<std::vector<Hop>> route(const std::string& domain, const RouteOptions& options,
                               dns::Resolver& resolver) {
  std::vector<Hop> hops;
  if (options.relay) {
    const auto& [host, port] = *options.relay;
    if (is_ip_literal(host)) return std::vector<Hop>{{host, host, port}};
    // RFC 7672 §2.2.2: a configured relay is not subject to MX resolution; its address
    // answer alone decides whether DANE applies.
    auto relay_hops = hops_of(host, port, true, resolver);
    POSTAMT_TRY(relay_hops);
    if (relay_hops->empty())
      return Error{ErrorKind::temporary, fmt::format("relay {} has no address", host)};
    return relay_hops;
  }

  auto mx = resolver.mx(domain);
  if (!mx && mx.error().kind == ErrorKind::not_found)
    return Error{ErrorKind::not_found, fmt::format("{}: no such domain", domain)};
  POSTAMT_TRY(mx);
  std::vector<dns::MxRecord> records = mx->records;
  if (records.size() == 1 && records[0].host.empty())
    return Error{ErrorKind::not_found, fmt::format("{} accepts no mail (null MX)", domain)};
  // RFC 7672 §2.2.1: DANE authenticates the next hop only when the MX records were
  // obtained securely. With no MX records, the domain is its own server (RFC 5321 §5.1
  // implicit MX) and RFC 7672 §2.2.2 lets its address answer decide.
  bool mx_secure = mx->secure;
  if (records.empty()) {
    records.push_back({0, domain});
    mx_secure = true;
  }
  // RFC 5321 §5.1: equal preferences in random order, then sorted by preference.
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::shuffle(records.begin(), records.end(), rng);
  std::stable_sort(
      records.begin(), records.end(),
      [](const dns::MxRecord& a, const dns::MxRecord& b) { return a.preference < b.preference; });

  std::optional<Error> last_error;
  for (const dns::MxRecord& r : records) {
    if (r.host.empty()) continue;
    if (hops.size() >= options.max_hops) break;
    auto host_hops = hops_of(r.host, options.smtp_port, mx_secure, resolver);
    if (!host_hops) {
      last_error = host_hops.error();
      continue;
    }
    for (auto& h : *host_hops)
      if (hops.size() < options.max_hops) hops.push_back(std::move(h));
  }
  if (!hops.empty()) return hops;
  if (last_error && last_error->kind == ErrorKind::temporary) return *last_error;
  return Error{ErrorKind::not_found, fmt::format("no mail server address for {}", domain)};
}

}  // namespace postamt::queue
