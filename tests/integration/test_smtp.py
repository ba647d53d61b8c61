"""SMTP against the real binary: smtplib, swaks and curl; local delivery byte-exact with
the added trace headers, relay refusal, AUTH and sender rules, safety limits, kill -9."""

import os
import re
import smtplib
import socket
import ssl
import subprocess
import unittest

import store_peek
from harness import Postamt

BODY = b"Subject: hi\r\n\r\nline one\r\n..dotted\r\n"


class SmtpTest(unittest.TestCase):
    def setUp(self):
        self.p = Postamt(services=("smtp", "submission", "submissions"))
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        for user in ("alice@example.org", "bob@example.org"):
            self.p.cli("user", "add", user, "--password-stdin", input="secret\n", check=True)
        self.p.cli("alias", "add", "team@example.org", "alice@example.org", "bob@example.org",
                   check=True)
        self.p.start()
        self.data = os.path.join(self.p.dir, "data")

    def inbox(self, address):
        return store_peek.inbox(self.data, address)

    def test_mx_local_delivery_is_byte_exact_with_trace_headers(self):
        host, port = self.p.address("smtp")
        with smtplib.SMTP(host, port) as s:
            s.ehlo("client.example")
            s.sendmail("sender@remote.example", ["bob@example.org"], BODY)
        [msg] = self.inbox("bob@example.org")
        m = re.fullmatch(
            rb"Return-Path: <sender@remote\.example>\r\n"
            rb"Received: from client\.example \(unknown \[127\.0\.0\.1\]\)\r\n"
            rb"\tby mail\.example\.test \(Postamt\) with ESMTP id ([0-9A-Z]{12})\r\n"
            rb"\tfor <bob@example\.org>; [A-Z][a-z]{2}, \d+ [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000\r\n"
            rb"(.*)", msg, re.S)
        self.assertIsNotNone(m, msg)
        self.assertEqual(m.group(2), b"Subject: hi\r\n\r\nline one\r\n..dotted\r\n")
        self.p.wait_for_log(m.group(1).decode() + r": to=<bob@example\.org>, relay=local, "
                            r"delay=\d+\.\d, dsn=2\.0\.0, status=sent \(delivered to INBOX\)")

    def test_mx_refuses_relay_and_unknown_users(self):
        host, port = self.p.address("smtp")
        with smtplib.SMTP(host, port) as s:
            s.ehlo("c")
            s.mail("a@remote.example")
            code, text = s.rcpt("x@other.example")
            self.assertEqual((code, text[:6]), (554, b"5.7.1 "))
            code, text = s.rcpt("nobody@example.org")
            self.assertEqual((code, text[:6]), (550, b"5.1.1 "))

    def test_submission_starttls_auth_and_sender_rules(self):
        host, port = self.p.address("submission")
        with smtplib.SMTP(host, port) as s:
            s.ehlo("c")
            self.assertEqual(s.mail("alice@example.org")[0], 530)
            s.rset()
            s.starttls(context=ssl._create_unverified_context())
            s.ehlo("c")
            self.assertIn("PLAIN", s.esmtp_features["auth"])
            s.login("alice@example.org", "secret")
            code, text = s.mail("bob@example.org")
            self.assertEqual((code, text[:6]), (553, b"5.7.1 "))
            s.rset()
            s.sendmail("", ["bob@example.org"], b"From: <alice@example.org>\r\n\r\nmdn\r\n")
        [msg] = self.inbox("bob@example.org")
        self.assertTrue(msg.startswith(b"Return-Path: <>\r\nReceived: from c (unknown [127.0.0.1])"
                                       b"\r\n\t(using TLSv1.3 with cipher "), msg)
        self.assertIn(b"\t(Authenticated sender: alice@example.org)\r\n", msg)
        self.assertIn(b"(Postamt) with ESMTPSA id ", msg)

    def test_swaks_auth_on_loopback_and_from_rule(self):
        # Debian's swaks lacks Net::SSLeay here, so this runs over plaintext on loopback,
        # where auth.plaintext = "loopback" allows AUTH (auth/policy.h).
        host, port = self.p.address("smtp")
        r = subprocess.run(["swaks", "--server", host, "--port", str(port),
                            "--auth", "LOGIN", "--auth-user", "alice@example.org",
                            "--auth-password", "secret", "--from", "alice@example.org",
                            "--to", "team@example.org", "--header", "From: <bob@example.org>",
                            "--helo", "c"], capture_output=True, text=True, timeout=30)
        self.assertIn("<** 550 5.7.1 From header address <bob@example.org> is not owned",
                      r.stdout + r.stderr)
        self.assertEqual(self.inbox("alice@example.org"), [])

    def test_submissions_implicit_tls(self):
        host, port = self.p.address("submissions")
        with smtplib.SMTP_SSL(host, port, context=ssl._create_unverified_context()) as s:
            s.ehlo("c")
            s.login("bob@example.org", "secret")
            s.sendmail("bob@example.org", ["alice@example.org"], b"From: bob@example.org\r\n\r\nx\r\n")
        [msg] = self.inbox("alice@example.org")
        self.assertIn(b"(Postamt) with ESMTPSA id ", msg)

    def test_curl_delivers_to_alias_members(self):
        host, port = self.p.address("smtp")
        r = subprocess.run(["curl", "-s", "--url", f"smtp://{host}:{port}/c",
                            "--mail-from", "x@remote.example", "--mail-rcpt", "team@example.org",
                            "--upload-file", "-"], input=b"Subject: c\r\n\r\nvia curl\r\n",
                           capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r)
        for who in ("alice@example.org", "bob@example.org"):
            [msg] = self.inbox(who)
            self.assertTrue(msg.endswith(b"Subject: c\r\n\r\nvia curl\r\n"), msg)

    def raw(self, service, data):
        host, port = self.p.address(service)
        with socket.create_connection((host, port), timeout=10) as c:
            c.sendall(data)
            c.shutdown(socket.SHUT_WR)
            out = b""
            while chunk := c.recv(65536):
                out += chunk
        return out

    def test_smuggled_end_of_data_is_content(self):
        # Bare LFs are normalised (bare_newline = "normalize"), but only <CRLF>.<CRLF>
        # ends the data: the smuggled command is a line of the message.
        out = self.raw("smtp", b"EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\n"
                               b"DATA\r\nx\n.\nRCPT TO:<alice@example.org>\r\n.\r\nQUIT\r\n")
        self.assertIn(b"354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as ", out)
        [msg] = self.inbox("bob@example.org")
        self.assertTrue(msg.endswith(b"\r\nx\r\n.\r\nRCPT TO:<alice@example.org>\r\n"), msg)
        self.assertEqual(self.inbox("alice@example.org"), [])

    def test_limits(self):
        out = self.raw("smtp", b"NOOP " + b"x" * 600 + b"\r\nEHLO c\r\nMAIL FROM:<a@r.example>"
                               b" SIZE=999999999999\r\nQUIT\r\n")
        self.assertIn(b"500 5.5.2 Line too long\r\n", out)
        self.assertIn(b"552 5.3.4 ", out)

    def test_kill9_right_after_250_loses_nothing(self):
        host, port = self.p.address("smtp")
        s = smtplib.SMTP(host, port)
        s.ehlo("c")
        s.sendmail("a@r.example", ["bob@example.org"], BODY)
        self.p.kill9()
        s.close()
        [msg] = self.inbox("bob@example.org")
        self.assertTrue(msg.endswith(b"Subject: hi\r\n\r\nline one\r\n..dotted\r\n"))


if __name__ == "__main__":
    unittest.main()
