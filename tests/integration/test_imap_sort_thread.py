"""SORT, ESORT and THREAD (RFC 5256, RFC 5267, RFC 5957), and PREVIEW (RFC 8970), against
the real binary: messages arrive through `postamt deliver` (so the store keeps their
envelope lines and thread references as real mail gets them), and Python's imaplib asks
with its own sort() and thread(); ESORT over a raw socket."""

import imaplib
import subprocess
import unittest

from harness import BIN, Postamt
from imap_wire import Wire
from test_imap_commands import cheap_hash

USER = "alice@example.org"
PASSWORD = "correct horse"

# A conversation with a missing first message, a forward, an unthreaded reply found by
# subject, and an RFC 2047 subject; delivered in this order (uids 1..6).
MESSAGES = [
    b"From: Zoe <zoe@example.net>\r\nTo: alice@example.org\r\nSubject: Re: Plans\r\n"
    b"Date: Tue, 02 Jan 2024 10:00:00 +0000\r\nMessage-ID: <b@example.net>\r\n"
    b"In-Reply-To: <a@example.net>\r\n\r\nyes\r\n",
    b"From: Yves <adam@example.net>\r\nTo: Carl <carl@example.net>\r\nSubject: Plans\r\n"
    b"Date: Mon, 01 Jan 2024 10:00:00 +0000\r\nMessage-ID: <a@example.net>\r\n\r\nplans?\r\n",
    b"From: \"Bea\" <bea@example.net>\r\nTo: alice@example.org\r\n"
    b"Subject: =?UTF-8?Q?=C3=84pfel?=\r\nDate: Wed, 03 Jan 2024 08:00:00 -0200\r\n"
    b"Message-ID: <c@example.net>\r\n\r\napples\r\n",
    b"From: carl@example.net\r\nTo: alice@example.org\r\nSubject: Re: [team] Plans\r\n"
    b"Date: Thu, 04 Jan 2024 10:00:00 +0000\r\nMessage-ID: <d@example.net>\r\n"
    b"References: <a@example.net>\r\n <b@example.net>\r\n\r\nagreed\r\n",
    b"From: dan@example.net\r\nTo: alice@example.org\r\nSubject: Fwd: \xc3\xa4pfel\r\n"
    b"Date: Fri, 05 Jan 2024 10:00:00 +0000\r\nMessage-ID: <e@example.net>\r\n\r\nfw\r\n",
    b"From: eve@example.net\r\nTo: alice@example.org\r\nSubject: lunch\r\n"
    b"Date: Sat, 06 Jan 2024 10:00:00 +0000\r\nMessage-ID: <f@example.net>\r\n"
    b"References: <x@example.net>\r\n\r\nlunch\r\n",
]


class SortThread(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = Postamt(services=("imap",))
        cls.p.cli("domain", "add", "example.org", check=True)
        cls.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        cls.p.start()
        for message in MESSAGES:
            proc = subprocess.run([BIN, "--config", cls.p.config, "deliver", "--from",
                                   "bob@example.org", USER], input=message,
                                  capture_output=True, timeout=60)
            assert proc.returncode == 0, proc.stderr

    @classmethod
    def tearDownClass(cls):
        cls.p.close()

    def imap(self):
        host, port = self.p.address("imap")
        client = imaplib.IMAP4(host, port, timeout=30)
        self.addCleanup(client.shutdown)
        client.login(USER, PASSWORD)
        client.select("INBOX", readonly=True)
        return client

    def test_capabilities(self):
        typ, data = self.imap().capability()
        self.assertEqual(typ, "OK")
        names = data[0].split()
        for name in (b"SORT", b"SORT=DISPLAY", b"ESORT", b"THREAD=ORDEREDSUBJECT",
                     b"THREAD=REFERENCES"):
            self.assertIn(name, names)

    def test_sort_with_imaplib(self):
        client = self.imap()
        # Base subjects: "Plans" (1, 2, 4), "Äpfel" (3, 5), "lunch" (6). i;unicode-casemap
        # makes both spellings of Äpfel "A" U+0308 "PFEL", which sorts before LUNCH.
        self.assertEqual(client.sort("(SUBJECT DATE)", "UTF-8", "ALL"),
                         ("OK", [b"3 5 6 2 1 4"]))
        # Sent dates in UTC: message 3 is 10:00 UTC on the 3rd.
        self.assertEqual(client.sort("(REVERSE DATE)", "UTF-8", "ALL"),
                         ("OK", [b"6 5 4 3 1 2"]))
        self.assertEqual(client.sort("(FROM)", "US-ASCII", "ALL"),
                         ("OK", [b"2 3 4 5 6 1"]))
        self.assertEqual(client.sort("(DISPLAYFROM)", "US-ASCII", "ALL"),
                         ("OK", [b"3 4 5 6 2 1"]))
        self.assertEqual(client.sort("(DATE)", "UTF-8", "SUBJECT", "plans"),
                         ("OK", [b"2 1 4"]))
        self.assertEqual(client.uid("SORT", "(ARRIVAL)", "UTF-8", "UID", "4:*"),
                         ("OK", [b"4 5 6"]))
        typ, data = client.sort("(DATE)", "KOI8-R", "ALL")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[BADCHARSET", data[0])

    def test_thread_with_imaplib(self):
        client = self.imap()
        self.assertEqual(client.thread("REFERENCES", "UTF-8", "ALL"),
                         ("OK", [b"(2 1 4)(3 5)(6)"]))
        self.assertEqual(client.thread("ORDEREDSUBJECT", "UTF-8", "ALL"),
                         ("OK", [b"(2 (1)(4))(3 5)(6)"]))
        self.assertEqual(client.uid("THREAD", "REFERENCES", "UTF-8", "NOT", "FROM", "zoe"),
                         ("OK", [b"(2 4)(3 5)(6)"]))
        self.assertEqual(client.thread("REFERENCES", "UTF-8", "SUBJECT", "nothing"),
                         ("OK", [b""]))

    def test_preview(self):
        client = self.imap()
        typ, data = client.capability()
        self.assertIn(b"PREVIEW", data[0].split())
        typ, data = client.fetch("1:3", "(PREVIEW)")
        self.assertEqual(typ, "OK")
        self.assertEqual(data, [b'1 (PREVIEW "yes")', b'2 (PREVIEW "plans?")',
                                b'3 (PREVIEW "apples")'])
        typ, data = client.uid("FETCH", "5", "(UID PREVIEW (LAZY))")
        self.assertEqual(data, [b'5 (UID 5 PREVIEW "fw")'])
        with self.assertRaises(imaplib.IMAP4.error):  # BAD
            client.fetch("1", "(PREVIEW (BOGUS))")

    def test_esort_on_the_wire(self):
        w = Wire(self.p.address("imap"))
        self.addCleanup(w.close)
        w.login(USER, PASSWORD)
        w.command(b"EXAMINE INBOX")
        lines = w.command(b"SORT RETURN (MIN MAX COUNT ALL) (REVERSE DATE) UTF-8 ALL")
        self.assertEqual(w.tagged, b"OK SORT completed")
        self.assertEqual(len(lines), 1)
        self.assertRegex(lines[0],
                         rb'^\* ESEARCH \(TAG "[^"]+"\) MIN 6 MAX 2 ALL 6,5,4,3,1:2 COUNT 6$')
        lines = w.command(b"UID SORT RETURN () (SUBJECT) UTF-8 ALL")
        self.assertRegex(lines[0], rb'^\* ESEARCH \(TAG "[^"]+"\) UID ALL 3,5:6,1:2,4$')


if __name__ == "__main__":
    unittest.main()
