// Where mail for a domain goes next (RFC 5321 §5.1): the configured relay, or the MX
// hosts of the domain in preference order (equal preferences in random order), or,
// with no MX records, the domain itself (implicit MX, A/AAAA). A null MX (RFC 7505) or a
// non-existent domain is a permanent failure.
//
// Threads: blocks (DNS); call on the blocking pool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "dns/resolver.h"

namespace postamt::queue {

struct Hop {
  std::string host;     // the name (for logs, SNI): MX host, relay host, or the domain
  std::string address;  // numeric address to connect to
  uint16_t port = 25;
  // DANE may apply to this hop (RFC 7672 §2.2.1-2.2.2): the MX answer was DNSSEC-secure
  // (or, with no MX, the implicit MX is the domain itself; for a relay there is no MX
  // step) AND the address answer this address came from was secure. Always false for a
  // relay given as an address literal.
  bool secure = false;
  bool operator==(const Hop&) const = default;
};

struct RouteOptions {
  std::optional<std::pair<std::string, uint16_t>> relay;  // host, port
  uint16_t smtp_port = 25;                                // port of MX hosts (tests change it)
  size_t max_hops = 10;                                   // addresses tried per attempt
};

// Errors: not_found (domain does not exist, null MX, no address at all: bounce),
// temporary (DNS failure, including a DNSSEC-bogus answer: retry later), invalid
// (malformed domain: bounce). Addresses of a host: IPv4 (A) first, then IPv6 (AAAA).
Result<std::vector<Hop>> route(const std::string& domain, const RouteOptions& options,
                               dns::Resolver& resolver);

}  // namespace postamt::queue
