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
#include "queue/dns.h"

namespace postamt::queue {

struct Hop {
  std::string host;     // the name (for logs, SNI): MX host, relay host, or the domain
  std::string address;  // numeric address to connect to
  uint16_t port = 25;
  bool operator==(const Hop&) const = default;
};

struct RouteOptions {
  std::optional<std::pair<std::string, uint16_t>> relay;  // host, port
  uint16_t smtp_port = 25;                                // port of MX hosts (tests change it)
  size_t max_hops = 10;                                   // addresses tried per attempt
};

// Errors: not_found (domain does not exist, null MX, no address at all: bounce),
// temporary (DNS failure: retry later), invalid (malformed domain: bounce).
Result<std::vector<Hop>> route(const std::string& domain, const RouteOptions& options,
                               Resolver& resolver);

}  // namespace postamt::queue
