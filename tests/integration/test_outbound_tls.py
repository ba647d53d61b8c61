"""Outbound TLS against the real binary (docs/mail-authentication/outbound-tls.md): a
per-domain "verify" policy (PKIX against [outbound] ca_file, never plaintext), and the
smart host's AUTH over verified STARTTLS or implicit TLS (RFC 4954, RFC 4616, RFC 8314).
Certificates are made with `openssl` at test time. DANE runs against a DNSSEC-signed
zone served by tests/integration/dns_zone.py (nsd on loopback) through the validating
resolver."""

import base64
import hashlib
import json
import os
import shutil
import smtplib
import ssl
import subprocess
import tempfile
import time
import unittest

from dns_zone import DnsZone
from harness import Postamt
from tls_smtp_sink import TlsSink

MESSAGE = (b"From: alice@example.org\r\nTo: carol@x.test\r\nSubject: tls\r\n"
           b"Message-ID: <tls-1@example.org>\r\n\r\nover TLS only\r\n")


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)


def make_ca(directory):
    key, pem = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-days", "2", "-subj", "/CN=Postamt Test CA", "-addext",
            "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
            "-keyout", key, "-out", pem)
    return key, pem


def make_leaf(directory, name, alt_name, ca=None):
    """A server certificate for `alt_name` ("DNS:mx.x.test", "IP:127.0.0.1"), signed by
    `ca` (key, pem) or self-signed. Returns the path of a PEM with key and certificate."""
    key = os.path.join(directory, f"{name}.key")
    pem = os.path.join(directory, f"{name}.pem")
    ext = os.path.join(directory, f"{name}.ext")
    with open(ext, "w") as f:
        f.write(f"subjectAltName={alt_name}\nbasicConstraints=critical,CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    if ca:
        csr = os.path.join(directory, f"{name}.csr")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", f"/CN={name}", "-keyout", key, "-out", csr)
        openssl("x509", "-req", "-in", csr, "-CA", ca[1], "-CAkey", ca[0], "-CAcreateserial",
                "-days", "2", "-extfile", ext, "-out", pem)
    else:
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName={alt_name}",
                "-keyout", key, "-out", pem)
    both = os.path.join(directory, f"{name}.both.pem")
    with open(both, "w") as out:
        for part in (pem, key):
            with open(part) as f:
                out.write(f.read())
    return both


def server_context(pem):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    return context


def submit(p, rcpts=("carol@x.test",)):
    host, port = p.address("submission")
    with smtplib.SMTP(host, port, timeout=20) as s:
        s.ehlo("client.test")
        s.login("alice@example.org", "pw")
        return s.sendmail("alice@example.org", list(rcpts), MESSAGE)


class OutboundTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="postamt-outbound-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.ca = make_ca(cls.tmp)
        cls.trusted_mx = make_leaf(cls.tmp, "mx.x.test", "DNS:mx.x.test", cls.ca)
        cls.self_signed_mx = make_leaf(cls.tmp, "self", "DNS:mx.x.test")
        cls.trusted_relay = make_leaf(cls.tmp, "relay", "IP:127.0.0.1", cls.ca)

    def server(self, outbound, tables="", dns_toml=""):
        p = Postamt(services=("smtp", "submission"),
                    extra_config=f'{dns_toml}[outbound]\nca_file = "{self.ca[1]}"\n'
                                 f'max_age = "1h"\n{outbound}{tables}')
        self.addCleanup(p.close)
        p.cli("domain", "add", "example.org", check=True)
        p.cli("user", "add", "alice@example.org", "--password-stdin", input="pw\n", check=True)
        return p

    # --- [outbound.tls_policy] "x.test" = "verify" ---------------------------------

    def mx_server(self, address, sink_tls):
        """x.test's MX is mx.x.test at `address`:25; its policy is "verify"."""
        sink = TlsSink(host=address, port=25, tls=sink_tls)
        self.addCleanup(sink.close)
        dns = DnsZone({"x.test": f"@ MX 10 mx\nmx A {address}\n"})
        self.addCleanup(dns.close)
        p = self.server("", '[outbound.tls_policy]\n"x.test" = "verify"\n',
                        dns.config_toml(dnssec=False))
        p.start()
        return p, sink

    def queue_id(self, line):
        return line.split("]: ")[1].split(":")[0]

    def test_verify_policy_with_an_untrusted_certificate_defers(self):
        p, sink = self.mx_server("127.0.0.41", server_context(self.self_signed_mx))
        self.assertEqual(submit(p), {})
        reason = ("TLS required by policy for mx.x.test: certificate verification failed: "
                  "self-signed certificate")
        line = p.wait_for_log(r"to=<carol@x\.test>, relay=mx\.x\.test\[127\.0\.0\.41\]:25, "
                              r"delay=[\d.]+, dsn=4\.7\.5, status=deferred \(" +
                              reason.replace(".", r"\.") + r"\)$")
        qid = self.queue_id(line)
        shown = self.wait_for_show(p, qid, "4.7.5")
        self.assertIn(f"recipient: <carol@x.test> pending 4.7.5 ({reason})\n", shown)
        self.assertEqual(sink.messages, [])
        self.assertEqual([l for _, l in sink.lines()], ["EHLO mail.example.test", "STARTTLS"])
        self.assertEqual(p.stop(), 0)

    def test_verify_policy_with_a_trusted_certificate_delivers_over_tls(self):
        p, sink = self.mx_server("127.0.0.42", server_context(self.trusted_mx))
        self.assertEqual(submit(p), {})
        (mail_from, rcpts, data, over_tls), = sink.wait_for_messages(1)
        self.assertEqual((mail_from, rcpts, over_tls), ("alice@example.org", ["carol@x.test"], True))
        self.assertTrue(data.endswith(b"\r\n\r\nover TLS only\r\n"))
        p.wait_for_log(r"to=<carol@x\.test>, relay=mx\.x\.test\[127\.0\.0\.42\]:25, .*status=sent")
        # Nothing but EHLO and STARTTLS went over the plaintext connection.
        self.assertEqual([l for tls, l in sink.lines() if not tls],
                         ["EHLO mail.example.test", "STARTTLS"])
        self.assertEqual(p.stop(), 0)

    def test_verify_policy_without_starttls_defers_and_never_sends_in_plaintext(self):
        p, sink = self.mx_server("127.0.0.43", None)
        self.assertEqual(submit(p), {})
        line = p.wait_for_log(r"to=<carol@x\.test>, relay=mx\.x\.test\[127\.0\.0\.43\]:25, "
                              r"delay=[\d.]+, dsn=4\.7\.4, status=deferred \(TLS required by "
                              r"policy for mx\.x\.test: STARTTLS not offered\)$")
        shown = self.wait_for_show(p, self.queue_id(line), "4.7.4")
        self.assertIn("recipient: <carol@x.test> pending 4.7.4 (TLS required by policy for "
                      "mx.x.test: STARTTLS not offered)\n", shown)
        self.assertEqual(sink.lines(), [(False, "EHLO mail.example.test"), (False, "QUIT")])
        self.assertEqual(sink.messages, [])
        self.assertEqual(p.stop(), 0)

    def wait_for_show(self, p, qid, status):
        # The worker logs before it saves the attempt to the queue file.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            out = p.cli("queue", "show", qid).out
            if status in out:
                return out
            time.sleep(0.1)
        raise AssertionError(f"queue show {qid} never showed {status}: {out}")

    # --- the smart host: AUTH over verified TLS -----------------------------------

    def relay_server(self, sink, password_mode=0o600, password="s3cret pw", relay_tls=""):
        password_file = os.path.join(tempfile.mkdtemp(dir=self.tmp), "relay.pass")
        with open(password_file, "w") as f:
            f.write(password + "\n")
        os.chmod(password_file, password_mode)
        return self.server(f'relay = "127.0.0.1:{sink.address[1]}"\n'
                           f'relay_username = "postamt@provider.test"\n'
                           f'relay_password_file = "{password_file}"\n{relay_tls}')

    def relay_sink(self, **kwargs):
        sink = TlsSink(auth=("postamt@provider.test", "s3cret pw"), **kwargs)
        self.addCleanup(sink.close)
        return sink

    def test_auth_plain_over_starttls_is_sent_as_rfc4616_says(self):
        sink = self.relay_sink(tls=server_context(self.trusted_relay))
        p = self.relay_server(sink)
        p.start()
        self.assertEqual(submit(p), {})
        (_, rcpts, _, over_tls), = sink.wait_for_messages(1)
        self.assertEqual((rcpts, over_tls), (["carol@x.test"], True))
        expected = "AUTH PLAIN " + base64.b64encode(
            b"\0postamt@provider.test\0s3cret pw").decode()
        self.assertEqual(sink.lines()[:4], [(False, "EHLO mail.example.test"),
                                            (False, "STARTTLS"),
                                            (True, "EHLO mail.example.test"),
                                            (True, expected)])
        p.wait_for_log(r"to=<carol@x\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*status=sent")
        self.assertFalse(any("s3cret" in line for line in p.log_lines))
        self.assertEqual(p.stop(), 0)

    def test_auth_login_when_only_login_is_offered(self):
        sink = self.relay_sink(tls=server_context(self.trusted_relay), mechanisms=("LOGIN",))
        p = self.relay_server(sink)
        p.start()
        submit(p)
        sink.wait_for_messages(1)
        self.assertEqual([l for _, l in sink.lines()[3:6]],
                         ["AUTH LOGIN", base64.b64encode(b"postamt@provider.test").decode(),
                          base64.b64encode(b"s3cret pw").decode()])
        self.assertEqual(p.stop(), 0)

    def test_implicit_tls_relay(self):
        sink = self.relay_sink(tls=server_context(self.trusted_relay), implicit=True)
        p = self.relay_server(sink, relay_tls='relay_tls = "implicit"\n')
        p.start()
        submit(p)
        (_, _, _, over_tls), = sink.wait_for_messages(1)
        self.assertTrue(over_tls)
        self.assertTrue(all(tls for tls, _ in sink.lines()))
        self.assertEqual(p.stop(), 0)

    def test_wrong_password_is_deferred_and_logged(self):
        sink = self.relay_sink(tls=server_context(self.trusted_relay))
        p = self.relay_server(sink, password="wrong")
        p.start()
        submit(p)
        p.wait_for_log(r"to=<carol@x\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, "
                       r"delay=[\d.]+, dsn=4\.7\.8, status=deferred \(127\.0\.0\.1 refused the "
                       r"credentials: 535 5\.7\.8 Authentication credentials invalid\)$")
        self.assertEqual(sink.messages, [])
        self.assertFalse(any("wrong" in line for line in p.log_lines))
        self.assertEqual(p.stop(), 0)

    def test_relay_without_starttls_never_gets_the_password(self):
        sink = self.relay_sink()
        p = self.relay_server(sink)
        p.start()
        submit(p)
        p.wait_for_log(r"to=<carol@x\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, "
                       r"delay=[\d.]+, dsn=4\.7\.4, status=deferred \(TLS required by the relay "
                       r"settings for 127\.0\.0\.1: STARTTLS not offered\)$")
        self.assertEqual(sink.lines(), [(False, "EHLO mail.example.test"), (False, "QUIT")])
        self.assertEqual(sink.messages, [])
        self.assertEqual(p.stop(), 0)

    def test_relay_with_an_untrusted_certificate_is_deferred(self):
        sink = self.relay_sink(tls=server_context(self.self_signed_mx))
        p = self.relay_server(sink)
        p.start()
        submit(p)
        p.wait_for_log(r"dsn=4\.7\.5, status=deferred \(TLS required by the relay settings for "
                       r"127\.0\.0\.1: certificate verification failed: self-signed certificate\)$")
        self.assertFalse(any(l.startswith("AUTH") for _, l in sink.lines()))
        self.assertEqual(p.stop(), 0)

    def test_password_file_readable_by_others_is_refused_at_start(self):
        sink = self.relay_sink(tls=server_context(self.trusted_relay))
        p = self.relay_server(sink, password_mode=0o644)
        with self.assertRaises(AssertionError):
            p.start()
        self.assertTrue(any("relay.pass is accessible by others (mode 644); chmod o= it" in line
                            for line in p.log_lines), p.log_lines)
        self.assertFalse(any("s3cret" in line for line in p.log_lines))


def spki_sha256_hex(pem):
    """The data of a "3 1 1" TLSA record for the certificate in `pem` (RFC 7671 §5.1)."""
    pub = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-pubkey"], check=True,
                         capture_output=True, timeout=30).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                         check=True, capture_output=True, timeout=30).stdout
    return hashlib.sha256(der).hexdigest()


def tls_rpt_rows(p):
    """(domain, policy type, MX, address, success, failure) of every TLS-RPT line written."""
    folder = os.path.join(p.dir, "data", "tls-rpt")
    rows = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, name)) as f:
            for line in f:
                r = json.loads(line)
                rows.append((r["domain"], r["policy_type"], r["mx_host"], r["address"],
                             r["success"], r.get("failure", "")))
    return rows


DANE_ZONE = """@    MX   10 mx
mx   A    {address}
_25._tcp.mx TLSA 3 1 1 {digest}
"""


class DaneTest(unittest.TestCase):
    """RFC 7672 against a signed zone: the sink's certificate is self-signed and not in
    ca_file, so only the TLSA record can make it acceptable."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="postamt-dane-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.ca = make_ca(cls.tmp)
        cls.cert = make_leaf(cls.tmp, "mx.dane.test", "DNS:mx.dane.test")

    def deliver(self, address, digest):
        sink = TlsSink(host=address, port=25, tls=server_context(self.cert))
        self.addCleanup(sink.close)
        dns = DnsZone({"dane.test": DANE_ZONE.format(address=address, digest=digest)},
                      signed={"dane.test"})
        self.addCleanup(dns.close)
        p = Postamt(services=("smtp", "submission"),
                    extra_config=f'{dns.config_toml()}\n[outbound]\nca_file = "{self.ca[1]}"\n'
                                 'max_age = "1h"\n')
        self.addCleanup(p.close)
        p.cli("domain", "add", "example.org", check=True)
        p.cli("user", "add", "alice@example.org", "--password-stdin", input="pw\n", check=True)
        p.start()
        self.assertEqual(submit(p, ["carol@dane.test"]), {})
        return p, sink

    def test_dane_ee_record_of_the_key_delivers_over_tls(self):
        p, sink = self.deliver("127.0.0.45", spki_sha256_hex(self.cert))
        (_, rcpts, _, over_tls), = sink.wait_for_messages(1)
        self.assertEqual((rcpts, over_tls), (["carol@dane.test"], True))
        p.wait_for_log(r"to=<carol@dane\.test>, relay=mx\.dane\.test\[127\.0\.0\.45\]:25, "
                       r".*status=sent")
        self.assertEqual(p.stop(), 0)
        # The attempt is TLS-RPT data (RFC 8460): a DANE success for dane.test.
        self.assertEqual(tls_rpt_rows(p), [("dane.test", "tlsa", "mx.dane.test", "127.0.0.45",
                                            True, "")])

    def test_dane_mismatch_defers_and_sends_nothing(self):
        p, sink = self.deliver("127.0.0.46", "00" * 32)
        p.wait_for_log(r"to=<carol@dane\.test>, relay=mx\.dane\.test\[127\.0\.0\.46\]:25, "
                       r"delay=[\d.]+, dsn=4\.7\.5, status=deferred \(TLS required by DANE for "
                       r"mx\.dane\.test: certificate does not match the TLSA records\)$")
        self.assertEqual(sink.messages, [])
        self.assertFalse(any(l.startswith("MAIL") for _, l in sink.lines()))
        self.assertEqual(p.stop(), 0)
        rows = tls_rpt_rows(p)
        self.assertTrue(rows, "no TLS-RPT data")
        self.assertEqual(set(rows), {("dane.test", "tlsa", "mx.dane.test", "127.0.0.46", False,
                                      "tlsa-invalid")})


if __name__ == "__main__":
    unittest.main()
