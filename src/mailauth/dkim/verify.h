// DKIM verification of a received message (RFC 6376 §6), results named as RFC 8601
// §2.7.1 names them for Authentication-Results.
//
// How each outcome is reached (the "reason" says which, in plain words):
//   pass       the body hash and the signature verify with the published key.
//   fail       the body hash or the signature does not verify, or l= is longer than
//              the body (§3.5 l=).
//   neutral    the signature field has a syntax error or lacks a required tag (RFC 8601:
//              "contained syntax errors").
//   permerror  the signature cannot ever verify: an algorithm other than rsa-sha256 and
//              ed25519-sha256 (rsa-sha1 included, RFC 8301 §3.1), i= outside d=, From not
//              signed, x= passed, no key (NXDOMAIN or no TXT record), a malformed, revoked
//              or unsuitable key (k=, h=, s=, t=s), an RSA key under 1024 bits (RFC 8301
//              §3.2), more h= entries than VerifyLimits::max_signed_fields.
//   policy     it verifies but local policy does not accept it: an RSA key under
//              VerifyLimits::min_rsa_bits (when raised above 1024), or body bytes beyond
//              l= when VerifyLimits::unsigned_body is UnsignedBody::policy.
//   temperror  the key lookup failed for now (SERVFAIL, timeout, bogus DNSSEC answer).
// `none` is for callers reporting a message without signatures (the vector is empty).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"
#include "dns/resolver.h"

namespace postamt::dkim {

enum class Status { none, pass, fail, neutral, policy, temperror, permerror };

// RFC 8601 §2.7.1 names: "none", "pass", "fail", "neutral", "policy", "temperror",
// "permerror".
std::string_view to_string(Status status);

struct Verification {
  Status status = Status::none;
  std::string domain;     // d=, lower-cased ("" when unreadable)
  std::string selector;   // s=
  std::string algorithm;  // "rsa-sha256" | "ed25519-sha256" (or the a= value as written)
  std::string identity;   // i=, or "@" + d= when absent
  std::string header_b;   // first 8 characters of b= (RFC 6008 §4)
  std::string reason;     // plain words, e.g. "body hash did not verify"
  bool testing = false;   // the key record has t=y (RFC 6376 §3.6.1)
};

// What to do when l= leaves body bytes unsigned (RFC 6376 §8.2).
enum class UnsignedBody {
  accept,  // pass, with the reason naming how many bytes were not signed
  policy,  // Status::policy
};

struct VerifyLimits {
  size_t max_signatures = 5;      // DKIM-Signature fields verified, topmost first
  unsigned min_rsa_bits = 1024;   // RFC 8301 §3.2 floor; higher = Status::policy
  size_t max_signed_fields = 64;  // h= entries per signature
  UnsignedBody unsigned_body = UnsignedBody::policy;
};

// The limits as [dkim] configures them (docs/configuration.md).
VerifyLimits verify_limits(const Config::Dkim& config);

// One entry per DKIM-Signature field (up to max_signatures, topmost first); empty when
// the message has none. Blocking (one TXT lookup per signature via `dns`); run on a
// blocking pool. `message` has CRLF line ends.
std::vector<Verification> verify_message(std::string_view message, dns::Resolver& dns,
                                         const VerifyLimits& limits,
                                         std::chrono::system_clock::time_point now);

}  // namespace postamt::dkim
