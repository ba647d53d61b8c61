"""Limits set in postamt.toml reach the protocol engines of the real binary."""

import smtplib
import socket
import unittest

from harness import Postamt


class ConfiguredLimitsTest(unittest.TestCase):
    def test_smtp_limits_from_the_configuration(self):
        with Postamt(services=("smtp",), extra_config=(
                "[smtp]\nmax_message_size = 2048\nmax_recipients = 2\nmax_errors = 3\n")) as p:
            p.cli("domain", "add", "example.org", check=True)
            for u in ("a", "b", "c"):
                p.cli("user", "add", f"{u}@example.org", "--password-stdin", input="pw\n",
                      check=True)
            p.start()
            host, port = p.address("smtp")
            with smtplib.SMTP(host, port, timeout=20) as s:
                code, _ = s.ehlo("client.test")
                self.assertEqual(code, 250)
                self.assertEqual(s.esmtp_features["size"], "2048")
                self.assertEqual(s.mail("x@remote.test")[0], 250)
                self.assertEqual(s.rcpt("a@example.org")[0], 250)
                self.assertEqual(s.rcpt("b@example.org")[0], 250)
                self.assertEqual(s.rcpt("c@example.org"), (452, b"4.5.3 Too many recipients"))
                s.rset()
                code, text = s.mail("x@remote.test", ["SIZE=4096"])
                self.assertEqual(code, 552, text)
            # The third error ends the session.
            c = socket.create_connection((host, port), timeout=20)
            f = c.makefile("rb")
            f.readline()
            c.sendall(b"BOGUS\r\nBOGUS\r\nBOGUS\r\n")
            replies = [f.readline() for _ in range(4)]
            self.assertEqual(replies, [b"500 5.5.1 Unrecognized command\r\n"] * 3 +
                             [b"421 4.7.0 mail.example.test Error: too many errors\r\n"])
            self.assertEqual(f.readline(), b"")
            c.close()
            self.assertEqual(p.stop(), 0)

    def test_pop3_bad_command_limit_from_the_configuration(self):
        with Postamt(services=("pop3",), extra_config="[pop3]\nmax_bad_commands = 2\n") as p:
            p.start()
            host, port = p.address("pop3")
            c = socket.create_connection((host, port), timeout=20)
            f = c.makefile("rb")
            self.assertTrue(f.readline().startswith(b"+OK"))
            c.sendall(b"BOGUS\r\nBOGUS\r\n")
            first, second = f.readline(), f.readline()
            self.assertTrue(first.startswith(b"-ERR"), first)
            self.assertTrue(second.startswith(b"-ERR") and b"too many bad commands" in second,
                            second)
            self.assertEqual(f.readline(), b"")
            c.close()
            self.assertEqual(p.stop(), 0)


if __name__ == "__main__":
    unittest.main()
