"""Client autoconfiguration against the real binary (docs/protocols/autoconfig.md):
Thunderbird autoconfig, Outlook autodiscover (POX), the Apple profile, the MTA-STS policy
on the http/https listeners, and `postamt dns records`. Every document is parsed with
xml.etree (plistlib for the profile) and compared field by field; status codes, content
types, the autodiscover body limit and malformed bodies are checked exactly."""

import hashlib
import http.client
import plistlib
import shutil
import subprocess
import unittest
import xml.etree.ElementTree as ET

from harness import Postamt, unverified_context

DOMAIN = "example.org"
ALICE = "alice@example.org"
HOST = "mx.example.org"
MAX_BODY = 2048
REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
CONFIG = (
    "[autoconfig]\n"
    f'hostname = "{HOST}"\n'
    "submission_port = 2587\n"
    f"max_request_body = {MAX_BODY}\n"
    'mta_sts_mode = "enforce"\n'
    'mta_sts_max_age = "1d"\n'
)
POLICY = f"version: STSv1\r\nmode: enforce\r\nmx: {HOST}\r\nmax_age: 86400\r\n"


def outlook_request(address, schema=OUTLOOK_NS):
    return (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        f'<Autodiscover xmlns="{REQUEST_NS}">\r\n'
        "  <Request>\r\n"
        f"    <EMailAddress>{address}</EMailAddress>\r\n"
        f"    <AcceptableResponseSchema>{schema}</AcceptableResponseSchema>\r\n"
        "  </Request>\r\n"
        "</Autodiscover>\r\n"
    ).encode()


def text_of(element, path, ns=None):
    found = element.find(path, ns or {})
    return None if found is None else found.text


class AutoconfigTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = Postamt(
            services=("smtp", "submission", "submissions", "pop3", "pop3s", "imap", "imaps",
                      "http", "https"),
            extra_config=CONFIG)
        cls.p.cli("domain", "add", DOMAIN, check=True)
        cls.p.cli("user", "add", ALICE, "--password-stdin", input="s3cret\n", check=True)
        cls.p.start()

    @classmethod
    def tearDownClass(cls):
        try:
            assert cls.p.stop() == 0
        finally:
            cls.p.close()

    def request(self, method, target, body=None, headers=None, service="http"):
        host, port = self.p.address(service)
        if service == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=30,
                                               context=unverified_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request(method, target, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    # --- Thunderbird ----------------------------------------------------------------
    def thunderbird(self, target, host="localhost"):
        return self.request("GET", target, headers={"Host": host})

    def test_thunderbird_document(self):
        status, headers, body = self.thunderbird(
            "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40example.org")
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["content-type"], "text/xml; charset=utf-8")
        self.assertEqual(headers["cache-control"], "max-age=3600")
        root = ET.fromstring(body)
        self.assertEqual((root.tag, root.attrib), ("clientConfig", {"version": "1.1"}))
        provider = root.find("emailProvider")
        self.assertEqual(provider.attrib, {"id": DOMAIN})
        self.assertEqual([text_of(provider, k) for k in ("domain", "displayName",
                                                          "displayShortName")], [DOMAIN] * 3)

        def servers(tag):
            return [(s.get("type"),) + tuple(text_of(s, k) for k in (
                "hostname", "port", "socketType", "username", "authentication"))
                for s in provider.findall(tag)]

        login = ("%EMAILADDRESS%", "password-cleartext")
        # Listeners on port 0 are advertised on their IANA ports; submission is overridden.
        self.assertEqual(servers("incomingServer"), [
            ("imap", HOST, "993", "SSL") + login,
            ("imap", HOST, "143", "STARTTLS") + login,
            ("pop3", HOST, "995", "SSL") + login,
            ("pop3", HOST, "110", "STARTTLS") + login,
        ])
        self.assertEqual(servers("outgoingServer"), [
            ("smtp", HOST, "465", "SSL") + login,
            ("smtp", HOST, "2587", "STARTTLS") + login,
        ])
        self.assertEqual([c.tag for c in provider], ["domain", "displayName", "displayShortName"]
                         + ["incomingServer"] * 4 + ["outgoingServer"] * 2)

        # autoconfig.DOMAIN without an address, an unknown user, and HTTPS: the same bytes.
        for target, host, service in (
                ("/mail/config-v1.1.xml", "autoconfig.example.org", "http"),
                ("/mail/config-v1.1.xml", "autoconfig.EXAMPLE.org.:8080", "http"),
                ("/mail/config-v1.1.xml?emailaddress=nobody%40example.org", "x", "http"),
                ("/.well-known/autoconfig/mail/config-v1.1.xml", "example.org", "https")):
            status, _, again = self.request("GET", target, headers={"Host": host},
                                            service=service)
            self.assertEqual((status, again), (200, body), (target, host))

    def test_thunderbird_refusals(self):
        for target, host in (
                ("/mail/config-v1.1.xml?emailaddress=alice%40example.net", "autoconfig.example.org"),
                ("/mail/config-v1.1.xml", "autoconfig.example.net"),
                ("/.well-known/autoconfig/mail/config-v1.1.xml", "[::1]:80"),
                ("/.well-known/autoconfig/mail/config-v1.1.xml", "mx.example.org")):
            status, headers, body = self.thunderbird(target, host)
            self.assertEqual((status, headers["content-type"], body),
                             (404, "text/plain; charset=utf-8",
                              b"No autoconfiguration for this domain\n"), (target, host))
        status, _, body = self.thunderbird("/mail/config-v1.1.xml?emailaddress=nobody")
        self.assertEqual((status, body), (400, b"emailaddress is not a mail address\n"))
        status, headers, _ = self.request("POST", "/mail/config-v1.1.xml", body=b"",
                                          headers={"Host": "autoconfig.example.org"})
        self.assertEqual((status, headers["allow"]), (405, "GET, HEAD"))

    def test_head_gets_gets_length(self):
        target = "/mail/config-v1.1.xml?emailaddress=alice%40example.org"
        _, get_headers, body = self.thunderbird(target)
        status, headers, head_body = self.request("HEAD", target, headers={"Host": "x"})
        self.assertEqual((status, head_body), (200, b""))
        self.assertEqual(int(headers["content-length"]), len(body))
        self.assertEqual(headers["content-type"], get_headers["content-type"])

    # --- Outlook --------------------------------------------------------------------
    def autodiscover(self, body, path="/Autodiscover/Autodiscover.xml"):
        return self.request("POST", path, body=body,
                            headers={"Content-Type": "text/xml; charset=utf-8"})

    def test_autodiscover_settings(self):
        status, headers, body = self.autodiscover(outlook_request(ALICE))
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["content-type"], "text/xml; charset=utf-8")
        self.assertEqual(headers["cache-control"], "no-store")
        root = ET.fromstring(body)
        self.assertEqual(root.tag, f"{{{RESPONSE_NS}}}Autodiscover")
        ns = {"o": OUTLOOK_NS}
        account = root.find("o:Response/o:Account", ns)
        self.assertEqual(text_of(account, "o:AccountType", ns), "email")
        self.assertEqual(text_of(account, "o:Action", ns), "settings")
        fields = ("Type", "Server", "Port", "DomainRequired", "LoginName", "SPA", "SSL",
                  "Encryption", "AuthRequired")
        protocols = [tuple(text_of(p, "o:" + f, ns) for f in fields)
                     for p in account.findall("o:Protocol", ns)]
        self.assertEqual(protocols, [
            ("IMAP", HOST, "993", "off", ALICE, "off", "on", "SSL", "on"),
            ("POP3", HOST, "995", "off", ALICE, "off", "on", "SSL", "on"),
            ("SMTP", HOST, "465", "off", ALICE, "off", "on", "SSL", "on"),
        ])
        # No account oracle: an unknown user of the domain gets the same document.
        status, _, other = self.autodiscover(outlook_request("nobody@example.org"),
                                             path="/autodiscover/autodiscover.xml")
        self.assertEqual(status, 200)
        self.assertEqual(other, body.replace(ALICE.encode(), b"nobody@example.org"))

    def assert_pox_error(self, status_body, status, code, debug):
        got_status, headers, body = status_body
        self.assertEqual(got_status, status, body)
        self.assertEqual(headers["content-type"], "text/xml; charset=utf-8")
        root = ET.fromstring(body)
        ns = {"r": RESPONSE_NS}
        error = root.find("r:Response/r:Error", ns)
        self.assertEqual(text_of(error, "r:ErrorCode", ns), str(code))
        self.assertEqual(text_of(error, "r:DebugData", ns), debug)

    def test_autodiscover_malformed_and_hostile_bodies(self):
        self.assert_pox_error(self.autodiscover(b"<Autodiscover"), 400, 600,
                              "unterminated start tag")
        laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                  + outlook_request("&lol2;").split(b"?>", 1)[1])
        self.assert_pox_error(self.autodiscover(laughs), 400, 600,
                              "a DOCTYPE is not accepted (no DTDs, no entity declarations)")
        self.assert_pox_error(self.autodiscover(outlook_request("&xxe;")), 400, 600,
                              "undeclared entity &xxe;")
        self.assert_pox_error(self.autodiscover(outlook_request("nobody")), 400, 600,
                              "EMailAddress is not a mail address")
        self.assert_pox_error(
            self.autodiscover(outlook_request(ALICE, schema="http://schemas.microsoft.com/"
                                              "exchange/autodiscover/mobilesync/responseschema/2006")),
            200, 601, "only the Outlook 2006a response schema is served")

    def test_autodiscover_body_limit(self):
        request = outlook_request(ALICE)
        at_limit = request + b" " * (MAX_BODY - len(request))
        self.assertEqual(len(at_limit), MAX_BODY)
        status, _, _ = self.autodiscover(at_limit)
        self.assertEqual(status, 200)
        status, _, _ = self.autodiscover(at_limit + b" ")
        self.assertEqual(status, 413)

    def test_autodiscover_refusals(self):
        status, headers, body = self.autodiscover(outlook_request("alice@example.net"))
        self.assertEqual((status, body), (404, b"No autoconfiguration for this domain\n"))
        status, headers, _ = self.request("GET", "/autodiscover/autodiscover.xml")
        self.assertEqual((status, headers["allow"]), (405, "POST"))

    # --- Apple ----------------------------------------------------------------------
    def test_apple_profile(self):
        target = "/apple/mail.mobileconfig?emailaddress=alice%40example.org"
        status, headers, body = self.request("GET", target)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["content-type"], "application/x-apple-aspen-config")
        self.assertEqual(headers["content-disposition"],
                         'attachment; filename="example.org.mobileconfig"')
        self.assertEqual(headers["cache-control"], "no-store")
        self.assertEqual(ET.fromstring(body).tag, "plist")
        profile = plistlib.loads(body)
        [mail] = profile.pop("PayloadContent")
        uuid = profile["PayloadUUID"]
        self.assertRegex(uuid, r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertEqual(profile, {
            "PayloadDescription": f"Mail settings for {ALICE} from {HOST}",
            "PayloadDisplayName": "Mail (example.org)",
            "PayloadIdentifier": f"org.example.mx.postamt.mobileconfig.{uuid}",
            "PayloadOrganization": DOMAIN,
            "PayloadRemovalDisallowed": False,
            "PayloadType": "Configuration",
            "PayloadUUID": uuid,
            "PayloadVersion": 1,
        })
        self.assertNotEqual(mail["PayloadUUID"], uuid)
        self.assertEqual(mail, {
            "EmailAccountDescription": DOMAIN,
            "EmailAccountType": "EmailTypeIMAP",
            "EmailAddress": ALICE,
            "IncomingMailServerAuthentication": "EmailAuthPassword",
            "IncomingMailServerHostName": HOST,
            "IncomingMailServerPortNumber": 993,
            "IncomingMailServerUseSSL": True,
            "IncomingMailServerUsername": ALICE,
            "OutgoingMailServerAuthentication": "EmailAuthPassword",
            "OutgoingMailServerHostName": HOST,
            "OutgoingMailServerPortNumber": 465,
            "OutgoingMailServerUseSSL": True,
            "OutgoingMailServerUsername": ALICE,
            "OutgoingPasswordSameAsIncomingPassword": True,
            "PayloadDescription": f"Mail account {ALICE}",
            "PayloadDisplayName": ALICE,
            "PayloadIdentifier": f"org.example.mx.postamt.mobileconfig.{uuid}.mail",
            "PayloadType": "com.apple.mail.managed",
            "PayloadUUID": mail["PayloadUUID"],
            "PayloadVersion": 1,
        })
        # Stable per address; another address, another profile.
        self.assertEqual(self.request("GET", target)[2], body)
        other = plistlib.loads(self.request(
            "GET", "/apple/mail.mobileconfig?emailaddress=bob%40example.org")[2])
        self.assertNotEqual(other["PayloadUUID"], uuid)

    def test_apple_refusals(self):
        status, _, body = self.request("GET", "/apple/mail.mobileconfig")
        self.assertEqual((status, body), (400, b"give the account as ?emailaddress=user@domain\n"))
        status, _, _ = self.request("GET", "/apple/mail.mobileconfig?emailaddress=a%40example.net")
        self.assertEqual(status, 404)

    # --- MTA-STS --------------------------------------------------------------------
    def test_mta_sts_policy(self):
        for service in ("https", "http"):
            status, headers, body = self.request(
                "GET", "/.well-known/mta-sts.txt", headers={"Host": "mta-sts.example.org"},
                service=service)
            self.assertEqual((status, headers["content-type"], body.decode()),
                             (200, "text/plain; charset=utf-8", POLICY))
            self.assertEqual(headers["cache-control"], "no-store")
        for host in ("mta-sts.example.net", "example.org", "mx.example.org"):
            status, _, _ = self.request("GET", "/.well-known/mta-sts.txt", headers={"Host": host})
            self.assertEqual(status, 404, host)

    # --- curl, once -------------------------------------------------------------------
    @unittest.skipUnless(shutil.which("curl"), "curl is not installed")
    def test_curl(self):
        host, port = self.p.address("http")
        out = subprocess.run(
            ["curl", "-sS", "-i", "-H", "Host: autoconfig.example.org",
             f"http://{host}:{port}/mail/config-v1.1.xml?emailaddress=alice%40example.org"],
            capture_output=True, timeout=30, check=True).stdout
        head, body = out.split(b"\r\n\r\n", 1)
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK\r\n"), head)
        self.assertIn(b"\r\nContent-Type: text/xml; charset=utf-8\r\n", head)
        self.assertEqual(ET.fromstring(body).find("emailProvider").get("id"), DOMAIN)

    # --- postamt dns records ------------------------------------------------------------
    def test_dns_records(self):
        r = self.p.cli("dns", "records", DOMAIN, "--ipv4", "192.0.2.1")
        self.assertEqual((r.code, r.err), (0, ""))
        sts_id = hashlib.sha256(POLICY.encode()).hexdigest()[:20]
        self.maxDiff = None
        self.assertEqual(r.out, DNS_RECORDS.replace("STS_ID", sts_id))
        r = self.p.cli("dns", "records", "example.net")
        self.assertEqual((r.code, r.out, r.err), (
            1, "", "postamt: example.net is not a local domain (postamt domain add example.net)\n"))
        r = self.p.cli("dns", "records", DOMAIN, "--ipv6", "::g")
        self.assertEqual((r.code, r.err), (1, 'postamt: --ipv6 "::g" is not an IPv6 address\n'))


class AutoconfigDisabledTest(unittest.TestCase):
    def test_paths_are_not_served(self):
        with Postamt(services=("imaps", "submissions", "http"),
                     extra_config="[autoconfig]\nenabled = false\n") as p:
            p.cli("domain", "add", DOMAIN, check=True)
            p.start()
            host, port = p.address("http")
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("GET", "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress="
                         "alice%40example.org")
            r = conn.getresponse()
            body = r.read()
            conn.close()
            self.assertEqual(r.status, 404)
            self.assertNotIn(b"clientConfig", body)
            self.assertEqual(p.stop(), 0)


DNS_RECORDS = """\
; DNS records for example.org, served by Postamt on mx.example.org.
; Zone-file syntax (RFC 1035 §5.1), every name absolute; TTLs are a suggestion.

; Mail for example.org goes to this server (RFC 5321 §5.1). An MX names a host
; with address records, never a CNAME (RFC 2181 §10.3).
example.org.                    3600 IN MX    10 mx.example.org.

; The server's addresses. The PTR record of each should name mx.example.org:
; receivers distrust a sender whose address and name do not match.
mx.example.org.                 3600 IN A     192.0.2.1

; Where mail programs find the services (RFC 6186 §3; _submissions: RFC 8314 §5.1).
; IMAP is preferred to POP3 (priority 0 before 10, RFC 6186 §3.4); a service this
; server does not offer has the target "." (RFC 6186 §3.4), so clients skip it.
_imaps._tcp.example.org.        3600 IN SRV   0 1 993 mx.example.org.
_imap._tcp.example.org.         3600 IN SRV   0 1 143 mx.example.org.
_pop3s._tcp.example.org.        3600 IN SRV   10 1 995 mx.example.org.
_pop3._tcp.example.org.         3600 IN SRV   10 1 110 mx.example.org.
_submissions._tcp.example.org.  3600 IN SRV   0 1 465 mx.example.org.
_submission._tcp.example.org.   3600 IN SRV   0 1 2587 mx.example.org.

; Client autoconfiguration (docs/protocols/autoconfig.md): Thunderbird asks
; autoconfig.example.org, Outlook autodiscover.example.org or _autodiscover._tcp. The
; https listener's certificate must cover these names.
autoconfig.example.org.         3600 IN CNAME mx.example.org.
autodiscover.example.org.       3600 IN CNAME mx.example.org.
_autodiscover._tcp.example.org. 3600 IN SRV   0 0 443 mx.example.org.

; SPF (RFC 7208): only the hosts of example.org's MX records send its mail ("mx",
; §5.4), any other host fails ("-all"): Postamt's queue sends from the server that
; receives. The HELO name gets its own record (RFC 7208 §2.3).
example.org.                    3600 IN TXT   "v=spf1 mx -all"
mx.example.org.                 3600 IN TXT   "v=spf1 a -all"

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
;   mode: enforce
;   mx: mx.example.org
;   max_age: 86400
_mta-sts.example.org.           3600 IN TXT   "v=STSv1; id=STS_ID"
mta-sts.example.org.            3600 IN CNAME mx.example.org.

; TLS reporting (RFC 8460 §3): daily reports on TLS to this server, to postmaster@example.org.
_smtp._tls.example.org.         3600 IN TXT   "v=TLSRPTv1; rua=mailto:postmaster@example.org"
"""


if __name__ == "__main__":
    unittest.main()
