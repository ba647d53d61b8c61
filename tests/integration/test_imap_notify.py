"""NOTIFY (RFC 5465) against the real binary over raw sockets, with exact bytes: a client
that set NOTIFY hears, without sending a command, of mail delivered by `postamt deliver`
(another process) as STATUS, of another session's APPEND to its selected mailbox as
EXISTS plus the FETCH it asked for, and of another session's CREATE as LIST; after
NOTIFY NONE it hears nothing."""

import unittest

from test_imap_commands import Base

MESSAGE = b"From: bob@example.org\r\nSubject: notified\r\n\r\nbody\r\n"


class Notify(Base):
    def test_status_of_delivered_mail_without_a_command(self):
        w = self.wire()
        self.assertIn(b"NOTIFY", w.capabilities())
        validity = self.uid_validity(w, b"INBOX")
        self.assertEqual(self.ok(w, b"NOTIFY SET (inboxes (MessageNew MessageExpunge))"), [])
        self.deliver(MESSAGE)
        # §5.2 in another mailbox: the client only listens.
        self.assertEqual(w.read_response(),
                         b"* STATUS INBOX (MESSAGES 1 UIDNEXT 2 UIDVALIDITY %d UNSEEN 1)"
                         % validity)
        self.assertEqual(self.ok(w, b"NOTIFY NONE"), [])
        self.deliver(MESSAGE)
        # Nothing came meanwhile: NOOP's answer is its tagged line alone.
        self.assertEqual(self.ok(w, b"NOOP"), [])

    def test_selected_mailbox_and_mailbox_names(self):
        w = self.wire()
        self.ok(w, b"SELECT INBOX")
        self.assertEqual(self.ok(w, b"NOTIFY SET (selected (MessageNew (UID "
                                    b"BODY.PEEK[HEADER.FIELDS (Subject)]) MessageExpunge)) "
                                    b"(personal (MailboxName))"), [])
        other = self.wire()
        self.append(other, b"INBOX", MESSAGE)
        header = b"Subject: notified\r\n\r\n"
        self.assertEqual([w.read_response() for _ in range(3)],
                         [b"* 1 EXISTS", b"* 1 RECENT",
                          b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (Subject)] {%d}\r\n%s)"
                          % (len(header), header)])
        self.ok(other, b"CREATE Lists")
        self.assertEqual(w.read_response(), b'* LIST (\\HasNoChildren) "/" Lists')
        # The session's own CREATE is not told back (§5).
        self.assertEqual(self.ok(w, b"CREATE Mine"), [])
        self.assertEqual(self.ok(w, b"NOOP"), [])
        self.assertEqual(w.tagged, b"OK NOOP completed")


if __name__ == "__main__":
    unittest.main()
