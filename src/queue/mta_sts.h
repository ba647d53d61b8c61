// MTA-STS (RFC 8461) for the outbound queue: the policy and TXT record codecs (pure), MX
// matching (§4.1), and PolicyCache, which discovers, fetches and caches the policy of a
// recipient domain (§3, §5.1) so the delivery worker knows whether TLS to an MX must be
// verified. Publishing a policy for our own domains is autoconfig's job
// (docs/protocols/autoconfig.md); this file is the sending side.
// docs/mail-authentication/mta-sts.md describes both.
//
// The HTTPS GET is injected (FetchFn): mta_sts_fetch.h has the product one over
// http/client.h; unit tests pass a fake. The clock is injected too (queue/clock.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/resolver.h"
#include "net/connection.h"
#include "queue/clock.h"

namespace postamt::net {
class Runtime;
}

namespace postamt::queue::mta_sts {

// RFC 8461 §3.2 "mode". `none` (§8.3): the domain has withdrawn its policy; a sender treats
// it as having no policy, but the "none" policy is cached like any other so that it
// replaces an older enforce/testing one.
enum class Mode { enforce, testing, none };

std::string_view to_string(Mode mode);  // "enforce", "testing", "none"

// The largest max_age a policy may give (RFC 8461 §3.2): 31557600 seconds, one year.
inline constexpr std::chrono::seconds kMaxMaxAge{31557600};

struct Policy {
  Mode mode = Mode::none;
  std::vector<std::string> mx;  // the "mx" patterns in order, lower-case ("*.example.net")
  std::chrono::seconds max_age{0};
  std::string id;  // the TXT record's id it was fetched under; parse_policy leaves it ""
  // The policy's lines as fetched (without line ends), for TLS-RPT's "policy-string"
  // (RFC 8460 §4.5). parse_policy fills it.
  std::vector<std::string> lines;
};

// Parses a policy body (RFC 8461 §3.2; LF or CRLF line ends, one trailing line end
// allowed, empty lines skipped). Unknown fields are ignored; of a repeated field other
// than "mx" the first counts. Requires "version: STSv1", a "mode" of enforce, testing or
// none, "max_age" (1-10 digits; a value above kMaxMaxAge is lowered to it, so a domain
// asking for more than a year still gets a year), and at least one "mx" unless the mode
// is none. Errors: invalid, the message saying what is wrong ("policy line 3: ...").
// Pure; any input is safe (fuzz target queue_mta_sts_policy_fuzz).
Result<Policy> parse_policy(std::string_view body);

// The id of an "_mta-sts" TXT record (RFC 8461 §3.1): "v=STSv1" first, then
// ";"-separated fields, one of them "id=" 1-32 letters and digits; extensions are
// checked for syntax and ignored; of repeated ids the first counts. Errors: invalid.
// Pure.
Result<std::string> parse_txt_id(std::string_view txt);

// Whether `mx_host` (a host name, any case, a final dot ignored) matches one of the
// policy's "mx" patterns (RFC 8461 §4.1): equal ignoring case, or "*.rest" where the
// host is one more non-empty label before "rest". Pure.
bool mx_matches(const Policy& policy, std::string_view mx_host);

// Whether a Content-Type field value names text/plain (RFC 8461 §3.2: the media type is
// checked, its parameters ignored). Pure.
bool is_text_plain(std::string_view content_type);

// What a FetchFn returns: the response to the GET, whatever its status.
struct FetchResponse {
  int status = 0;
  std::string content_type;  // the Content-Type field's value, "" when absent
  std::string body;
};

// An HTTPS GET of `url` (RFC 8461 §3.3: PKIX-verified, no redirects followed, no HTTP
// caching, bounded in size and time). Errors of any kind mean "could not fetch".
// Called on the caller's executor; must not block.
using FetchFn = std::function<net::awaitable<Result<FetchResponse>>(std::string url)>;

// Named limits (docs/architecture.md, Limits; [outbound] in docs/configuration.md).
struct Limits {
  // The largest policy body accepted (RFC 8461 §3.3 suggests 64 KiB); the fetch function
  // enforces it while reading, the cache checks it again.
  size_t max_policy_bytes = 64 * 1024;
  // A cached policy older than this is fetched again even when the TXT id is unchanged
  // (RFC 8461 §3.3: refresh before expiry, "once per day").
  std::chrono::seconds refresh_interval{24 * 3600};
  // After a failed fetch for a (domain, id), no new try for this long (RFC 8461 §3.3:
  // "five minutes or longer per version ID").
  std::chrono::seconds retry_interval{5 * 60};
};

class PolicyCache {
 public:
  // `dir` = data_dir/mta-sts (created 0750 on first write), policies cached there across
  // restarts, one file per domain. `dns` and `fetch` must outlive the cache. `runtime`:
  // when given, the blocking steps (the TXT lookup, reading and writing cache files)
  // run on its blocking pool; nullptr runs them on the calling thread, for callers that
  // are on a blocking thread already.
  PolicyCache(std::filesystem::path dir, dns::Resolver& dns, FetchFn fetch, Clock clock,
              Limits limits, net::Runtime* runtime = nullptr);

  // The policy in force for `domain` (the recipient domain, or the smart host's for a
  // relay, RFC 8461 §3.4), or nullopt when it has none. A Policy with Mode::none is
  // returned as it is: the caller treats it like nullopt (§5).
  //
  // Steps (RFC 8461 §5.1): the "_mta-sts.<domain>" TXT record is looked up. When it is
  // usable (exactly one record starting "v=STSv1" that parses) and a cached, unexpired
  // policy has the same id and is younger than Limits::refresh_interval, that one is
  // returned without a fetch. Otherwise the policy is fetched from
  // https://mta-sts.<domain>/.well-known/mta-sts.txt and, when the status is 200, the
  // type text/plain, the size within the limit and the body parses, cached under the
  // TXT id and returned.
  //
  // When the TXT record is unusable (missing, NXDOMAIN, a DNS failure, several or a
  // malformed one) or the fetch fails, a cached unexpired policy is returned (§3.1,
  // §3.3: "the sender MUST apply that cached policy"), else nullopt: §3.3 says a sender
  // with a TXT record but no fetchable and no cached policy "MUST continue with
  // delivery as though the domain has not implemented MTA-STS", so that is no error.
  // Failures are logged (service "mta-sts") unless the cached policy's mode is none.
  //
  // Errors: invalid only, for a `domain` that is not an ASCII host name. Thread-safe.
  net::awaitable<Result<std::optional<Policy>>> lookup(std::string domain);

  // Why the last fetch for `domain` failed, for TLS-RPT (RFC 8460 §4.3.2.2): result_type
  // "sts-webpki-invalid" (the certificate did not verify), "sts-policy-invalid" (the body
  // is not a valid policy) or "sts-policy-fetch-error" (anything else: no answer, a
  // status other than 200, a wrong media type, too large); detail says what. nullopt
  // when no fetch for the domain failed within Limits::retry_interval or one succeeded
  // since. Thread-safe.
  struct FetchFailure {
    std::string result_type;
    std::string detail;
    bool operator==(const FetchFailure&) const = default;
  };
  std::optional<FetchFailure> last_failure(std::string_view domain);

 private:
  struct Entry {
    Policy policy;
    TimePoint fetched;
  };
  struct FailedFetch {
    std::string id;
    TimePoint at;
    FetchFailure why;
  };

  std::optional<Entry> cached(const std::string& domain);
  void remember(const std::string& domain, const Entry& entry);
  void forget(const std::string& domain);
  bool expired(const Entry& entry) const;
  net::awaitable<Result<std::vector<std::string>>> txt_records(std::string name);
  net::awaitable<Result<Policy, FetchFailure>> fetch_policy(std::string domain);

  std::filesystem::path dir_;
  dns::Resolver& dns_;
  FetchFn fetch_;
  Clock clock_;
  Limits limits_;
  net::Runtime* runtime_;
  std::mutex mutex_;
  std::map<std::string, std::optional<Entry>> memory_;  // nullopt: known to have no file
  std::map<std::string, FailedFetch> failed_;
};

// The cache file of one domain: "postamt-mta-sts 1", "id: <id>", "fetched: <unix
// seconds>", a blank line, then the policy's lines. Exposed for tests.
// `parse_cache_file` errors: invalid for anything else (the cache then forgets the file).
std::string format_cache_file(const Policy& policy, TimePoint fetched);
struct CacheFile {
  Policy policy;
  TimePoint fetched;
};
Result<CacheFile> parse_cache_file(std::string_view text);

// A recipient domain in the form the cache and the URL use: lower-case, no final dot,
// letters, digits, '-' and '_' in labels of 1-63 octets, at most 253 octets. Errors:
// invalid ("<domain> is not an ASCII host name").
Result<std::string> normalize_domain(std::string_view domain);

}  // namespace postamt::queue::mta_sts
