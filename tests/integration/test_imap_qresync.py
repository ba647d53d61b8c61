"""QRESYNC (RFC 7162 §3.2) against the real binary over a raw socket, with exact bytes: a
client that comes back after another client removed and flagged messages learns of both
from SELECT (QRESYNC ...) alone; a removal by another session during the selection
reaches it as VANISHED, its own EXPUNGE too, with HIGHESTMODSEQ in the tagged OK."""

import re
import unittest

from test_imap_commands import Base

MESSAGE = b"From: bob@example.org\r\nSubject: n\r\n\r\nbody\r\n"


class Qresync(Base):
    def setUp(self):
        super().setUp()
        for _ in range(4):
            self.deliver(MESSAGE)

    @staticmethod
    def code(lines, name):
        for line in lines:
            m = re.match(rb"\* OK \[%s (\d+)\]" % name, line)
            if m:
                return int(m.group(1))
        raise AssertionError("no %r in %r" % (name, lines))

    def test_select_with_qresync_then_vanished(self):
        first = self.wire()
        self.assertEqual(first.command(b"ENABLE QRESYNC"), [b"* ENABLED QRESYNC"])
        lines = first.command(b"SELECT INBOX")
        validity, known = self.code(lines, b"UIDVALIDITY"), self.code(lines, b"HIGHESTMODSEQ")
        first.command(b"LOGOUT")

        other = self.wire()
        other.command(b"SELECT INBOX")
        other.command(b"UID STORE 2 +FLAGS.SILENT (\\Deleted)")
        other.command(b"UID EXPUNGE 2")
        other.command(b"UID STORE 3 +FLAGS.SILENT (\\Flagged)")
        self.assertTrue(other.tagged.startswith(b"OK"), other.tagged)

        back = self.wire()
        back.command(b"ENABLE QRESYNC")
        lines = back.command(b"SELECT INBOX (QRESYNC (%d %d 1:4))" % (validity, known))
        self.assertEqual(back.tagged, b"OK [READ-WRITE] SELECT completed")
        self.assertEqual(lines[-2], b"* VANISHED (EARLIER) 2")
        self.assertRegex(lines[-1], rb"^\* 2 FETCH \(UID 3 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$")
        self.assertIn(b"* 3 EXISTS", lines)

        # Another session removes uid 1: NOOP tells it as VANISHED, not EXPUNGE.
        other.command(b"UID STORE 1 +FLAGS.SILENT (\\Deleted)")
        other.command(b"UID EXPUNGE 1")
        self.assertEqual(back.command(b"NOOP"), [b"* VANISHED 1"])
        # Its own EXPUNGE: VANISHED and the new HIGHESTMODSEQ.
        back.command(b"UID STORE 4 +FLAGS.SILENT (\\Deleted)")
        self.assertEqual(back.command(b"EXPUNGE"), [b"* VANISHED 4"])
        self.assertRegex(back.tagged, rb"^OK \[HIGHESTMODSEQ \d+\] EXPUNGE completed$")
        # What is left: uid 3 alone.
        self.assertEqual(back.command(b"UID FETCH 1:* (UID)"), [b"* 1 FETCH (UID 3)"])


if __name__ == "__main__":
    unittest.main()
