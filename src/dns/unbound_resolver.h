// The product Resolver (dns/resolver.h): libunbound, a validating caching resolver in a
// library. It forwards to the configured servers (`[dns] forwarders`) or, with none, to the
// nameservers of /etc/resolv.conf; with `dnssec` on it validates against the trust
// anchors of `trust_anchor_file` and reports `secure` / bogus as resolver.h says.
// The cache is libunbound's, shared by every lookup through one instance: create one
// per process and share it (app/resolver.h).
//
// Answer details beyond resolver.h:
//   - a DNSSEC-bogus answer is ErrorKind::temporary, message
//     "DNS <TYPE> lookup of <name>: DNSSEC bogus: <unbound's reason>";
//   - NXDOMAIN is ErrorKind::not_found, message "<name>: NXDOMAIN";
//   - SERVFAIL (also what unbound answers when no server replies) and other rcodes are
//     ErrorKind::temporary, "DNS <TYPE> lookup of <name>: SERVFAIL";
//   - no answer within `timeout` is ErrorKind::temporary, "... : no answer within <ms>ms"
//     (the query is cancelled);
//   - truncated UDP answers are retried over TCP by libunbound itself.
//
// Threads: libunbound's functions are thread-safe and one context may serve several
// threads (libunbound(3), "The functions are thread-safe"); configuration happens only
// in create(), before the first query, as libunbound requires. Queries run on
// libunbound's own background thread; each call blocks its caller until the answer or
// the timeout. A private thread of this class collects answers (ub_process). Every
// member function is safe to call from any number of threads at once.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/resolver.h"

namespace postamt::dns {

// Named limits (docs/configuration.md, [dns]).
inline constexpr std::chrono::milliseconds kDefaultLookupTimeout{10'000};
inline constexpr std::chrono::milliseconds kMaxLookupTimeout{60'000};

struct UnboundSettings {
  // "ip", "ip:port" or "[v6]:port" (port 53 when absent). Empty: the nameservers of
  // `resolv_conf`.
  std::vector<std::string> forwarders;
  bool dnssec = true;
  // DS or DNSKEY records in zone-file format (Debian's dns-root-data ships the root's).
  std::string trust_anchor_file = "/usr/share/dns/root.key";
  // Bound on one lookup, from the call to the answer: 1ms .. kMaxLookupTimeout.
  std::chrono::milliseconds timeout = kDefaultLookupTimeout;
  std::string resolv_conf = "/etc/resolv.conf";
  // RFC 6761 §6.2: a caching resolver answers names under "test." NXDOMAIN itself (as
  // libunbound does by default) and SHOULD offer an option, off by default, to resolve
  // them upstream where a private server hosts them. True: they go to the forwarders.
  bool resolve_test_names = false;
};

// "ip" / "ip:port" / "[v6]:port" / a bare IPv6 literal -> libunbound's "ip@port".
// ErrorKind::invalid with a message naming the forwarder when it is none of these.
Result<std::string> unbound_forwarder(std::string_view forwarder);

class UnboundResolver final : public Resolver {
 public:
  // Builds and configures the context. Errors: invalid (a forwarder, the timeout, a
  // trust-anchor file libunbound rejects), io (trust-anchor file or resolv.conf
  // unreadable), temporary (libunbound could not start its thread).
  static Result<std::unique_ptr<UnboundResolver>> create(const UnboundSettings& settings);
  // Must not run while a lookup is in progress.
  ~UnboundResolver() override;

  Result<Answer<MxRecord>> mx(std::string_view name) override;
  Result<Answer<std::string>> a(std::string_view name) override;
  Result<Answer<std::string>> aaaa(std::string_view name) override;
  Result<Answer<std::string>> txt(std::string_view name) override;
  Result<Answer<std::string>> ptr(std::string_view address) override;
  Result<Answer<TlsaRecord>> tlsa(std::string_view name) override;

  struct Context;  // libunbound's state; defined in the .cpp

 private:
  explicit UnboundResolver(std::unique_ptr<Context> context);
  std::unique_ptr<Context> context_;
};

}  // namespace postamt::dns
