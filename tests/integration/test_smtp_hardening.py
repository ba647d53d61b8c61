"""SMTP items of the hardening issue, against the real binary: bare LF normalised for
smtplib and curl, NUL refused, a huge BDAT chunk refused at once, local senders without
AUTH refused, the bare <postmaster>, Postfix-style NOQUEUE log lines, and close_notify
at the end of every TLS connection."""

import os
import smtplib
import socket
import ssl
import subprocess
import tempfile
import unittest

import store_peek
from harness import Postamt, unverified_context


def read_all(sock, limit=10):
    sock.settimeout(limit)
    out = b""
    while chunk := sock.recv(65536):
        out += chunk
    return out


class SmtpHardening(unittest.TestCase):
    extra_config = ""

    def setUp(self):
        self.p = Postamt(services=("smtp", "submission", "submissions", "imap", "imaps",
                                   "pop3", "pop3s"), extra_config=self.extra_config)
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.test", check=True)
        for user in ("alice@example.test", "bob@example.test"):
            self.p.cli("user", "add", user, "--password-stdin", input="secret\n", check=True)
        self.p.cli("alias", "add", "postmaster@example.test", "alice@example.test", check=True)
        self.p.start()
        self.data = os.path.join(self.p.dir, "data")

    def inbox(self, address):
        return store_peek.inbox(self.data, address)

    def raw(self, service, data):
        host, port = self.p.address(service)
        with socket.create_connection((host, port), timeout=10) as c:
            c.sendall(data)
            c.shutdown(socket.SHUT_WR)
            return read_all(c)


class NormalizeAndRefuse(SmtpHardening):
    def test_smtplib_lf_message_is_stored_with_crlf(self):
        # smtplib stuffs a dot after every LF of a bytes message and ends it with CRLF.CRLF.
        host, port = self.p.address("smtp")
        with smtplib.SMTP(host, port) as s:
            s.ehlo("client.example")
            self.assertEqual(
                s.sendmail("carol@remote.test", ["bob@example.test"],
                           b"Subject: lf\n\n.hidden\nline\n"), {})
        # The CRLF smtplib adds before "." after the final LF is an empty last line, as
        # with Postfix's normalisation.
        [msg] = self.inbox("bob@example.test")
        self.assertTrue(msg.endswith(b"\r\nSubject: lf\r\n\r\n.hidden\r\nline\r\n\r\n"), msg)
        self.assertNotIn(b"\r\r", msg)

    def test_curl_uploads_an_lf_file(self):
        host, port = self.p.address("smtp")
        with tempfile.NamedTemporaryFile(suffix=".eml") as f:
            f.write(b"Subject: curl\n\nfirst\nsecond\n")
            f.flush()
            r = subprocess.run(["curl", "-s", "--url", f"smtp://{host}:{port}/c",
                                "--mail-from", "carol@remote.test", "--mail-rcpt",
                                "bob@example.test", "-T", f.name], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r)
        [msg] = self.inbox("bob@example.test")
        self.assertTrue(msg.endswith(b"\r\nSubject: curl\r\n\r\nfirst\r\nsecond\r\n\r\n"), msg)

    def test_nul_is_refused(self):
        out = self.raw("smtp", b"EHLO c\r\nMAIL FROM:<a@r.test>\r\nRCPT TO:<bob@example.test>\r\n"
                               b"DATA\r\nSubject: n\r\n\r\na\0b\r\n.\r\nQUIT\r\n")
        self.assertIn(b"354 End data with <CR><LF>.<CR><LF>\r\n"
                      b"550 5.6.0 Message contains NUL octets\r\n221 2.0.0 Bye\r\n", out)
        self.assertEqual(self.inbox("bob@example.test"), [])

    def test_huge_bdat_chunk_is_refused_at_once(self):
        out = self.raw("smtp", b"EHLO c\r\nMAIL FROM:<a@r.test>\r\nRCPT TO:<bob@example.test>\r\n"
                               b"BDAT 99999999999999\r\nxxxx")
        self.assertTrue(out.endswith(b"250 2.1.5 Ok\r\n552 5.3.4 Message size exceeds fixed "
                                     b"maximum size, closing\r\n"), out)


class RejectBareNewline(SmtpHardening):
    extra_config = '[smtp]\nbare_newline = "reject"\n'

    def test_lf_message_is_refused(self):
        host, port = self.p.address("smtp")
        with smtplib.SMTP(host, port) as s:
            s.ehlo("c")
            with self.assertRaises(smtplib.SMTPDataError) as caught:
                s.sendmail("carol@remote.test", ["bob@example.test"], b"Subject: lf\n\nx\n")
        self.assertEqual(caught.exception.smtp_code, 550)
        self.assertEqual(caught.exception.smtp_error, b"5.6.0 Message contains bare CR or LF")


class SendersAndRecipients(SmtpHardening):
    def test_local_sender_without_auth_is_refused_and_logged(self):
        out = self.raw("smtp", b"EHLO c.example\r\nMAIL FROM:<bob@example.test>\r\nQUIT\r\n")
        self.assertIn(b"\r\n550 5.7.1 <bob@example.test>: Sender address rejected: a local "
                      b"sender must authenticate\r\n221 2.0.0 Bye\r\n", out)
        self.p.wait_for_log(
            r"postamt/smtpd\[\d+\]: NOQUEUE: reject: MAIL from unknown\[127\.0\.0\.1\]: 550 5\.7\.1 "
            r"<bob@example\.test>: Sender address rejected: a local sender must authenticate; "
            r"from=<bob@example\.test> proto=ESMTP helo=<c\.example>$")

    def test_bare_postmaster_reaches_the_primary_domain(self):
        host, port = self.p.address("smtp")
        with smtplib.SMTP(host, port) as s:
            s.ehlo("c")
            s.mail("carol@remote.test")
            self.assertEqual(s.rcpt("<postmaster>"), (250, b"2.1.5 Ok"))
            self.assertEqual(s.data(b"Subject: pm\r\n\r\nhello\r\n")[0], 250)
        [msg] = self.inbox("alice@example.test")
        self.assertIn(b"\tfor <postmaster@example.test>; ", msg)

    def test_rejections_leave_noqueue_lines(self):
        self.raw("smtp", b"EHLO c.example\r\nMAIL FROM:<carol@remote.test>\r\n"
                         b"RCPT TO:<x@remote.test>\r\nRCPT TO:<nobody@example.test>\r\nQUIT\r\n")
        self.p.wait_for_log(
            r"NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.1\]: 554 5\.7\.1 <x@remote\.test>: "
            r"Relay access denied: remote\.test is not a domain of this server; authenticate to "
            r"send to other domains; from=<carol@remote\.test> to=<x@remote\.test> proto=ESMTP "
            r"helo=<c\.example>$")
        self.p.wait_for_log(
            r"NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.1\]: 550 5\.1\.1 "
            r"<nobody@example\.test>: Recipient address rejected: User unknown; "
            r"from=<carol@remote\.test> to=<nobody@example\.test> proto=ESMTP helo=<c\.example>$")
        self.raw("submission", b"EHLO c.example\r\nMAIL FROM:<alice@example.test>\r\nQUIT\r\n")
        self.p.wait_for_log(
            r"NOQUEUE: reject: MAIL from unknown\[127\.0\.0\.1\]: 530 5\.7\.0 Authentication "
            r"required; from=<alice@example\.test> proto=ESMTP helo=<c\.example>$")
        host, port = self.p.address("submission")
        with smtplib.SMTP(host, port) as s:
            s.ehlo("c.example")
            s.login("alice@example.test", "secret")
            self.assertEqual(s.mail("bob@example.test")[0], 553)
        self.p.wait_for_log(
            r"NOQUEUE: reject: MAIL from unknown\[127\.0\.0\.1\]: 553 5\.7\.1 "
            r"<bob@example\.test>: Sender address rejected: not owned by user alice@example\.test; "
            r"from=<bob@example\.test> proto=ESMTP helo=<c\.example>$")


class TrustedNetworks(SmtpHardening):
    extra_config = '[smtp]\ntrusted_networks = ["127.0.0.0/8", "::1"]\n'

    def test_a_trusted_client_may_use_a_local_sender(self):
        host, port = self.p.address("smtp")
        with smtplib.SMTP(host, port) as s:
            s.ehlo("c")
            self.assertEqual(s.sendmail("bob@example.test", ["alice@example.test"],
                                        b"Subject: cron\r\n\r\nreport\r\n"), {})
        self.assertEqual(len(self.inbox("alice@example.test")), 1)


class CloseNotify(SmtpHardening):
    """Python's ssl module with suppress_ragged_eofs=False raises SSLEOFError ("EOF
    occurred in violation of protocol") when a TLS peer closes without close_notify."""

    def tls(self, service):
        host, port = self.p.address(service)
        raw = socket.create_connection((host, port), timeout=10)
        return unverified_context().wrap_socket(raw, suppress_ragged_eofs=False)

    def assert_clean_end(self, sock, goodbye, expect):
        sock.sendall(goodbye)
        out = read_all(sock)  # raises ssl.SSLEOFError without close_notify
        self.assertIn(expect, out)
        sock.close()

    def test_imaps_pop3s_submissions(self):
        s = self.tls("imaps")
        self.assertTrue(s.recv(4096).startswith(b"* OK"))
        self.assert_clean_end(s, b"a LOGOUT\r\n", b"a OK")
        s = self.tls("pop3s")
        self.assertTrue(s.recv(4096).startswith(b"+OK"))
        self.assert_clean_end(s, b"QUIT\r\n", b"+OK")
        s = self.tls("submissions")
        self.assertTrue(s.recv(4096).startswith(b"220 "))
        self.assert_clean_end(s, b"QUIT\r\n", b"221 2.0.0 Bye\r\n")

    def test_starttls(self):
        host, port = self.p.address("smtp")
        raw = socket.create_connection((host, port), timeout=10)
        f = raw.makefile("rb")
        f.readline()
        raw.sendall(b"EHLO c\r\n")
        while not f.readline().startswith(b"250 "):
            pass
        raw.sendall(b"STARTTLS\r\n")
        self.assertEqual(f.readline(), b"220 2.0.0 Ready to start TLS\r\n")
        s = unverified_context().wrap_socket(raw, suppress_ragged_eofs=False)
        self.assert_clean_end(s, b"QUIT\r\n", b"221 2.0.0 Bye\r\n")


if __name__ == "__main__":
    unittest.main()
