// The checks the SMTP MX runs on every message from outside (issue 19;
// docs/mail-authentication.md): DKIM (RFC 6376), SPF (RFC 7208), ARC (RFC 8617) and
// DMARC (RFC 7489) over one resolver, summed up in one Authentication-Results field
// (RFC 8601) and one decision:
//   accept      deliver as usual;
//   quarantine  the From domain failed DMARC and asks for quarantine: deliver to Junk;
//   reject      ... and asks for reject: "550 5.7.1";
//   defer       the From domain asks for quarantine or reject, and a DNS failure on that
//               domain's own SPF or DKIM left DMARC at temperror: "451 4.7.1", the
//               sender retries.
// A message whose author domain is ambiguous or unusable (RFC 7489 §6.6.1: several From
// fields or addresses, a domain literal, a domain that is no host name) is rejected too:
// DMARC could not protect the domain otherwise. One naming no domain (no From, no
// address) impersonates nobody and is accepted with dmarc=permerror.
// DMARC's "none" policy, a pct sample that spares the message, a DMARC temperror or
// permerror, and a failure that an ARC chain sealed by a trusted forwarder vouches for
// (RFC 7489 §6.7 local policy, RFC 8617 §7.2.1: the chain passes, its newest seal is by
// a trusted domain, and that sealer's ARC-Authentication-Results recorded a DMARC pass
// or an aligned DKIM or SPF pass for the From domain) all accept. With
// Settings::enforce_dmarc false every message is accepted and the header still tells.
//
// Threads: check() blocks (DNS); call it on the blocking pool. Thread-safe when the
// resolver and the aggregate log are.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/resolver.h"
#include "mailauth/arc/verify.h"
#include "mailauth/dkim/verify.h"
#include "mailauth/dmarc/aggregate.h"
#include "mailauth/dmarc/dmarc.h"
#include "mailauth/spf/spf.h"

namespace postamt::mailauth {

struct Settings {
  std::string authserv_id;  // the MX's host name: names our Authentication-Results
  bool enforce_dmarc = true;
  // Forwarders (ARC-Seal d= domains) whose passing ARC chain overrides a DMARC failure.
  std::vector<std::string> trusted_arc_sealers;
  // Named limits (docs/configuration.md [mailauth]): all DNS lookups of one message
  // must be started within max_time (later ones fail as temporary); a header larger
  // than max_header_bytes is not DKIM- or ARC-verified (its signatures count as failed).
  std::chrono::seconds max_time{30};
  size_t max_header_bytes = 1024 * 1024;
  dkim::VerifyLimits dkim;
  spf::Limits spf;
  arc::Limits arc;
};

struct Inbound {
  std::string ip;            // the SMTP client's address
  std::string helo;          // its EHLO/HELO argument
  std::string sender;        // MAIL FROM, "" = null reverse path
  std::string_view message;  // as received (CRLF), before our Received field
};

enum class Action { accept, quarantine, reject, defer };
std::string_view to_string(Action action);

struct Decision {
  Action action = Action::accept;
  std::string header;   // "Authentication-Results: ...\r\n", to prepend
  std::string summary;  // one line for the log: "dkim=pass spf=fail dmarc=fail ... action=..."
  std::string reason;   // for the reply text of reject and defer
};

class Checker {
 public:
  // `reports` may be null (no aggregate data). `sample` returns a value in [0, 100) for
  // DMARC's pct (empty: a random one). `now` is the clock for signature expiry.
  Checker(dns::Resolver& dns, const dmarc::PublicSuffixList& psl, dmarc::AggregateLog* reports,
          Settings settings, std::function<int()> sample = {},
          std::function<std::chrono::system_clock::time_point()> now = {});

  Decision check(const Inbound& inbound) const;

  const Settings& settings() const { return settings_; }

 private:
  dns::Resolver& dns_;
  const dmarc::PublicSuffixList& psl_;
  dmarc::AggregateLog* reports_;
  Settings settings_;
  std::function<int()> sample_;
  std::function<std::chrono::system_clock::time_point()> now_;
};

}  // namespace postamt::mailauth
