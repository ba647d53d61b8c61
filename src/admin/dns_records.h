// `postamt dns records DOMAIN [--ipv4 A] [--ipv6 AAAA]`: the DNS records an admin publishes
// for a local domain served by this server (docs/protocols/autoconfig.md, DNS records):
// MX, the host's A/AAAA, RFC 6186/8314 SRV records, the autoconfiguration names, SPF,
// DKIM (one TXT record per key under data_dir/dkim/DOMAIN), DMARC, MTA-STS and TLS
// reporting, in zone-file syntax with a comment before each group
// saying why. Host names and ports come from autoconfig/settings.h, exactly as the HTTP
// documents advertise them.
#pragma once

#include <string>
#include <string_view>

#include "base/config.h"
#include "base/result.h"
#include "store/api/store.h"

namespace postamt::admin {

struct DnsRecordsRequest {
  std::string domain;  // a local domain, in ASCII (A-labels); case and a final dot ignored
  std::string ipv4;    // the host's IPv4 address, "" when not given
  std::string ipv6;    // the host's IPv6 address, "" when not given
};

// The records as text. Errors (one line): invalid for an address that is not one of its
// family, or a domain that is not ASCII; not_found "DOMAIN is not a local domain (...)"
// when the store does not list it; store errors as they come. Blocking.
Result<std::string> dns_records(store::Store& store, const Config& config,
                                const DnsRecordsRequest& request);

// The text for a domain already known to be local (no store involved). Errors: invalid,
// as above.
Result<std::string> render_dns_records(const Config& config, const DnsRecordsRequest& request);

}  // namespace postamt::admin
