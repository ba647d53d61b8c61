"""The MX's mail authentication against the real binary (issue 19,
docs/mail-authentication.md): SPF, DKIM (messages signed by dkimpy) and DMARC records
served by a real nsd on loopback, the Authentication-Results field as delivered, DMARC
reject (550 5.7.1) and quarantine (Junk), forged fields naming us removed, the aggregate
report data, and no receipt for a sender that failed DMARC."""

import base64
import imaplib
import json
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import unittest

from dns_zone import DnsZone
from harness import Postamt

HOST = "mail.example.test"

# dkimpy signs the test mail; it is Debian's python3-dkim, which this interpreter may not
# see (a pyenv python), so it runs under whichever interpreter can import it.
SIGN = """
import sys, dkim
key = open(sys.argv[1], "rb").read()
msg = sys.stdin.buffer.read()
sig = dkim.sign(msg, b"sel", b"signed.test", key,
                include_headers=[b"from", b"to", b"subject", b"message-id", b"date"])
sys.stdout.buffer.write(sig)
"""


def dkimpy_python():
    for candidate in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(candidate) and subprocess.run(
                [candidate, "-c", "import dkim"], capture_output=True).returncode == 0:
            return candidate
    raise AssertionError("python3-dkim is not installed (scripts/install-deps)")


def rsa_key(tmp):
    """A fresh RSA-2048 key: (PEM bytes, the DKIM TXT value split into <=255-char strings)."""
    pem = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                          "rsa_keygen_bits:2048"], check=True, capture_output=True,
                         timeout=60).stdout
    with open(os.path.join(tmp, "dkim.pem"), "wb") as f:
        f.write(pem)
    der = subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER"], input=pem,
                         check=True, capture_output=True, timeout=30).stdout
    value = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    parts = [value[i:i + 250] for i in range(0, len(value), 250)]
    return pem, "( " + " ".join(f'"{p}"' for p in parts) + " )"


def zone(spf, dmarc, extra=""):
    return f'@ TXT "{spf}"\n_dmarc TXT "{dmarc}"\n{extra}'


def message(sender, subject, extra=b""):
    return (f"From: {sender}\r\nTo: bob@example.org\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject}@test>\r\nDate: Mon, 07 Dec 2026 07:00:00 +0000\r\n"
            ).encode() + extra + b"\r\nhello\r\n"


class MailAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="postamt-mailauth-")
        cls.pem, dkim_txt = rsa_key(cls.tmp)
        cls.dns = DnsZone({
            "pass.test": zone("v=spf1 ip4:127.0.0.1 -all", "v=DMARC1; p=reject"),
            "forged.test": zone("v=spf1 -all", "v=DMARC1; p=reject"),
            "junk.test": zone("v=spf1 -all", "v=DMARC1; p=quarantine"),
            "signed.test": zone("v=spf1 -all", "v=DMARC1; p=reject",
                                f"sel._domainkey TXT {dkim_txt}\n"),
            "nopolicy.test": zone("v=spf1 -all", "v=DMARC1; p=none"),
        })
        cls.p = Postamt(services=("smtp", "imap"), mail_auth=True,
                        extra_config=cls.dns.config_toml() +
                        '[receipts]\non_download = "displayed"\n')
        cls.p.cli("domain", "add", "example.org", check=True)
        cls.p.cli("user", "add", "bob@example.org", "--password-stdin", input="pw\n", check=True)
        cls.p.start()

    @classmethod
    def tearDownClass(cls):
        cls.p.close()
        cls.dns.close()
        shutil.rmtree(cls.tmp, True)

    def send(self, sender, body):
        host, port = self.p.address("smtp")
        with smtplib.SMTP(host, port, timeout=30) as s:
            s.ehlo("client.test")
            return s.sendmail(sender, ["bob@example.org"], body)

    def fetch(self, mailbox, subject):
        host, port = self.p.address("imap")
        c = imaplib.IMAP4(host, port, timeout=30)
        c.login("bob@example.org", "pw")
        c.select(f'"{mailbox}"', readonly=True)
        typ, data = c.search(None, "SUBJECT", f'"{subject}"')
        found = []
        for n in data[0].split():
            typ, parts = c.fetch(n, "(BODY.PEEK[])")
            found.append(parts[0][1])
        c.logout()
        return found

    def header_of(self, raw):
        return raw.split(b"\r\n\r\n", 1)[0].decode()

    def test_spf_aligned_pass_is_delivered_with_our_header(self):
        self.assertEqual(self.send("a@pass.test", message("a@pass.test", "pass1")), {})
        (raw,) = self.fetch("INBOX", "pass1")
        header = self.header_of(raw)
        self.assertIn(
            f"Authentication-Results: {HOST};\r\n dkim=none;\r\n"
            " spf=pass smtp.mailfrom=a@pass.test;\r\n"
            " dmarc=pass (p=reject dis=none) header.from=pass.test;\r\n arc=none\r\n", header)
        self.p.wait_for_log(r"authentication: dkim=none spf=pass \(domain=pass\.test\) "
                            r"dmarc=pass \(from=pass\.test\) arc=none action=accept")

    def test_dmarc_reject_is_refused_with_550_5_7_1_and_nothing_is_stored(self):
        with self.assertRaises(smtplib.SMTPDataError) as e:
            self.send("a@forged.test", message("ceo@forged.test", "reject1"))
        self.assertEqual(e.exception.smtp_code, 550)
        self.assertEqual(e.exception.smtp_error,
                         b"5.7.1 Message rejected: it fails the DMARC policy of forged.test "
                         b"(RFC 7489)")
        self.assertEqual(self.fetch("INBOX", "reject1"), [])
        self.assertEqual(self.fetch("Junk", "reject1"), [])

    def test_dmarc_quarantine_goes_to_junk(self):
        self.assertEqual(self.send("x@junk.test", message("x@junk.test", "junk1")), {})
        self.assertEqual(self.fetch("INBOX", "junk1"), [])
        (raw,) = self.fetch("Junk", "junk1")
        header = self.header_of(raw)
        self.assertIn(" dmarc=fail (p=quarantine dis=quarantine)\r\n", header)
        self.assertIn(" header.from=junk.test;\r\n", header)
        self.p.wait_for_log(r"status=sent \(delivered to Junk \(quarantined\)\)")

    def test_policy_none_failure_is_delivered_and_says_so(self):
        self.assertEqual(self.send("x@nopolicy.test", message("x@nopolicy.test", "none1")), {})
        (raw,) = self.fetch("INBOX", "none1")
        header = self.header_of(raw)
        self.assertIn(" dmarc=fail (p=none dis=none)\r\n", header)
        self.assertIn(" header.from=nopolicy.test;\r\n", header)

    def signed(self, subject, tamper=False):
        body = message("news@signed.test", subject)
        sig = subprocess.run([dkimpy_python(), "-c", SIGN, os.path.join(self.tmp, "dkim.pem")],
                             input=body, capture_output=True, check=True, timeout=60).stdout
        signed = sig.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + body
        if tamper:
            signed = signed.replace(b"hello", b"HELLO")
        return signed

    def test_dkim_signature_by_dkimpy_aligns_dmarc_although_spf_fails(self):
        self.assertEqual(self.send("bounce@elsewhere.invalid", self.signed("dkim1")), {})
        (raw,) = self.fetch("INBOX", "dkim1")
        header = self.header_of(raw)
        self.assertIn(" dkim=pass header.d=signed.test header.i=@signed.test header.s=sel\r\n"
                      " header.a=rsa-sha256 header.b=", header)
        self.assertIn(" dmarc=pass (p=reject dis=none) header.from=signed.test;\r\n", header)

    def test_tampered_dkim_message_fails_dmarc_and_is_rejected(self):
        with self.assertRaises(smtplib.SMTPDataError) as e:
            self.send("bounce@elsewhere.invalid", self.signed("dkim2", tamper=True))
        self.assertEqual(e.exception.smtp_code, 550)
        self.p.wait_for_log(r"authentication: dkim=fail \(d=signed\.test s=sel\)")

    def test_forged_fields_naming_us_are_removed_others_kept(self):
        extra = (f"Authentication-Results: {HOST}; dmarc=pass header.from=bank.test\r\n"
                 f"Authentication-Results: MAIL.Example.TEST;\r\n spf=pass\r\n"
                 "Authentication-Results: other.test; spf=pass\r\n").encode()
        self.assertEqual(self.send("a@pass.test", message("a@pass.test", "forge1", extra)), {})
        (raw,) = self.fetch("INBOX", "forge1")
        header = self.header_of(raw)
        self.assertEqual(header.count(f"Authentication-Results: {HOST}"), 1)
        self.assertNotIn("bank.test", header)
        self.assertNotIn("MAIL.Example.TEST", header)
        self.assertTrue(header.endswith("\r\nAuthentication-Results: other.test; spf=pass"), header)
        self.p.wait_for_log(r"removed 2 Authentication-Results field\(s\) naming "
                            r"mail\.example\.test")

    def test_header_beginning_with_a_folded_line_is_refused(self):
        # It would continue whatever we put above it: our own Authentication-Results field.
        body = (f" (\r\nAuthentication-Results: {HOST}; dmarc=pass\r\n").encode() + \
            message("ceo@pass.test", "fold1")
        with self.assertRaises(smtplib.SMTPDataError) as e:
            self.send("a@pass.test", body)
        self.assertEqual(e.exception.smtp_code, 550)
        self.assertEqual(e.exception.smtp_error,
                         b"5.6.0 Message header begins with a folded line (RFC 5322 section 2.2.3)")
        self.assertEqual(self.fetch("INBOX", "fold1"), [])

    def test_aggregate_report_data_and_the_report_command(self):
        self.assertEqual(self.send("a@pass.test", message("a@pass.test", "agg1")), {})
        self.fetch("INBOX", "agg1")
        folder = os.path.join(self.p.dir, "data", "dmarc")
        rows = []
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name)) as f:
                rows += [json.loads(line) for line in f]
        mine = [r for r in rows if r["header_from"] == "pass.test"]
        self.assertTrue(mine)
        self.assertEqual(mine[-1]["source_ip"], "127.0.0.1")
        date = mine[-1]["date"]
        r = self.p.cli("dmarc", "report", "pass.test", "--date", date)
        self.assertEqual(r.code, 0, r)
        self.assertIn("<source_ip>127.0.0.1</source_ip>", r.out)
        self.assertIn("<header_from>pass.test</header_from>", r.out)

    def test_no_receipt_for_a_sender_that_failed_dmarc(self):
        # A quarantined message asks for a receipt; reading it must not send one to the
        # (probably forged) sender, and the ledger says why (docs/read-receipts.md).
        body = message("x@junk.test", "mdn1", b"Disposition-Notification-To: x@junk.test\r\n")
        self.assertEqual(self.send("x@junk.test", body), {})
        host, port = self.p.address("imap")
        c = imaplib.IMAP4(host, port, timeout=30)
        c.login("bob@example.org", "pw")
        c.select("Junk")
        typ, data = c.search(None, "SUBJECT", "mdn1")
        (n,) = data[0].split()
        c.fetch(n, "(BODY[])")
        c.logout()
        self.p.wait_for_log(r"receipt on download: refused .*sender failed DMARC "
                            r"\(p=quarantine\)")
        listed = self.p.cli("receipts", "list", "--user", "bob@example.org")
        self.assertEqual(listed.code, 0, listed)
        self.assertRegex(listed.out, r"refused .*bob@example\.org -> x@junk\.test .*<mdn1@test>.*"
                                     r"sender failed DMARC \(p=quarantine\)")
        self.assertNotRegex(listed.out, r"(?m)^sent .*<mdn1@test>")


if __name__ == "__main__":
    unittest.main()
