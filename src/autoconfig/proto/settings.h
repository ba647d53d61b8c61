// What client autoconfiguration advertises (docs/protocols/autoconfig.md): the public host
// name and, per client service, the port and TLS mode clients should use. Derived from
// the configuration alone, so that the documents served over HTTP and the records
// `postamt dns records` prints always agree.
//
// Derivation, per service (imap, imaps, pop3, pop3s, submission, submissions, https):
// - no [listen] address: not advertised;
// - [autoconfig] <service>_port set: that port, 0 meaning "do not advertise";
// - otherwise the port of the service's first [listen] address, or the service's IANA
//   port (RFC 8314 §7, RFC 6186) when that address asks for port 0: a listener on port 0
//   has no port anyone could publish.
// Host name: [autoconfig] hostname, else the top-level hostname.
// A codec: pure, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/config.h"

namespace postamt::autoconfig {

enum class Protocol { imap, pop3, smtp };  // smtp: message submission (RFC 6409)

enum class Security {
  implicit_tls,  // TLS from the first octet (RFC 8314 §3): imaps, pop3s, submissions
  starttls,      // STARTTLS/STLS before authentication (RFC 3207, RFC 2595)
};

struct Endpoint {
  Protocol protocol;
  Security security;
  uint16_t port;
};

struct PublicServer {
  std::string hostname;
  // In order of preference: IMAP before POP3 (RFC 6186 §3.4 lets a site state one),
  // implicit TLS before STARTTLS within a protocol (RFC 8314 §3.3, §3.2).
  std::vector<Endpoint> endpoints;
  // The public port of the https listener (autodiscover SRV, MTA-STS); nullopt without one.
  std::optional<uint16_t> https_port;
  bool receives_mail = false;  // [listen] smtp has an address: this host is an MX

  // The endpoints of one protocol, in order of preference.
  std::vector<Endpoint> of(Protocol protocol) const;
  // The preferred endpoint of a protocol; nullopt when none is advertised.
  std::optional<Endpoint> preferred(Protocol protocol) const;
  // The advertised endpoint of one protocol and security mode.
  std::optional<Endpoint> find(Protocol protocol, Security security) const;
};

PublicServer public_server(const Config& config);

// The SRV service label of an endpoint kind (RFC 6186 §3, RFC 8314 §5.1): "imaps",
// "submission", ...
std::string_view service_name(Protocol protocol, Security security);

}  // namespace postamt::autoconfig
