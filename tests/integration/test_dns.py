"""The libunbound resolver ([dns]) against real zones served by nsd on loopback
(dns_zone.py): `postamt dns lookup` for each answer class (secure, insecure, bogus,
NXDOMAIN, NODATA, a TXT answer too large for UDP, an unreachable forwarder) and the
outbound queue's MX routing through it (secure delivery; a bogus zone defers)."""

import os
import re
import shutil
import smtplib
import socket
import tempfile
import unittest

from dns_zone import DnsZone
from harness import Postamt
from smtp_sink import Sink

# 20 character-strings of 200 octets: 4020 octets of RDATA, far above the 1232 octets
# libunbound offers over UDP (EDNS buffer size), so nsd must truncate (TC) and the answer
# can only arrive over TCP (RFC 7766 §5).
BIG_TXT = "".join(chr(ord("a") + i % 26) * 200 for i in range(20))

ZONE = f"""
@          MX    10 mx
mx         A     127.0.0.3
@          TXT   "v=spf1 ip4:127.0.0.3 -all"
big        TXT   {" ".join('"' + BIG_TXT[i:i + 200] + '"' for i in range(0, len(BIG_TXT), 200))}
_25._tcp.mx TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
"""


def lookup(p, rrtype, name):
    return p.cli("dns", "lookup", rrtype, name)


class DnsLookupTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = DnsZone({"signed.test": ZONE, "plain.test": ZONE, "broken.test": ZONE},
                          signed={"signed.test"}, bogus={"broken.test"})
        cls.p = Postamt(services=("smtp",), extra_config=cls.dns.config_toml())

    @classmethod
    def tearDownClass(cls):
        cls.p.close()
        cls.dns.close()

    def test_signed_zone_answers_are_secure(self):
        r = lookup(self.p, "mx", "signed.test")
        self.assertEqual((r.code, r.out, r.err), (0, "10 mx.signed.test\nsecure\n", ""))
        self.assertEqual(lookup(self.p, "a", "MX.Signed.Test.").out, "127.0.0.3\nsecure\n")
        self.assertEqual(lookup(self.p, "txt", "signed.test").out,
                         "v=spf1 ip4:127.0.0.3 -all\nsecure\n")
        self.assertEqual(lookup(self.p, "tlsa", "_25._tcp.mx.signed.test").out,
                         "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                         "\nsecure\n")

    def test_unsigned_zone_answers_are_insecure(self):
        # Only the test zones' anchors are configured: no chain covers plain.test.
        r = lookup(self.p, "mx", "plain.test")
        self.assertEqual((r.code, r.out, r.err), (0, "10 mx.plain.test\ninsecure\n", ""))

    def test_bogus_zone_is_a_temporary_failure_naming_bogus(self):
        r = lookup(self.p, "mx", "broken.test")
        self.assertEqual(r.code, 1, r)
        self.assertEqual(r.out, "")
        self.assertRegex(r.err, r"^postamt: DNS MX lookup of broken\.test: DNSSEC bogus: .*"
                                r"expired.*\n$")

    def test_nxdomain_exits_2_and_nodata_is_an_empty_answer(self):
        for name in ("nothere.signed.test", "nothere.plain.test"):
            r = lookup(self.p, "mx", name)
            self.assertEqual((r.code, r.out, r.err), (2, "NXDOMAIN\n", ""), name)
        # NODATA: the name exists without AAAA records; the denial is validated (NSEC).
        self.assertEqual(lookup(self.p, "aaaa", "mx.signed.test").out, "secure\n")
        self.assertEqual(lookup(self.p, "aaaa", "mx.plain.test").out, "insecure\n")

    def test_txt_answer_too_large_for_udp_arrives_over_tcp(self):
        r = lookup(self.p, "txt", "big.signed.test")
        self.assertEqual((r.code, r.out, r.err), (0, BIG_TXT + "\nsecure\n", ""))

    def test_bad_type_and_name(self):
        r = lookup(self.p, "cname", "signed.test")
        self.assertEqual((r.code, r.out), (1, ""))
        self.assertEqual(r.err, 'postamt: unknown record type "cname" (mx, a, aaaa, txt, ptr or '
                                'tlsa)\n')
        r = lookup(self.p, "a", "a..b")
        self.assertEqual((r.code, r.err), (1, 'postamt: not a valid DNS name: "a..b"\n'))


class DnsFailureTest(unittest.TestCase):
    def test_unreachable_forwarder_is_temporary(self):
        # A UDP port with no listener: the kernel answers "port unreachable" (and TCP is
        # refused), so the lookup fails within the configured timeout.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        p = Postamt(services=("smtp",), extra_config=(
            f'[dns]\nforwarders = ["127.0.0.1:{port}"]\ndnssec = false\ntimeout = "2s"\n'))
        self.addCleanup(p.close)
        r = lookup(p, "mx", "example.org")
        self.assertEqual((r.code, r.out), (1, ""), r)
        self.assertRegex(r.err, r"^postamt: DNS MX lookup of example\.org: "
                                r"(SERVFAIL|no answer within 2000ms)\n$")

    def test_old_outbound_resolver_key_is_refused(self):
        p = Postamt(services=("smtp",), extra_config='[outbound]\nresolver = "127.0.0.1:53"\n')
        self.addCleanup(p.close)
        r = lookup(p, "mx", "example.org")
        self.assertEqual(r.code, 1)
        self.assertIn('outbound.resolver: removed: use [dns] forwarders = ["ip:port"]', r.err)

    def test_missing_trust_anchor_file_stops_the_server_with_a_reason(self):
        p = Postamt(services=("smtp",), extra_config=(
            '[dns]\nforwarders = ["127.0.0.1"]\ntrust_anchor_file = "/nonexistent/root.key"\n'))
        self.addCleanup(p.close)
        r = lookup(p, "mx", "example.org")
        self.assertEqual(r.code, 1)
        self.assertEqual(r.err, "postamt: dns: cannot read the trust-anchor file "
                                "/nonexistent/root.key (install dns-root-data, set [dns] "
                                "trust_anchor_file, or dnssec = false)\n")


class DnsOutboundTest(unittest.TestCase):
    """MX routing through the resolver: the sink listens on 127.0.0.3:25, the MX host's
    address in the zones (test_outbound.py uses 127.0.0.2:25; both may run at once)."""

    def setUp(self):
        self.dns = DnsZone({"signed.test": ZONE, "plain.test": ZONE, "broken.test": ZONE},
                           signed={"signed.test"}, bogus={"broken.test"})
        self.addCleanup(self.dns.close)
        self.sink = Sink(host="127.0.0.3", port=25)
        self.addCleanup(self.sink.close)
        self.p = Postamt(services=("smtp", "submission"),
                         extra_config=self.dns.config_toml() + '[outbound]\nmax_age = "1h"\n')
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", "alice@example.org", "--password-stdin", input="pw\n",
                   check=True)

    def submit(self, rcpt):
        host, port = self.p.address("submission")
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.login("alice@example.org", "pw")
            return s.sendmail("alice@example.org", [rcpt],
                              b"From: alice@example.org\r\nSubject: dns\r\n\r\nhi\r\n")

    def test_mx_of_a_signed_zone_with_tlsa_requires_dane_and_unsigned_one_does_not(self):
        # signed.test's MX has a secure TLSA record ([outbound] tls = "dane", the default):
        # the plaintext sink cannot satisfy it, so the message waits (RFC 7672 §2.2).
        # plain.test has the same records unsigned: TLSA is ignored, delivery goes on.
        self.p.start()
        self.assertEqual(self.submit("carol@signed.test"), {})
        self.p.wait_for_log(r"to=<carol@signed\.test>, relay=mx\.signed\.test\[127\.0\.0\.3\]:25,"
                            r" .*dsn=4\.7\.4, status=deferred \(TLS required by DANE for "
                            r"mx\.signed\.test: STARTTLS not offered\)")
        self.assertEqual(self.sink.messages, [])
        self.assertEqual(self.submit("carol@plain.test"), {})
        (mail_from, rcpts, data), = self.sink.wait_for_messages(1)
        self.assertEqual((mail_from, rcpts), ("alice@example.org", ["carol@plain.test"]))
        self.p.wait_for_log(r"to=<carol@plain\.test>, relay=mx\.plain\.test\[127\.0\.0\.3\]:25,"
                            r" .*status=sent")
        self.assertEqual(self.p.stop(), 0)

    def test_bogus_zone_defers_and_says_bogus(self):
        self.p.start()
        self.assertEqual(self.submit("dave@broken.test"), {})
        line = self.p.wait_for_log(r"to=<dave@broken\.test>, relay=none, .*dsn=4\.4\.3, "
                                   r"status=deferred \(DNS MX lookup of broken\.test: DNSSEC "
                                   r"bogus: ")
        qid = line.split("]: ")[1].split(":")[0]
        shown = self.p.cli("queue", "show", qid)
        self.assertEqual(shown.code, 0, shown)
        self.assertIn("DNSSEC bogus", shown.out)
        self.assertEqual(self.sink.messages, [])
        self.assertEqual(self.p.stop(), 0)


if __name__ == "__main__":
    unittest.main()
