// The product FetchFn of mta_sts::PolicyCache: an HTTPS GET over http/client.h with the
// rules of RFC 8461 §3.3: the certificate must verify (PKIX, the name "mta-sts.<domain>",
// against the system trust store or a configured CA file), redirects are not followed,
// nothing is cached, and the answer is bounded in size ([outbound]
// mta_sts_max_policy_bytes) and time ([outbound] mta_sts_timeout).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "base/result.h"
#include "http/client.h"
#include "queue/mta_sts.h"

namespace postamt::queue::mta_sts {

struct HttpsFetchOptions {
  std::string ca_file;                  // PEM trust anchors; "" = the system trust store
  size_t max_policy_bytes = 64 * 1024;  // the response body (RFC 8461 §3.3: 64 KiB)
  std::chrono::seconds timeout{60};     // the whole exchange (RFC 8461 §3.3: a minute)
  // Policy hosts are public; loopback and private addresses are refused unless allowed
  // (tests). The same vetting as the JMAP push sender (http::check_destination).
  http::PrivateAddresses private_addresses = http::PrivateAddresses::refuse;
  http::Resolver resolve;  // empty: net::resolve (the system's resolver)
};

// The fetch function. Errors: io or invalid when `ca_file` cannot be loaded. The
// function's own errors are those of http::get (a body over the limit is
// ErrorKind::limit; a certificate that does not verify is ErrorKind::permission).
Result<FetchFn> make_https_fetch(HttpsFetchOptions options);

}  // namespace postamt::queue::mta_sts
