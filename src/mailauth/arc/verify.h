// ARC validation (RFC 8617 §5.2): the Chain Validation Status of a received message, for
// the "arc" method of Authentication-Results (RFC 8617 §6, RFC 8601) and for DMARC's
// local policy (§7.2). Sealing is in seal.h.
//
//   arc::Verdict v = arc::verify(message, resolver, arc::Limits{}, clock.now());
//   // Authentication-Results: mx.example.org; arc=pass (i=2 sealer=lists.example)
//
// What is checked, in the order of §5.2 (the first failure decides, and every failure is
// "fail", DNS trouble included: §5.2.1 "All Failures Are Permanent"):
//   1. the ARC fields are collected (none: Status::none); more than limits.max_instances
//      (at most 50) sets fail; 2. the newest ARC-Seal's cv=fail fails; 3. the structure
//      (header_set.h); 4. the newest ARC-Message-Signature verifies as a DKIM signature
//      would (RFC 6376 §5.4: h= fields bottom-up, c=, l=, x= against `now`, bh=, b=);
//   6. every ARC-Seal, newest first, verifies over the sets 1..i (§5.1.1, relaxed
//      canonicalization only, its own b= emptied);
//   5. (optional in the RFC, done after 6 so that a failing chain costs no extra
//      lookups) the older AMSs are checked down from N-1 for the oldest that still
//      verifies (Verdict::oldest_pass).
// Keys are read from "<s>._domainkey.<d>" TXT records as DKIM reads them (RFC 6376
// §3.6.1), each (selector, domain) pair looked up once per call. Algorithms: rsa-sha256
// (keys of at least limits.min_rsa_bits, RFC 8301 §3.2) and ed25519-sha256 (RFC 8463);
// rsa-sha1 fails (RFC 8301 §3.1).
//
// Blocking (DNS): call on a blocking pool, never on the network executor. Thread-safe
// as long as `dns` is.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "dns/resolver.h"

namespace postamt::arc {

// RFC 8617 §4.4 chain validation status, and the result names of the Authentication-
// Results method "arc" (RFC 8617 §10.1).
enum class Status { none, pass, fail };
// "none" | "pass" | "fail".
std::string_view to_string(Status status);

// One ARC-Seal of a chain that passed, for DMARC reports (RFC 8617 §7.2.2:
// "as[2].d=d2.example as[2].s=s2").
struct SealInfo {
  int instance = 0;
  std::string domain;    // d=
  std::string selector;  // s=
};

struct Verdict {
  Status status = Status::none;
  int instance = 0;                // highest valid instance (the chain length) or 0
  std::string reason;              // why fail, for logs and A-R comments
  std::string sealer;              // d= of the newest ARC-Seal (the last intermediary)
  std::string oldest_pass_domain;  // optional, for §7.2 reporting
  // RFC 8617 §6 header.oldest-pass: the instance of the oldest AMS that still verifies,
  // 0 when all of them do. Set only on pass; oldest_pass_domain is that AMS's d= (the
  // d= of the AMS at i=1 when oldest_pass is 0).
  int oldest_pass = 0;
  // Every seal of a passing chain, newest first.
  std::vector<SealInfo> seals;
};

struct Limits {
  // RFC 8617 §5.2 step 1: more ARC sets than this fail. At most 50 (§4.2.1); a larger
  // value counts as 50.
  int max_instances = 50;
  // RFC 8301 §3.2: RSA keys shorter than this make a signature fail.
  unsigned min_rsa_bits = 1024;
  // An ARC-Message-Signature whose h= lists more field names than this fails (the work
  // of selecting them grows with the header); the same bound as DKIM verification's.
  unsigned max_signed_fields = 64;
};

// RFC 8617 §5.2. Blocking (DNS key lookups via the DKIM key-record code).
// `message` has CRLF line ends, exactly as received (the ARC fields and everything they
// sign byte for byte).
Verdict verify(std::string_view message /*CRLF*/, dns::Resolver& dns, const Limits& limits,
               std::chrono::system_clock::time_point now);

}  // namespace postamt::arc
