"""CONTEXT=SEARCH (RFC 5267) against the real binary: a client keeps an UPDATE context
while idling and hears ADDTO when another client flags a message, and REMOVEFROM before
the EXPUNGE when it is removed; PARTIAL pages through a result."""

import time
import unittest

from test_imap_commands import Base


class Context(Base):
    def setUp(self):
        super().setUp()
        for i in range(4):
            self.deliver(b"Subject: %d\r\n\r\nbody\r\n" % i)

    def until(self, w, wanted, seconds=10):
        lines = []
        deadline = time.monotonic() + seconds
        while wanted not in lines and time.monotonic() < deadline:
            lines.append(w.read_response())
        self.assertIn(wanted, lines)
        return lines

    def test_update_context_while_idle_and_partial(self):
        a = self.wire()
        caps = a.command(b"CAPABILITY")[0].split()
        self.assertIn(b"CONTEXT=SEARCH", caps)
        self.assertIn(b"CONTEXT=SORT", caps)
        a.command(b"SELECT INBOX")
        self.assertEqual(a.command(b"UID SEARCH RETURN (PARTIAL 2:3) ALL"),
                         [b'* ESEARCH (TAG "t4") UID PARTIAL (2:3 2:3)'])
        self.assertEqual(a.command(b"UID SEARCH RETURN (UPDATE COUNT) FLAGGED"),
                         [b'* ESEARCH (TAG "t5") UID COUNT 0'])
        a.send(b"t6 IDLE\r\n")
        self.assertEqual(a.read_response(), b"+ idling")

        b = self.wire()
        b.command(b"SELECT INBOX")
        b.command(b"UID STORE 3 +FLAGS.SILENT (\\Flagged)")
        lines = self.until(a, b'* ESEARCH (TAG "t5") UID ADDTO (0 3)')
        self.assertIn(b"* 3 FETCH (FLAGS (\\Flagged \\Recent) UID 3)", lines)
        b.command(b"UID STORE 3 +FLAGS.SILENT (\\Deleted)")
        b.command(b"UID EXPUNGE 3")
        lines = self.until(a, b"* 3 EXPUNGE")
        self.assertIn(b'* ESEARCH (TAG "t5") UID REMOVEFROM (0 3)', lines)
        self.assertLess(lines.index(b'* ESEARCH (TAG "t5") UID REMOVEFROM (0 3)'),
                        lines.index(b"* 3 EXPUNGE"))
        a.send(b"DONE\r\n")
        a.until_tagged(b"t6")
        self.assertEqual(a.tagged, b"OK IDLE terminated")


if __name__ == "__main__":
    unittest.main()
