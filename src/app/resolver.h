// The one DNS resolver of a process (config [dns], docs/mail-authentication/dns.md):
// serve builds it once and every user shares it, so that they share libunbound's cache
// and its validated trust chain: the outbound queue (MX routing, DANE), the SMTP MX's
// checks (SPF, DKIM, DMARC, ARC, iprev) and `postamt dns lookup`.
//
//   auto resolver = app::make_resolver(config);   // serve: ctx.resolver
//   if (!resolver) fail(resolver.error().message);
//   (*resolver)->mx("example.org");              // blocking: on the blocking pool
#pragma once

#include <memory>

#include "base/config.h"
#include "base/result.h"
#include "dns/resolver.h"

namespace postamt::app {

// A dns::UnboundResolver from config.dns. Without forwarders and without a readable
// /etc/resolv.conf it logs a warning and returns a resolver whose every lookup fails as
// temporary (local mail keeps flowing; remote mail is deferred until DNS is set up).
// Errors (invalid/io, message prefixed "dns: "): a setting libunbound rejects, or
// dnssec on with an unreadable trust_anchor_file.
Result<std::shared_ptr<dns::Resolver>> make_resolver(const Config& config);

}  // namespace postamt::app
