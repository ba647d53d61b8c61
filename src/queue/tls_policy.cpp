#include "queue/tls_policy.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace postamt::queue {

using smtp::client::TlsRequirement;

Result<TlsMode> parse_tls_mode(std::string_view text) {
  if (text == "opportunistic") return TlsMode::opportunistic;
  if (text == "dane") return TlsMode::dane;
  if (text == "verify") return TlsMode::verify;
  return Error{ErrorKind::invalid,
               fmt::format("\"{}\" is not one of \"opportunistic\", \"dane\", \"verify\"", text)};
}

std::string_view to_string(TlsMode mode) {
  switch (mode) {
    case TlsMode::opportunistic:
      return "opportunistic";
    case TlsMode::dane:
      return "dane";
    case TlsMode::verify:
      return "verify";
  }
  return "dane";
}

TlsMode TlsPolicyConfig::mode_for(std::string_view domain) const {
  auto it = domains.find(ascii_lower(std::string(domain)));
  return it == domains.end() ? default_mode : it->second;
}

bool usable_for_smtp(const dns::TlsaRecord& r) {
  // RFC 7672 §3.1.3: PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP.
  if (r.usage != 2 && r.usage != 3) return false;
  if (r.selector > 1) return false;  // RFC 6698 §2.1.2: 0 full certificate, 1 SPKI
  switch (r.matching_type) {         // RFC 6698 §2.1.3
    case 0:
      return !r.data.empty();
    case 1:
      return r.data.size() == 32;  // SHA-256
    case 2:
      return r.data.size() == 64;  // SHA-512
    default:
      return false;
  }
}

std::string tlsa_name(const Hop& hop) {
  return fmt::format("_{}._tcp.{}", hop.port, hop.host);
}

TlsaAnswer tlsa_answer(const Result<dns::Answer<dns::TlsaRecord>>& answer) {
  TlsaAnswer out;
  if (!answer) {
    if (answer.error().kind == ErrorKind::not_found) {
      out.state = TlsaAnswer::State::none;  // NXDOMAIN: no TLSA records
    } else {
      out.state = TlsaAnswer::State::failed;
      out.error = answer.error().message;
    }
    return out;
  }
  // RFC 7672 §2.2: an insecure answer is as good as none.
  if (!answer->secure || answer->records.empty()) {
    out.state = TlsaAnswer::State::none;
    return out;
  }
  out.state = TlsaAnswer::State::records;
  out.records = answer->records;
  return out;
}

namespace {

TlsDecision without_dane(TlsMode mode, const Hop& hop, const std::optional<StsFacts>& sts) {
  TlsDecision d;
  d.names = {hop.host};
  if (sts && sts->mode == StsMode::enforce) {
    d.policy_type = "sts";
    if (!sts->mx_matches) {
      // RFC 8461 §4.1: an MX host the policy does not list is not used.
      d.action = TlsDecision::Action::skip;
      d.status = "4.7.5";
      d.reason =
          fmt::format("TLS required by MTA-STS: {} is not an MX host of the policy", hop.host);
      // RFC 8460 §4.3 has no type for "MX not in the policy"; the general one.
      d.failure_type = "validation-failure";
      return d;
    }
    // RFC 8461 §4.2: PKIX-valid, with the MX host name among the certificate's names.
    d.requirement = TlsRequirement::verify;
    d.required_by = "MTA-STS";
    return d;
  }
  if (mode == TlsMode::verify) {
    d.requirement = TlsRequirement::verify;
    d.required_by = "policy";
    d.policy_type = sts ? "sts" : "no-policy-found";
    return d;
  }
  if (sts && sts->mode == StsMode::testing) {
    // RFC 8461 §5: testing mode never stops delivery; the check is only reported.
    d.policy_type = "sts";
    d.report_only = true;
    return d;
  }
  d.policy_type = "no-policy-found";
  return d;
}

}  // namespace

TlsDecision decide_tls(TlsMode mode, std::string_view domain, const Hop& hop,
                       const TlsaAnswer& tlsa, const std::optional<StsFacts>& sts) {
  if (mode == TlsMode::dane && hop.secure) {
    switch (tlsa.state) {
      case TlsaAnswer::State::failed: {
        // RFC 7672 §2.2: "Any lookup error ... MUST result in falling back to the next
        // SMTP server or delayed delivery." Never plaintext, never unauthenticated.
        TlsDecision d;
        d.action = TlsDecision::Action::defer;
        d.policy_type = "tlsa";
        d.status = "4.7.5";
        d.reason = fmt::format("TLS required by DANE for {}: TLSA lookup failed: {}", hop.host,
                               tlsa.error);
        d.failure_type = "dnssec-invalid";  // RFC 8460 §4.3.2.1
        return d;
      }
      case TlsaAnswer::State::records: {
        TlsDecision d;
        d.policy_type = "tlsa";
        d.required_by = "DANE";
        for (const dns::TlsaRecord& r : tlsa.records)
          if (usable_for_smtp(r)) d.tlsa.push_back({r.usage, r.selector, r.matching_type, r.data});
        if (d.tlsa.empty()) {
          // RFC 7672 §2.2: secure but all unusable: TLS mandatory, not authenticated.
          d.requirement = TlsRequirement::encrypt;
          return d;
        }
        d.requirement = TlsRequirement::dane;
        // RFC 7672 §3.2.2: the TLSA base domain (the MX host), then the next-hop domain.
        d.names = {hop.host};
        if (ascii_lower(std::string(domain)) != hop.host) d.names.push_back(std::string(domain));
        return d;
      }
      case TlsaAnswer::State::none:
      case TlsaAnswer::State::not_looked_up:
        break;
    }
  }
  return without_dane(mode, hop, sts);
}

}  // namespace postamt::queue
