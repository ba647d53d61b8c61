"""UTF8=ACCEPT (RFC 6855) against the real binary: before ENABLE an APPEND with 8-bit
header octets is NO; after it, UTF8 (literal8) data is stored byte for byte, mailbox
names travel as UTF-8 in quoted strings and SEARCH CHARSET is BAD. With
[imap] utf8_accept = false the extension is not offered and such messages are taken."""

import unittest

from harness import Postamt
from imap_wire import Wire
from test_imap_commands import PASSWORD, USER, Base, cheap_hash

MESSAGE = "Subject: Grüße aus Köln\r\nFrom: Jörg <jörg@example.org>\r\n\r\nHallo\r\n".encode()


class Utf8Accept(Base):
    def test_enable_then_utf8_data_and_names(self):
        w = self.wire()
        self.assertIn(b"UTF8=ACCEPT", w.capabilities())
        self.assertEqual(w.command(b"APPEND INBOX {%d}" % len(MESSAGE), [MESSAGE, b""]), [])
        self.assertEqual(w.tagged,
                         b"NO The message header holds 8-bit octets; ENABLE UTF8=ACCEPT first")
        self.assertEqual(w.command(b"ENABLE UTF8=ACCEPT"), [b"* ENABLED UTF8=ACCEPT"])
        w.command(b"APPEND INBOX UTF8 (~{%d}" % len(MESSAGE), [MESSAGE, b")"])
        self.assertRegex(w.tagged, rb"^OK \[APPENDUID \d+ 1\] APPEND completed$")
        w.command('CREATE "Entwürfe"'.encode())
        self.assertRegex(w.tagged, rb"^OK \[MAILBOXID \(F\d+\)\] CREATE completed$")
        self.assertEqual(w.command(b'LIST "" "Entw*"'),
                         ['* LIST (\\HasNoChildren) "/" "Entwürfe"'.encode()])
        self.assertEqual(w.command(b'CREATE "Gr\xfc\xdfe"'), [])
        self.assertEqual(w.tagged, b"BAD CREATE: quoted string is not UTF-8")
        self.ok(w, b"SELECT INBOX")
        self.assertEqual(w.command("SEARCH CHARSET UTF-8 SUBJECT \"köln\"".encode()), [])
        self.assertEqual(w.tagged, b"BAD SEARCH CHARSET is not allowed after ENABLE UTF8=ACCEPT")
        self.assertEqual(self.ok(w, "SEARCH SUBJECT \"KÖLN\"".encode()), [b"* SEARCH 1"])
        self.assertEqual(self.ok(w, b"FETCH 1 BODY.PEEK[]"),
                         [b"* 1 FETCH (BODY[] {%d}\r\n" % len(MESSAGE) + MESSAGE + b")"])


class Utf8AcceptOff(unittest.TestCase):
    def test_not_offered_and_8bit_headers_taken(self):
        with Postamt(services=("imap",), extra_config="[imap]\nutf8_accept = false\n") as p:
            p.cli("domain", "add", "example.org", check=True)
            p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
            p.start()
            w = Wire(p.address("imap"))
            self.addCleanup(w.close)
            w.login(USER, PASSWORD)
            self.assertNotIn(b"UTF8=ACCEPT", w.capabilities())
            self.assertEqual(w.command(b"ENABLE UTF8=ACCEPT"), [b"* ENABLED"])
            w.command(b"APPEND INBOX {%d}" % len(MESSAGE), [MESSAGE, b""])
            self.assertRegex(w.tagged, rb"^OK \[APPENDUID \d+ 1\] APPEND completed$")


if __name__ == "__main__":
    unittest.main()
