// ARC sealing (RFC 8617 §5.1): the ARC set an intermediary adds to a message it passes
// on, after it has validated the chain the message arrived with (verify.h).
//
//   arc::Verdict v = arc::verify(received, dns, limits, now);
//   auto fields = arc::seal(received, v, {"mx.example.org", {"spf=pass smtp.mailfrom=a.example"}},
//                           key, now);
//   if (fields) outgoing = *fields + received;
//
// The set, for instance N = 1 + the highest instance among the message's ARC fields:
//   ARC-Authentication-Results: i=N; <authserv-id>; arc=<cv>; <results...>
//   ARC-Message-Signature: i=N; a=; c=relaxed/relaxed; d=; s=; t=; h=; bh=; b=
//       h= lists the fields of dkim::default_signed_headers() and every DKIM-Signature
//       present (§4.1.2 SHOULD), never an ARC field or Authentication-Results
//   ARC-Seal: i=N; a=; cv=; d=; s=; t=; b=
//       cv is verdict.status; its signature covers the sets 1..N (§5.1.1), or only the
//       new set when cv=fail (§5.1.2)
// every line at most 78 characters. The three fields are returned in that order, each
// ending in CRLF, to be put on top of `message` unchanged.
//
// Errors (ErrorKind::invalid): the newest ARC-Seal of the message already says cv=fail
// (§5.1 step 2: nothing to add), the message has 50 ARC sets already (§4.2.1), `verdict`
// says none while the message has ARC fields (it must be verify()'s verdict for this
// message), no From field, a result that contains CR or LF or starts with "arc=" (the arc
// result is the verdict's). ErrorKind::internal when the crypto fails.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/arc/verify.h"
#include "mailauth/dkim/sign.h"

namespace postamt::arc {

// What the sealing ADMD found, for the ARC-Authentication-Results (RFC 8601 syntax).
struct Assessment {
  std::string authserv_id;           // e.g. "mx.example.org"
  std::vector<std::string> results;  // e.g. "spf=pass smtp.mailfrom=example.org"
};

Result<std::string> seal(std::string_view message, const Verdict& verdict,
                         const Assessment& assessment, const dkim::SigningKey& key,
                         std::chrono::system_clock::time_point now);

}  // namespace postamt::arc
