"""DKIM signing against the real binary (docs/mail-authentication/dkim.md): keys made by
`postamt dkim generate`, a message submitted for a remote address, captured by the
smart-host sink, and its signatures verified by dkimpy (Debian python3-dkim) with the
records the commands printed."""

import json
import os
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import unittest

from harness import Postamt
from smtp_sink import Sink

HERE = os.path.dirname(os.path.abspath(__file__))
MESSAGE = (b"From: Alice <alice@example.org>\r\nTo: carol@remote.test\r\n"
           b"Subject: signed   mail\r\nMessage-ID: <dkim-1@example.org>\r\n"
           b"Date: Mon, 07 Dec 2026 08:00:00 +0000\r\n\r\nhello remote\r\n.dot line\r\n")


def dkimpy_python():
    """An interpreter that can import dkimpy: this one, else Debian's (the package installs
    into the system Python, which a virtualenv or pyenv interpreter does not see)."""
    for candidate in (sys.executable, "/usr/bin/python3"):
        if candidate and os.path.exists(candidate) and subprocess.run(
                [candidate, "-c", "import dkim"], capture_output=True).returncode == 0:
            return candidate
    return None


PYTHON = dkimpy_python()


def records_of(text):
    """{"<selector>._domainkey.<domain>": record} from zone-file TXT lines."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(\S+\._domainkey\.\S+?)\.?\s+\d+ IN TXT\s+(.*)$", line)
        if m:
            out[m.group(1)] = "".join(re.findall(r'"([^"]*)"', m.group(2)))
    return out


@unittest.skipUnless(PYTHON, "python3-dkim is not installed (scripts/install-deps)")
class DkimSigningTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.tmp = tempfile.mkdtemp(prefix="postamt-dkim-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.p = Postamt(services=("smtp", "submission"),
                         extra_config=f'[outbound]\nrelay = "127.0.0.1:{self.sink.address[1]}"\n')
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", "alice@example.org", "--password-stdin", input="pw\n", check=True)

    def dkimpy(self, message, records):
        msg_file = os.path.join(self.tmp, "message.eml")
        rec_file = os.path.join(self.tmp, "records.json")
        with open(msg_file, "wb") as f:
            f.write(message)
        with open(rec_file, "w") as f:
            json.dump(records, f)
        proc = subprocess.run([PYTHON, os.path.join(HERE, "dkimpy_verify.py"), msg_file, rec_file],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout.splitlines()

    def submit(self, body=MESSAGE):
        host, port = self.p.address("submission")
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.ehlo("client.test")
            s.login("alice@example.org", "pw")
            s.sendmail("alice@example.org", ["carol@remote.test"], body)
        (_, _, data), = self.sink.wait_for_messages(1)
        return data

    def test_rsa_and_ed25519_signatures_verify_with_dkimpy(self):
        rsa = self.p.cli("dkim", "generate", "example.org", "--selector", "r1", check=True)
        self.assertRegex(rsa.out, r"^; \S+/dkim/example\.org/r1\.pem \(rsa-sha256, 2048 bits\)\. "
                                  r"Publish this record, then restart postamt serve to sign with it:\n"
                                  r'r1\._domainkey\.example\.org\. 3600 IN TXT "v=DKIM1; k=rsa; p=')
        ed = self.p.cli("dkim", "generate", "example.org", "--algorithm", "ed25519", check=True)
        self.assertRegex(ed.out, r'\ned25519-\d{8}\._domainkey\.example\.org\. 3600 IN TXT '
                                 r'"v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="\n$')
        ed_selector = re.search(r"\n(ed25519-\d{8})\._domainkey", ed.out).group(1)
        key_file = os.path.join(self.p.dir, "data", "dkim", "example.org", "r1.pem")
        self.assertEqual(os.stat(key_file).st_mode & 0o777, 0o600)

        listed = self.p.cli("dkim", "list", check=True).out.splitlines()
        self.assertEqual([l.split()[:4] for l in listed],
                         [["example.org", "r1", "rsa-sha256", "2048"],
                          ["example.org", ed_selector, "ed25519-sha256", "256"]])

        # `dns records` prints the same records the generate commands did.
        zone = self.p.cli("dns", "records", "example.org", check=True).out
        records = records_of(zone)
        self.assertEqual(records, {**records_of(rsa.out), **records_of(ed.out)})
        self.assertEqual(len(records), 2)

        self.p.start()
        self.p.wait_for_log(r"postamt/smtp\[\d+\]: dkim: signing with 2 key\(s\) from ")
        data = self.submit()
        self.assertTrue(data.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
                                        b"d=example.org; s=r1;\r\n t="), data[:300])
        self.assertIn(b"\r\nDKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; "
                      b"d=example.org;\r\n s=" + ed_selector.encode() + b"; t=", data)
        self.assertTrue(data.endswith(MESSAGE), data)
        for line in data.split(b"\r\n"):
            self.assertLessEqual(len(line), 998)
        header = data[:data.index(b"\r\nReceived: ")]
        for line in header.split(b"\r\n"):
            self.assertLessEqual(len(line), 78, line)
        self.p.wait_for_log(rf"postamt/smtp\[\d+\]: \w+: dkim-signed d=example\.org s=r1, "
                            rf"d=example\.org s={ed_selector}$")

        self.assertEqual(self.dkimpy(data, records), ["pass", "pass"])
        # The oracle can fail: a changed body, a changed Subject, and the wrong key.
        self.assertEqual([r.split()[0] for r in self.dkimpy(data.replace(b"hello", b"HELLO"), records)],
                         ["fail", "fail"])
        self.assertEqual([r.split()[0] for r in self.dkimpy(data.replace(b"signed   mail", b"signed mall"), records)],
                         ["fail", "fail"])
        swapped = dict(records)
        swapped["r1._domainkey.example.org"] = records_of(
            self.p.cli("dkim", "generate", "example.org", "--selector", "r2", check=True).out
        )["r2._domainkey.example.org"]
        self.assertEqual([r.split()[0] for r in self.dkimpy(data, swapped)], ["fail", "pass"])

    def test_no_key_no_signature(self):
        self.p.start()
        data = self.submit()
        self.assertTrue(data.startswith(b"Received: "), data[:200])

    def test_sign_false_keeps_keys_unused(self):
        self.p.cli("dkim", "generate", "example.org", "--selector", "r1", check=True)
        with open(self.p.config, "a") as f:
            f.write("[dkim]\nsign = false\n")
        self.assertIn("; [dkim] sign = false: the keys are not used for now.\n",
                      self.p.cli("dns", "records", "example.org", check=True).out)
        self.p.start()
        data = self.submit()
        self.assertTrue(data.startswith(b"Received: "), data[:200])

    def test_key_readable_by_others_is_refused(self):
        self.p.cli("dkim", "generate", "example.org", "--selector", "r1", "--algorithm", "ed25519",
                   check=True)
        key_file = os.path.join(self.p.dir, "data", "dkim", "example.org", "r1.pem")
        os.chmod(key_file, 0o644)
        r = self.p.cli("dkim", "list")
        self.assertEqual(r.code, 1)
        self.assertEqual(r.err, f"postamt: {key_file} can be read by others; chmod 600 it\n")

    def test_generate_refusals(self):
        r = self.p.cli("dkim", "generate", "example.net")
        self.assertEqual((r.code, r.err), (1, "postamt: example.net is not a local domain "
                                              "(postamt domain add example.net)\n"))
        r = self.p.cli("dkim", "generate", "example.org", "--algorithm", "dsa")
        self.assertEqual((r.code, r.err), (1, 'postamt: --algorithm "dsa" is not rsa or ed25519\n'))
        self.p.cli("dkim", "generate", "example.org", "--selector", "s", "--algorithm", "ed25519",
                   check=True)
        r = self.p.cli("dkim", "generate", "example.org", "--selector", "s")
        self.assertEqual(r.code, 1)
        self.assertRegex(r.err, r"^postamt: \S+/s\.pem exists: choose another --selector\n$")


if __name__ == "__main__":
    unittest.main()
