#include "admin/dns_records.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::admin {
namespace {

Config config_of(std::string_view text) {
  auto config = parse_config(text, "/etc/postamt/postamt.toml");
  EXPECT_TRUE(config) << config.error().message;
  return config ? *config : Config{};
}

constexpr std::string_view kServer =
    "hostname = \"mail.example.org\"\n"
    "[listen]\nsmtp = [\"0.0.0.0:25\"]\nsubmission = [\"0.0.0.0:587\"]\n"
    "submissions = [\"0.0.0.0:465\"]\nimap = [\"0.0.0.0:143\"]\nimaps = [\"0.0.0.0:993\"]\n"
    "https = [\"0.0.0.0:443\"]\n";

TEST(DnsRecords, ExactOutput) {
  store::MemoryStore store;
  ASSERT_TRUE(store.add_domain("example.org"));
  auto out = dns_records(store, config_of(kServer), {"Example.ORG.", "192.0.2.1", "2001:DB8:0::1"});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, R"(; DNS records for example.org, served by Postamt on mail.example.org.
; Zone-file syntax (RFC 1035 §5.1), every name absolute; TTLs are a suggestion.

; Mail for example.org goes to this server (RFC 5321 §5.1). An MX names a host
; with address records, never a CNAME (RFC 2181 §10.3).
example.org.                    3600 IN MX    10 mail.example.org.

; The server's addresses. The PTR record of each should name mail.example.org:
; receivers distrust a sender whose address and name do not match.
mail.example.org.               3600 IN A     192.0.2.1
mail.example.org.               3600 IN AAAA  2001:db8::1

; Where mail programs find the services (RFC 6186 §3; _submissions: RFC 8314 §5.1).
; IMAP is preferred to POP3 (priority 0 before 10, RFC 6186 §3.4); a service this
; server does not offer has the target "." (RFC 6186 §3.4), so clients skip it.
_imaps._tcp.example.org.        3600 IN SRV   0 1 993 mail.example.org.
_imap._tcp.example.org.         3600 IN SRV   0 1 143 mail.example.org.
_pop3s._tcp.example.org.        3600 IN SRV   0 0 0 .
_pop3._tcp.example.org.         3600 IN SRV   0 0 0 .
_submissions._tcp.example.org.  3600 IN SRV   0 1 465 mail.example.org.
_submission._tcp.example.org.   3600 IN SRV   0 1 587 mail.example.org.

; Client autoconfiguration (docs/protocols/autoconfig.md): Thunderbird asks
; autoconfig.example.org, Outlook autodiscover.example.org or _autodiscover._tcp. The
; https listener's certificate must cover these names.
autoconfig.example.org.         3600 IN CNAME mail.example.org.
autodiscover.example.org.       3600 IN CNAME mail.example.org.
_autodiscover._tcp.example.org. 3600 IN SRV   0 0 443 mail.example.org.

; SPF (RFC 7208): only the hosts of example.org's MX records send its mail ("mx",
; §5.4), any other host fails ("-all"): Postamt's queue sends from the server that
; receives. The HELO name gets its own record (RFC 7208 §2.3).
example.org.                    3600 IN TXT   "v=spf1 mx -all"
mail.example.org.               3600 IN TXT   "v=spf1 a -all"

; DKIM (RFC 6376): example.org has no signing key yet. Make one with
; "postamt dkim generate example.org" (and a second with --algorithm ed25519,
; RFC 8463), publish the record it prints, and restart the server.

; DMARC (RFC 7489): p=none asks receivers to change nothing yet and to send daily
; aggregate reports to postmaster@example.org (rua, RFC 7489 §6.3). Without DKIM,
; alignment rests on SPF alone, which forwarding breaks: read the reports, then
; tighten to quarantine or reject (RFC 7489 Appendix B.2). The address must take mail.
_dmarc.example.org.             3600 IN TXT   "v=DMARC1; p=none; rua=mailto:postmaster@example.org"

; MTA-STS (RFC 8461): senders fetch https://mta-sts.example.org/.well-known/mta-sts.txt
; from the https listener (port 443, a certificate for mta-sts.example.org). The
; id changes whenever the policy does ([autoconfig] mta_sts_mode, mta_sts_max_age):
;   version: STSv1
;   mode: testing
;   mx: mail.example.org
;   max_age: 604800
_mta-sts.example.org.           3600 IN TXT   "v=STSv1; id=53489ece145c54a18e5e"
mta-sts.example.org.            3600 IN CNAME mail.example.org.

; TLS reporting (RFC 8460 §3): daily reports on TLS to this server, to postmaster@example.org.
_smtp._tls.example.org.         3600 IN TXT   "v=TLSRPTv1; rua=mailto:postmaster@example.org"
)");
}

TEST(DnsRecords, Refusals) {
  store::MemoryStore store;
  ASSERT_TRUE(store.add_domain("example.org"));
  Config config = config_of(kServer);
  auto remote = dns_records(store, config, {"example.net", "", ""});
  ASSERT_FALSE(remote);
  EXPECT_EQ(remote.error().kind, ErrorKind::not_found);
  EXPECT_EQ(remote.error().message,
            "example.net is not a local domain (postamt domain add example.net)");
  auto v4 = dns_records(store, config, {"example.org", "192.0.2.256", ""});
  ASSERT_FALSE(v4);
  EXPECT_EQ(v4.error().message, "--ipv4 \"192.0.2.256\" is not an IPv4 address");
  auto v6 = dns_records(store, config, {"example.org", "", "192.0.2.1"});
  ASSERT_FALSE(v6);
  EXPECT_EQ(v6.error().message, "--ipv6 \"192.0.2.1\" is not an IPv6 address");
}

TEST(DnsRecords, WithoutAddressesHttpsOrMx) {
  auto out = render_dns_records(
      config_of("hostname = \"mx.example.org\"\n[listen]\npop3s = [\"0.0.0.0:995\"]\n"
                "submission = [\"0.0.0.0:587\"]\n"
                "[outbound]\nrelay = \"smarthost.example.net:25\"\n"),
      {"example.org", "", ""});
  ASSERT_TRUE(out) << out.error().message;
  for (std::string_view line : {
           "; [listen] smtp has no address: this server takes no mail from other servers; point "
           "the MX at the one that does.\n"
           "; example.org.                   3600 IN MX    10 mx.example.org.\n",
           "; mx.example.org needs A and/or AAAA records: run again with --ipv4/--ipv6 to print "
           "them.\n",
           "_imaps._tcp.example.org.       3600 IN SRV   0 0 0 .\n",
           "_pop3s._tcp.example.org.       3600 IN SRV   10 1 995 mx.example.org.\n",
           "; [listen] https has no address: Outlook asks over HTTPS only, so no "
           "_autodiscover._tcp record.\n",
           "; [outbound] relay = smarthost.example.net:25: mail leaves through that host; add its "
           "addresses (ip4:, ip6: or include:) before -all.\n",
           "; warning: [listen] https has no address: nothing serves the policy.\n",
       })
    EXPECT_NE(out->find(line), std::string::npos) << line << "\n" << *out;
  EXPECT_EQ(out->find(" IN A "), std::string::npos);
  EXPECT_EQ(out->find(" IN AAAA "), std::string::npos);
}

}  // namespace
}  // namespace postamt::admin
