// SPF: may this client send mail for this domain? (RFC 7208). check() runs the MAIL
// FROM check of §2.4, check_helo() the HELO check of §2.3, check_host() the function
// of §4 they are built on. The record parser is record.h, macro expansion macro.h.
//
// Threads: every function here blocks on DNS (dns::Resolver): call on a blocking pool,
// never on the network executor. No shared state; thread-safe with a thread-safe
// resolver.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "dns/resolver.h"

namespace postamt::spf {

// §2.6 results.
enum class Outcome { none, neutral, pass, fail, softfail, temperror, permerror };
// The result names of §2.6, which RFC 8601 §2.7.2 uses for the A-R "spf" method:
// "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror".
std::string_view to_string(Outcome outcome);

struct Request {
  std::string ip;        // the SMTP client's address literal (IPv4 or IPv6)
  std::string sender;    // MAIL FROM without <>; "" = null reverse path
  std::string helo;      // the EHLO/HELO argument
  std::string receiver;  // our host name (%{r}); "" expands to "unknown"
  int64_t now = 0;       // seconds since the Epoch for %{t}; 0 = read the system clock
  // The clock Limits::max_elapsed is measured on; unset = std::chrono::steady_clock.
  std::function<std::chrono::steady_clock::time_point()> clock = nullptr;
};

// Every limit of an evaluation (§4.6.4, §6.2); a limit hit gives "permerror" unless
// noted. Defaults are the RFC's numbers where it names one.
struct Limits {
  // Terms that query DNS (include, a, mx, ptr, exists, redirect) per evaluation, across
  // include and redirect (§4.6.4: 10).
  int max_dns_terms = 10;
  // Lookups answering NXDOMAIN or no records (§4.6.4 "void lookups": 2).
  int max_void_lookups = 2;
  // MX names one "mx" mechanism may look addresses up for (§4.6.4: 10).
  int max_mx_names = 10;
  // PTR names one "ptr" mechanism or %{p} validates; the rest are ignored, no error
  // (§4.6.4: 10).
  int max_ptr_names = 10;
  // An SPF record longer than this is a permerror. §3.4 asks publishers to stay under
  // 450 octets; receivers meet longer ones (TXT over TCP), so the default is larger.
  size_t max_record_bytes = 2048;
  // An explanation (§6.2 "MAY limit") longer than this is dropped, as if no exp= were
  // given; it ends up in an SMTP reply line.
  size_t max_explanation_bytes = 512;
  // A check running longer than this gives "temperror": no lookup is started after it
  // (§4.6.4: SHOULD, allowing at least 20 seconds). A resolver that never answers is
  // bounded by its own timeout, not by this.
  std::chrono::milliseconds max_elapsed{20000};
};

struct Verdict {
  Outcome result = Outcome::none;
  std::string domain;       // the domain check_host ran for (the MAIL FROM's, or the HELO's)
  std::string identity;     // "mailfrom" or "helo" (RFC 8601 smtp.mailfrom / smtp.helo)
  std::string mechanism;    // the term that matched as written, e.g. "ip4:192.0.2.0/24",
                            // "-all"; "" if none (also for a redirect's default result)
  std::string explanation;  // exp= text for fail (macro-expanded), else ""
  std::string problem;      // why temperror/permerror (or none), for logs and A-R comments
  std::string sender;       // the <sender> checked, local-part@domain ("postmaster@<helo>"
                            // for a null reverse path and for the HELO check)
};

// §2.4: checks the MAIL FROM identity; with a null sender, "postmaster@<helo>" (and
// `domain` is then the HELO name). identity = "mailfrom".
Verdict check(const Request& request, dns::Resolver& dns, const Limits& limits = {});

// §2.3: checks the HELO identity, <sender> = "postmaster@<helo>". identity = "helo".
// A HELO that is an address literal or not a multi-label name gives "none".
Verdict check_helo(const Request& request, dns::Resolver& dns, const Limits& limits = {});

// The raw check_host() of §4: <ip>, <domain>, <sender> as given; `context` supplies
// %{h}, %{r} and %{t}. `identity` is "mailfrom" unless `domain` is context.helo and not
// the domain of context.sender, then "helo". An `ip` that is not an address literal
// gives "permerror".
Verdict check_host(std::string_view ip, std::string_view domain, std::string_view sender,
                   const Request& context, dns::Resolver& dns, const Limits& limits = {});

}  // namespace postamt::spf
