// `postamt dns lookup TYPE NAME` (docs/mail-authentication/dns.md): one lookup through the
// server's own resolver ([dns]), printed for an admin and for the tests.
//
// Output (stdout), one record a line, then "secure" or "insecure" (RFC 4033 §5: whether
// DNSSEC validated the answer):
//   mx    "10 mx.example.org" ("0 ." for a null MX, RFC 7505)
//   a     "192.0.2.1"          aaaa  "2001:db8::1"          ptr  "mail.example.org"
//   txt   the record's strings joined; octets outside printable ASCII and '\' written
//         as \DDD (decimal, RFC 1035 §5.1), so one record stays one line
//   tlsa  "3 1 1 <hex association data>" (RFC 6698 §2.2)
// Exit codes: 0 an answer (possibly no records: NODATA); 2 NXDOMAIN, with the line
// "NXDOMAIN"; 1 any other failure (SERVFAIL, timeout, unreachable, DNSSEC bogus, a bad
// name or type), the reason in `error` (printed on stderr by the CLI).
#pragma once

#include <string>
#include <string_view>

#include "dns/resolver.h"

namespace postamt::admin {

struct DnsLookupOutcome {
  int exit_code = 0;
  std::string output;  // for stdout, every line ending in "\n"
  std::string error;   // one line, no newline; empty on success and NXDOMAIN
};

// `type` is one of mx a aaaa txt ptr tlsa (ASCII case ignored). Blocking (network).
DnsLookupOutcome dns_lookup(dns::Resolver& resolver, std::string_view type, std::string_view name);

}  // namespace postamt::admin
