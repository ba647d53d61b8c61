"""Names clients send, against the real binary (issue: hardening, item 12).

Login names that no account can have fail exactly like a wrong password (IMAP
AUTHENTICATIONFAILED, POP3 [AUTH], the fail2ban line, no bytes of the name echoed)."""

import imaplib
import poplib
import unittest

from harness import Postamt
from imap_wire import Wire

USER = "alice@example.org"
PASSWORD = "correct horse"


class NamesBase(unittest.TestCase):
    def setUp(self):
        self.p = Postamt(services=("pop3", "imap"))
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-stdin", input=PASSWORD + "\n", check=True)
        self.p.start()

    def wire(self):
        w = Wire(self.p.address("imap"))
        self.addCleanup(w.close)
        return w

    def imap(self):
        host, port = self.p.address("imap")
        client = imaplib.IMAP4(host, port, timeout=30)
        self.addCleanup(self.logout_quietly, client)
        client.login(USER, PASSWORD)
        return client

    @staticmethod
    def logout_quietly(client):
        try:
            client.logout()
        except Exception:
            pass


class LoginNames(NamesBase):
    def test_imap_malformed_names_are_failed_logins(self):
        w = self.wire()
        w.command(b'LOGIN "*" secret')
        self.assertEqual(w.tagged, b"NO [AUTHENTICATIONFAILED] Authentication failed")
        self.p.wait_for_log(r"auth failed: service=imap user=<\*> rip=127\.0\.0\.1 mechanism=LOGIN$")
        # 7000 octets of name with ESC and DEL, as a literal: nothing of it comes back.
        name = b"\x1b[2J\x7f" + b"A" * 6995
        lines = w.command(b"LOGIN {7000}", [name, b" secret"])
        self.assertEqual(lines, [])
        self.assertEqual(w.tagged, b"NO [AUTHENTICATIONFAILED] Authentication failed")
        self.p.wait_for_log(r"auth failed: service=imap user=<\?\[2J\?A{59}\.\.\.> "
                            r"rip=127\.0\.0\.1 mechanism=LOGIN$")
        self.assertFalse(any("\x1b" in line or "\x7f" in line for line in self.p.log_lines))

    def test_imap_authenticate_plain_with_a_malformed_name(self):
        host, port = self.p.address("imap")
        client = imaplib.IMAP4(host, port, timeout=30)
        self.addCleanup(self.logout_quietly, client)
        with self.assertRaises(imaplib.IMAP4.error) as caught:
            client.authenticate("PLAIN", lambda _: b"\0alice@example.org\x1b[2J\0" + PASSWORD.encode())
        self.assertEqual(str(caught.exception), "[AUTHENTICATIONFAILED] Authentication failed")
        self.p.wait_for_log(r"auth failed: service=imap user=<alice@example\.org\?\[2J> "
                            r"rip=127\.0\.0\.1 mechanism=PLAIN$")

    def test_pop3_malformed_names_are_failed_logins(self):
        host, port = self.p.address("pop3")
        client = poplib.POP3(host, port, timeout=30)
        self.addCleanup(client.close)
        client.user("*")
        with self.assertRaises(poplib.error_proto) as caught:
            client.pass_(PASSWORD)
        self.assertEqual(caught.exception.args[0], b"-ERR [AUTH] invalid user name or password")
        self.p.wait_for_log(r"auth failed: service=pop3 user=<\*> rip=127\.0\.0\.1 mechanism=USER$")
        client._putcmd("USER alice@example.org\x1b[2J")
        self.assertEqual(client._getresp(), b"+OK send PASS")
        with self.assertRaises(poplib.error_proto) as caught:
            client.pass_(PASSWORD)
        self.assertEqual(caught.exception.args[0], b"-ERR [AUTH] invalid user name or password")
        self.p.wait_for_log(r"auth failed: service=pop3 user=<alice@example\.org\?\[2J> "
                            r"rip=127\.0\.0\.1 mechanism=USER$")
        # The session goes on: the right name still logs in.
        client.user(USER)
        self.assertTrue(client.pass_(PASSWORD).startswith(b"+OK "))
        client.quit()


if __name__ == "__main__":
    unittest.main()
