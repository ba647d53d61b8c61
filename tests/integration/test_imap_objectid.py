"""OBJECTID (RFC 8474) against the real binary: mail delivered over the deliver path
gets EMAILID and THREADID, a reply shares its parent's thread whichever arrives first,
COPY keeps both ids, a restart changes none, and MAILBOXID survives RENAME."""

import re
import unittest

from test_imap_commands import Base

A = (b"Subject: Message A\r\nMessage-ID: <fake.1521475657.54797@example.com>\r\n\r\n"
     b"first\r\n")
B = (b"Subject: Re: Message A\r\nMessage-ID: <fake.1521475657.21213@example.org>\r\n"
     b"In-Reply-To: <fake.1521475657.54797@example.com>\r\n"
     b"References: <fake.1521475657.54797@example.com>\r\n\r\nreply\r\n")
C = b"Subject: Message C\r\nMessage-ID: <fake.1521475657.60280@example.com>\r\n\r\nother\r\n"
IDS = re.compile(rb"^\* (\d+) FETCH \(UID (\d+) EMAILID \(([A-Za-z0-9_-]+)\) "
                 rb"THREADID \(([A-Za-z0-9_-]+)\)\)$")


class ObjectId(Base):
    def ids(self, w):
        out = {}
        for line in self.ok(w, b"UID FETCH 1:* (EMAILID THREADID)"):
            m = IDS.match(line)
            self.assertIsNotNone(m, line)
            out[int(m[2])] = (m[3], m[4])
        return out

    def test_ids_follow_messages_across_copy_and_restart(self):
        # The reply arrives before the message it answers.
        self.deliver(B)
        self.deliver(A)
        self.deliver(C)
        w = self.wire()
        self.assertIn(b"OBJECTID", w.capabilities())
        self.ok(w, b"SELECT INBOX")
        ids = self.ids(w)
        self.assertEqual(len(ids), 3)
        self.assertEqual(ids[1][1], ids[2][1])  # B and A: one thread
        self.assertNotEqual(ids[1][1], ids[3][1])
        self.assertEqual(len({e for e, _ in ids.values()}), 3)
        self.assertEqual(self.ok(w, b"SEARCH THREADID " + ids[1][1]), [b"* SEARCH 1 2"])
        self.assertEqual(self.ok(w, b"SEARCH EMAILID " + ids[3][0]), [b"* SEARCH 3"])

        made = self.ok(w, b"CREATE Archive/2026")
        self.assertRegex(w.tagged, rb"^OK \[MAILBOXID \(F[1-9][0-9]*\)\] ")
        box_id = re.search(rb"MAILBOXID \((\w+)\)", w.tagged)[1]
        self.assertEqual(made, [])
        self.ok(w, b"UID COPY 2:3 Archive/2026")
        self.ok(w, b"RENAME Archive/2026 Archive/Old")
        self.assertEqual(self.ok(w, b"STATUS Archive/Old (MAILBOXID MESSAGES)"),
                         [b"* STATUS Archive/Old (MAILBOXID (" + box_id + b") MESSAGES 2)"])
        w.command(b"LOGOUT")

        # Stored ids: a restart and a second session see the same ones.
        self.p.stop()
        self.p.start()
        w = self.wire()
        lines = self.ok(w, b"SELECT Archive/Old")
        self.assertIn(b"* OK [MAILBOXID (" + box_id + b")] Mailbox id", lines)
        self.assertEqual(self.ids(w), {1: ids[2], 2: ids[3]})
        self.ok(w, b"EXAMINE INBOX")
        self.assertEqual(self.ids(w), ids)


if __name__ == "__main__":
    unittest.main()
