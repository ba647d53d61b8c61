// A small stub DNS resolver (RFC 1035) for the queue's MX, A and AAAA lookups: one UDP
// query to one recursive server (config outbound.resolver, else the first nameserver
// of /etc/resolv.conf). Injected as the Resolver interface so routing is testable.
//
// Left out on purpose: TCP fallback for truncated answers (TC bit: the lookup fails
// as temporary), DNSSEC, search domains. Records are taken by type from the answer
// section, so CNAME chains that the recursive server resolved are followed.
//
// Threads: every call blocks (network); call on the blocking pool. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace postamt::queue {

struct MxRecord {
  uint16_t preference = 0;
  std::string host;  // lower-case, no trailing dot; "" for the null MX "." (RFC 7505)
  bool operator==(const MxRecord&) const = default;
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // MX records of `domain`. An existing name without MX records yields an empty vector.
  // Errors: not_found (NXDOMAIN), temporary (timeout, SERVFAIL, truncated, refused),
  // invalid (a malformed name or answer).
  virtual Result<std::vector<MxRecord>> mx(std::string_view domain) = 0;
  // Numeric IPv4 addresses (A) followed by IPv6 addresses (AAAA) of `host`; errors as
  // for mx(), not_found only when both lookups say NXDOMAIN.
  virtual Result<std::vector<std::string>> addresses(std::string_view host) = 0;
};

// Named limits (docs/architecture.md, Limits).
struct DnsOptions {
  std::chrono::milliseconds timeout = std::chrono::seconds(5);  // per try
  int tries = 2;
};

class DnsClient final : public Resolver {
 public:
  // `server` is an IPv4 or IPv6 literal.
  DnsClient(std::string server, uint16_t port, DnsOptions options = {});

  // The first "nameserver" line of `resolv_conf`. Errors: io (unreadable), not_found
  // (no nameserver line).
  static Result<std::unique_ptr<DnsClient>> from_resolv_conf(
      const std::string& resolv_conf = "/etc/resolv.conf", DnsOptions options = {});

  const std::string& server() const { return server_; }

  Result<std::vector<MxRecord>> mx(std::string_view domain) override;
  Result<std::vector<std::string>> addresses(std::string_view host) override;

  // One query; returns the raw answer records' RDATA of `type` (1 A, 28 AAAA, 15 MX,
  // MX already decoded to "pref host"). Exposed for tests.
  Result<std::vector<std::string>> query(std::string_view name, uint16_t type);

 private:
  std::string server_;
  uint16_t port_;
  DnsOptions options_;
};

// Reads the answer to a query for (`name`, `type`) whose id was already checked:
// rcode, then the RDATA of every answer record of `type` and class IN, as query()
// returns them. Errors as for query(): not_found (NXDOMAIN), temporary (truncated,
// other rcodes), invalid (malformed, including an MX host that is not a host name of
// letters, digits, '-' and '_'; never reads outside `answer`). Pure.
Result<std::vector<std::string>> parse_dns_answer(std::string_view answer, uint16_t type,
                                                  std::string_view name);

// Encodes a query (exposed for the tests' fake server). Errors: invalid name.
Result<std::string> encode_dns_query(uint16_t id, std::string_view name, uint16_t type);

}  // namespace postamt::queue
