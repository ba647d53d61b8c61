#include "admin/dns_records.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <variant>
#include <vector>

#include "admin/dkim_keys.h"
#include "autoconfig/proto/documents.h"
#include "autoconfig/proto/settings.h"
#include "base/strings.h"
#include "mail/domains.h"
#include "mailauth/dkim/key_record.h"
#include "mailauth/dkim/keyring.h"

namespace postamt::admin {
namespace {

using autoconfig::Protocol;
using autoconfig::Security;

constexpr int kTtl = 3600;

struct Record {
  std::string owner;  // absolute, with the final dot
  std::string type;
  std::string data;
  bool commented = false;  // printed after "; " (a record not to publish as it is)
};
using Line = std::variant<std::string, Record>;  // a comment line (without "; ") or a record

class Zone {
 public:
  void comment(std::string text) { lines_.emplace_back(std::move(text)); }
  void blank() { lines_.emplace_back(std::string("\n")); }
  void record(std::string owner, std::string type, std::string data, bool commented = false) {
    lines_.emplace_back(Record{std::move(owner), std::move(type), std::move(data), commented});
  }

  std::string text() const {
    size_t width = 0;
    for (const Line& line : lines_)
      if (const Record* r = std::get_if<Record>(&line)) width = std::max(width, r->owner.size());
    std::string out;
    for (const Line& line : lines_) {
      if (const std::string* c = std::get_if<std::string>(&line)) {
        out += *c == "\n" ? "\n" : (c->empty() ? ";\n" : "; " + *c + "\n");
        continue;
      }
      const Record& r = std::get<Record>(line);
      out += fmt::format("{}{:<{}} {} IN {:<5} {}\n", r.commented ? "; " : "", r.owner, width, kTtl,
                         r.type, r.data);
    }
    return out;
  }

 private:
  std::vector<Line> lines_;
};

// inet_pton, then inet_ntop: the address in its canonical text (RFC 5952 for IPv6).
Result<std::string> canonical_address(int family, std::string_view text, std::string_view option) {
  unsigned char raw[16];
  char out[INET6_ADDRSTRLEN] = {};
  std::string s(text);
  if (inet_pton(family, s.c_str(), raw) != 1 || !inet_ntop(family, raw, out, sizeof out))
    return Error{ErrorKind::invalid, fmt::format("{} \"{}\" is not an {} address", option, text,
                                                 family == AF_INET ? "IPv4" : "IPv6")};
  return std::string(out);
}

std::string srv_data(int priority, const std::optional<autoconfig::Endpoint>& e,
                     const std::string& host) {
  // RFC 6186 §3.4: target "." says the service is not offered at all.
  if (!e) return "0 0 0 .";
  return fmt::format("{} 1 {} {}.", priority, e->port, host);
}

// One TXT record per DKIM key of the domain (docs/mail-authentication/dkim.md), or how to
// make one.
void dkim_records(Zone& z, const Config& config, const std::string& domain) {
  auto ring = dkim::KeyRing::load(config.data_dir / "dkim");
  if (!ring) {
    z.comment(fmt::format("DKIM: warning: {}", ring.error().message));
    return;
  }
  auto keys = ring->keys_for(domain);
  if (keys.empty()) {
    z.comment(fmt::format("DKIM (RFC 6376): {} has no signing key yet. Make one with", domain));
    z.comment(fmt::format("\"postamt dkim generate {}\" (and a second with --algorithm ed25519,",
                          domain));
    z.comment("RFC 8463), publish the record it prints, and restart the server.");
    return;
  }
  z.comment(
      fmt::format("DKIM (RFC 6376, RFC 8463): Postamt signs mail from {} with every key", domain));
  z.comment("below (data_dir/dkim); a receiver finds each under <selector>._domainkey.");
  if (!config.dkim.sign) z.comment("[dkim] sign = false: the keys are not used for now.");
  for (const dkim::SigningKey* k : keys) {
    z.record(
        fmt::format("{}._domainkey.{}.", k->selector, domain), "TXT",
        zone_txt_strings(dkim::key_record_text(k->algorithm, k->key.public_key_record_bytes())));
  }
}

}  // namespace

Result<std::string> render_dns_records(const Config& config, const DnsRecordsRequest& request) {
  std::string domain = ascii_lower(request.domain);
  if (domain.ends_with('.')) domain.pop_back();
  if (std::any_of(domain.begin(), domain.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
    return Error{
        ErrorKind::invalid,
        fmt::format("write the domain \"{}\" in its ASCII form (xn--...)", request.domain)};
  std::string ipv4, ipv6;
  if (!request.ipv4.empty()) {
    auto a = canonical_address(AF_INET, request.ipv4, "--ipv4");
    POSTAMT_TRY(a);
    ipv4 = std::move(*a);
  }
  if (!request.ipv6.empty()) {
    auto a = canonical_address(AF_INET6, request.ipv6, "--ipv6");
    POSTAMT_TRY(a);
    ipv6 = std::move(*a);
  }

  const autoconfig::PublicServer server = autoconfig::public_server(config);
  const std::string& host = server.hostname;
  const std::string d = domain + ".";
  const std::string h = host + ".";
  const std::string postmaster = "postmaster@" + domain;
  Zone z;

  z.comment(fmt::format("DNS records for {}, served by Postamt on {}.", domain, host));
  z.comment("Zone-file syntax (RFC 1035 §5.1), every name absolute; TTLs are a suggestion.");
  if (host.find('.') == std::string::npos)
    z.comment(fmt::format(
        "warning: \"{}\" is no fully qualified name; set hostname or [autoconfig] hostname.",
        host));
  z.blank();

  z.comment(
      fmt::format("Mail for {} goes to this server (RFC 5321 §5.1). An MX names a host", domain));
  z.comment("with address records, never a CNAME (RFC 2181 §10.3).");
  if (!server.receives_mail)
    z.comment(
        "[listen] smtp has no address: this server takes no mail from other servers; point the MX "
        "at the one that does.");
  z.record(d, "MX", "10 " + h, !server.receives_mail);
  z.blank();

  z.comment(fmt::format("The server's addresses. The PTR record of each should name {}:", host));
  z.comment("receivers distrust a sender whose address and name do not match.");
  if (!ipv4.empty()) z.record(h, "A", ipv4);
  if (!ipv6.empty()) z.record(h, "AAAA", ipv6);
  if (ipv4.empty() && ipv6.empty())
    z.comment(fmt::format(
        "{} needs A and/or AAAA records: run again with --ipv4/--ipv6 to print them.", host));
  z.blank();

  z.comment("Where mail programs find the services (RFC 6186 §3; _submissions: RFC 8314 §5.1).");
  z.comment("IMAP is preferred to POP3 (priority 0 before 10, RFC 6186 §3.4); a service this");
  z.comment("server does not offer has the target \".\" (RFC 6186 §3.4), so clients skip it.");
  z.record("_imaps._tcp." + d, "SRV",
           srv_data(0, server.find(Protocol::imap, Security::implicit_tls), host));
  z.record("_imap._tcp." + d, "SRV",
           srv_data(0, server.find(Protocol::imap, Security::starttls), host));
  z.record("_pop3s._tcp." + d, "SRV",
           srv_data(10, server.find(Protocol::pop3, Security::implicit_tls), host));
  z.record("_pop3._tcp." + d, "SRV",
           srv_data(10, server.find(Protocol::pop3, Security::starttls), host));
  z.record("_submissions._tcp." + d, "SRV",
           srv_data(0, server.find(Protocol::smtp, Security::implicit_tls), host));
  z.record("_submission._tcp." + d, "SRV",
           srv_data(0, server.find(Protocol::smtp, Security::starttls), host));
  z.blank();

  if (config.autoconfig.enabled) {
    z.comment("Client autoconfiguration (docs/protocols/autoconfig.md): Thunderbird asks");
    z.comment(fmt::format("autoconfig.{}, Outlook autodiscover.{} or _autodiscover._tcp. The",
                          domain, domain));
    z.comment("https listener's certificate must cover these names.");
    z.record("autoconfig." + d, "CNAME", h);
    z.record("autodiscover." + d, "CNAME", h);
    if (server.https_port)
      z.record("_autodiscover._tcp." + d, "SRV", fmt::format("0 0 {} {}", *server.https_port, h));
    else
      z.comment(
          "[listen] https has no address: Outlook asks over HTTPS only, so no _autodiscover._tcp "
          "record.");
  } else {
    z.comment("[autoconfig] enabled = false: no autoconfiguration records.");
  }
  z.blank();

  z.comment(fmt::format("SPF (RFC 7208): only the hosts of {}'s MX records send its mail (\"mx\",",
                        domain));
  z.comment("§5.4), any other host fails (\"-all\"): Postamt's queue sends from the server that");
  z.comment("receives. The HELO name gets its own record (RFC 7208 §2.3).");
  if (config.outbound.relay)
    z.comment(
        fmt::format("[outbound] relay = {}: mail leaves through that host; add its addresses "
                    "(ip4:, ip6: or include:) before -all.",
                    config.outbound.relay->text));
  z.record(d, "TXT", "\"v=spf1 mx -all\"");
  z.record(h, "TXT", "\"v=spf1 a -all\"");
  z.blank();

  dkim_records(z, config, domain);
  z.blank();

  z.comment("DMARC (RFC 7489): p=none asks receivers to change nothing yet and to send daily");
  z.comment(fmt::format("aggregate reports to {} (rua, RFC 7489 §6.3). Without DKIM,", postmaster));
  z.comment("alignment rests on SPF alone, which forwarding breaks: read the reports, then");
  z.comment("tighten to quarantine or reject (RFC 7489 Appendix B.2). The address must take mail.");
  z.record("_dmarc." + d, "TXT", fmt::format("\"v=DMARC1; p=none; rua=mailto:{}\"", postmaster));
  z.blank();

  if (config.autoconfig.enabled) {
    const std::string policy = autoconfig::mta_sts_policy(server, config.autoconfig.mta_sts_mode,
                                                          config.autoconfig.mta_sts_max_age);
    z.comment(fmt::format(
        "MTA-STS (RFC 8461): senders fetch https://mta-sts.{}/.well-known/mta-sts.txt", domain));
    z.comment(fmt::format("from the https listener (port 443, a certificate for mta-sts.{}). The",
                          domain));
    z.comment("id changes whenever the policy does ([autoconfig] mta_sts_mode, mta_sts_max_age):");
    for (std::string_view line : split(policy, '\n')) {
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (!line.empty()) z.comment(fmt::format("  {}", line));
    }
    if (server.https_port != std::optional<uint16_t>(443))
      z.comment(
          server.https_port
              ? fmt::format("warning: the https listener is advertised on port {}, not 443.",
                            *server.https_port)
              : std::string("warning: [listen] https has no address: nothing serves the policy."));
    z.record("_mta-sts." + d, "TXT",
             fmt::format("\"v=STSv1; id={}\"", autoconfig::mta_sts_id(policy)));
    z.record("mta-sts." + d, "CNAME", h);
  } else {
    z.comment("[autoconfig] enabled = false: no MTA-STS policy is served, so no _mta-sts record.");
  }
  z.blank();
  z.comment(fmt::format("TLS reporting (RFC 8460 §3): daily reports on TLS to this server, to {}.",
                        postmaster));
  z.record("_smtp._tls." + d, "TXT", fmt::format("\"v=TLSRPTv1; rua=mailto:{}\"", postmaster));
  return z.text();
}

Result<std::string> dns_records(store::Store& store, const Config& config,
                                const DnsRecordsRequest& request) {
  std::string domain = ascii_lower(request.domain);
  if (domain.ends_with('.')) domain.pop_back();
  auto local = mail::is_local_domain(store, domain);
  POSTAMT_TRY(local);
  if (!*local)
    return Error{ErrorKind::not_found,
                 fmt::format("{} is not a local domain (postamt domain add {})", domain, domain)};
  return render_dns_records(config, request);
}

}  // namespace postamt::admin
