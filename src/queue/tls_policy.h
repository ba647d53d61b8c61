// Outbound TLS policy: which TLS a delivery to one next hop needs (docs/mail-authentication/
// outbound-tls.md). decide_tls() is the pure decision table: the configured mode for the
// destination domain, the hop (Hop::secure), its TLSA answer and the domain's MTA-STS
// policy in, a TlsDecision out. The worker does the lookups and applies the decision.
//
//   mode           DANE usable (secure MX+address,   else MTA-STS enforce      else
//                  secure TLSA with usable records)
//   opportunistic  (not looked at)                   verify, skip MX not in    STARTTLS if offered
//   dane (default) dane (unusable only: encrypt)     the policy (RFC 8461 §4.1)
//   verify         (not looked at)                   verify, skip as above     verify
//
// MTA-STS testing mode: delivery as without a policy, with the certificate checked and
// the outcome only reported (RFC 8461 §5). A secure TLSA lookup that fails (SERVFAIL,
// bogus) defers that hop (RFC 7672 §2.2).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/resolver.h"
#include "net/connection.h"
#include "queue/route.h"
#include "smtp/client/client.h"

namespace postamt::queue {

// `[outbound] tls` and the values of `[outbound.tls_policy]`.
enum class TlsMode { opportunistic, dane, verify };

// Parses "opportunistic" | "dane" | "verify". Errors: invalid.
Result<TlsMode> parse_tls_mode(std::string_view text);
std::string_view to_string(TlsMode mode);

struct TlsPolicyConfig {
  TlsMode default_mode = TlsMode::dane;
  std::map<std::string, TlsMode> domains;  // lower-case destination domain -> mode

  // The entry for exactly `domain` (case-insensitive), else default_mode.
  TlsMode mode_for(std::string_view domain) const;
};

// The domain's MTA-STS policy as it applies to one MX host (RFC 8461 §4.1, §5).
enum class StsMode { enforce, testing };
struct StsFacts {
  StsMode mode = StsMode::enforce;
  bool mx_matches = false;  // the hop's host matches one of the policy's "mx" patterns
};

// The TLSA lookup for one hop ("_<port>._tcp.<host>", RFC 7672 §2.2-2.3).
struct TlsaAnswer {
  enum class State {
    not_looked_up,  // DANE does not apply: mode is not dane, or the hop is not secure
    none,           // NXDOMAIN, NODATA or an insecure answer: no DANE for this host
    records,        // a secure answer with records (usable or not)
    failed,         // SERVFAIL, timeout, bogus (RFC 7672 §2.2: defer this host)
  };
  State state = State::not_looked_up;
  std::vector<dns::TlsaRecord> records;
  std::string error;  // for failed
};

// RFC 6698 §4.1 and RFC 7672 §3.1.3: usage DANE-TA(2) or DANE-EE(3), a known selector
// (0, 1) and matching type (0, 1, 2), and data of the right length (32 / 64 octets for
// SHA-256 / SHA-512, not empty for full data).
bool usable_for_smtp(const dns::TlsaRecord& record);

struct TlsDecision {
  enum class Action {
    connect,  // deliver with `requirement`
    skip,     // not this MX (MTA-STS enforce, host not in the policy); try the next
    defer,    // not now (the TLSA lookup failed); try the next MX
  };
  Action action = Action::connect;
  smtp::client::TlsRequirement requirement = smtp::client::TlsRequirement::none;
  std::vector<std::string> names;          // reference identifiers for verify and dane
  std::vector<net::TlsaAssociation> tlsa;  // usable records, for dane
  std::string required_by;                 // for diagnostics: "DANE", "MTA-STS", "policy"
  // With MTA-STS testing: check `names` and report, but never fail on it.
  bool report_only = false;
  std::string policy_type;  // RFC 8460 §4.2: "tlsa", "sts" or "no-policy-found"
  // skip and defer: RFC 3463 status, the reason, and the RFC 8460 result type.
  std::string status;
  std::string reason;
  std::string failure_type;
};

// The decision for delivering mail for `domain` through `hop` (an MX hop, not a relay:
// the relay is always PKIX-verified against its name, WorkerOptions). `sts` is the
// domain's MTA-STS policy as it applies to hop.host, nullopt when there is none (or none
// can be known: RFC 8461 §5 continues as without one). Pure.
TlsDecision decide_tls(TlsMode mode, std::string_view domain, const Hop& hop,
                       const TlsaAnswer& tlsa, const std::optional<StsFacts>& sts);

// The TLSA owner name for a hop: "_25._tcp.mx.example.org" (RFC 6698 §3, RFC 7672 §2.2.1).
std::string tlsa_name(const Hop& hop);

// Reads a TLSA answer into a TlsaAnswer: not_found and non-secure answers are `none`,
// other errors `failed`. Pure.
TlsaAnswer tlsa_answer(const Result<dns::Answer<dns::TlsaRecord>>& answer);

// One delivery attempt's TLS outcome, for TLS-RPT (RFC 8460 §4.4). app/ forwards these
// to the MTA-STS side's TlsReportLog.
struct TlsAttempt {
  std::string domain;
  std::string policy_type;  // "sts" | "tlsa" | "no-policy-found"
  std::string mx_host;
  std::string address;
  bool success = false;
  std::string failure;  // RFC 8460 §4.3 result type when !success
  std::string detail;
};

class TlsAttemptSink {
 public:
  virtual ~TlsAttemptSink() = default;
  // Called on the network executor; must not block for long. Thread-safe.
  virtual void record(const TlsAttempt& attempt) = 0;
};

// Where the worker learns a domain's MTA-STS policy. app/ implements it over
// mta_sts::PolicyCache (lookup, then mta_sts::mx_matches per host).
class StsPolicySource {
 public:
  virtual ~StsPolicySource() = default;
  struct Policy {
    StsMode mode = StsMode::enforce;
    // RFC 8461 §4.1: does an MX host name match the policy's "mx" patterns? (app/:
    // mta_sts::mx_matches over the fetched policy.)
    std::function<bool(std::string_view)> mx_matches;
  };
  // nullopt: the domain has no policy (or mode "none"). Errors: none can be known now
  // although the TXT record says one exists (RFC 8461 §5: deliver as without a policy,
  // and report "sts-policy-fetch-error").
  virtual net::awaitable<Result<std::optional<Policy>>> lookup(std::string domain) = 0;
};

}  // namespace postamt::queue
