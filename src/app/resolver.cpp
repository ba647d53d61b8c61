#include "app/resolver.h"

#include <unistd.h>

#include <fmt/format.h>

#include "base/log.h"
#include "dns/unbound_resolver.h"

namespace postamt::app {
namespace {

// Stands in when the host has no DNS configured: every lookup is a temporary failure that
// says why, so mail for remote domains waits in the queue instead of bouncing.
class UnavailableResolver final : public dns::Resolver {
 public:
  explicit UnavailableResolver(std::string reason) : reason_(std::move(reason)) {}
  Result<dns::Answer<dns::MxRecord>> mx(std::string_view) override { return error(); }
  Result<dns::Answer<std::string>> a(std::string_view) override { return error(); }
  Result<dns::Answer<std::string>> aaaa(std::string_view) override { return error(); }
  Result<dns::Answer<std::string>> txt(std::string_view) override { return error(); }
  Result<dns::Answer<std::string>> ptr(std::string_view) override { return error(); }
  Result<dns::Answer<dns::TlsaRecord>> tlsa(std::string_view) override { return error(); }

 private:
  Error error() const { return Error(ErrorKind::temporary, reason_); }
  std::string reason_;
};

}  // namespace

Result<std::shared_ptr<dns::Resolver>> make_resolver(const Config& config) {
  dns::UnboundSettings settings;
  settings.forwarders = config.dns.forwarders;
  settings.dnssec = config.dns.dnssec;
  settings.trust_anchor_file = config.dns.trust_anchor_file.string();
  settings.timeout = config.dns.timeout;
  settings.resolve_test_names = config.dns.resolve_test_names;
  if (settings.forwarders.empty() && ::access(settings.resolv_conf.c_str(), R_OK) != 0) {
    // Local mail must keep flowing on a host without DNS.
    std::string reason = fmt::format(
        "no DNS resolver: {} is unreadable and [dns] forwarders "
        "is not set",
        settings.resolv_conf);
    log::warning("smtp", "{}; lookups fail (remote mail is deferred)", reason);
    return std::shared_ptr<dns::Resolver>(std::make_shared<UnavailableResolver>(reason));
  }
  auto resolver = dns::UnboundResolver::create(settings);
  if (!resolver) {
    Error e = resolver.error();
    e.message = "dns: " + e.message;
    if (settings.dnssec && e.message.find("trust-anchor") != std::string::npos)
      e.message += " (install dns-root-data, set [dns] trust_anchor_file, or dnssec = false)";
    return e;
  }
  return std::shared_ptr<dns::Resolver>(std::move(*resolver));
}

}  // namespace postamt::app
