"""IMAP commands against the real binary, asserting exact responses over a raw socket
(imap_wire.Wire) and imaplib: mailbox management (RFC 3501 §6.3), APPEND/COPY/MOVE with
UIDPLUS (RFC 4315, RFC 6851), SEARCH/ESEARCH/SEARCHRES (RFC 3501 §6.4.4, RFC 4731, RFC 5182),
CONDSTORE (RFC 7162), QUOTA (RFC 9208), BINARY (RFC 3516) and LIST-EXTENDED (RFC 5258).
Extensions are exercised only when CAPABILITY names them (skipped otherwise)."""

import re
import subprocess
import threading
import unittest

from harness import BIN, Postamt
from imap_wire import Wire

USER = "alice@example.org"
PASSWORD = "correct horse"
OTHER = "bob@example.org"
OTHER_PASSWORD = "battery staple"

PLAIN = (b"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: plain one\r\n"
         b"Date: Mon, 02 Nov 2026 10:00:00 +0100\r\nMessage-ID: <p1@example.org>\r\n\r\n"
         b"first line\r\nsecond line\r\n")
# RFC 2047 encoded subject "Grüße aus Köln" and a UTF-8 body.
ENCODED = (b"From: Carol <carol@example.net>\r\nTo: alice@example.org\r\n"
           b"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n"
           b"Date: Tue, 03 Nov 2026 11:00:00 +0000\r\nMessage-ID: <e1@example.net>\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\nStra\xc3\x9fe und Flu\xc3\x9f\r\n")
ATTACHMENT = (b"From: bob@example.org\r\nTo: alice@example.org\r\nSubject: binary\r\n"
              b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
              b"--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n"
              b"--b\r\nContent-Type: application/octet-stream\r\n"
              b"Content-Transfer-Encoding: base64\r\n\r\nAAECAwD/\r\n--b--\r\n")


def cheap_hash(password):
    """A Dovecot-style {SHA512-CRYPT} hash (openssl passwd -6) for `user add --password-hash`."""
    proc = subprocess.run(["openssl", "passwd", "-6", "-salt", "postamttests", "-stdin"],
                          input=password + "\n", capture_output=True, text=True, check=True)
    return "{SHA512-CRYPT}" + proc.stdout.strip()


class Base(unittest.TestCase):
    services = ("imap",)

    def setUp(self):
        self.p = Postamt(services=self.services)
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        # Imported SHA512-CRYPT hashes: Argon2 costs a second per login on a busy machine,
        # and these tests are about IMAP, not password hashing (test_imap.py logs in with
        # the Argon2 default).
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.cli("user", "add", OTHER, "--password-hash", cheap_hash(OTHER_PASSWORD),
                   check=True)
        self.p.start()

    def deliver(self, message, to=USER):
        """`postamt deliver` prepends Return-Path; returns the message as stored."""
        proc = subprocess.run([BIN, "--config", self.p.config, "deliver", "--from",
                               "bob@example.org", to], input=message, capture_output=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return b"Return-Path: <bob@example.org>\r\n" + message

    def wire(self, user=USER, password=PASSWORD):
        w = Wire(self.p.address("imap"))
        self.addCleanup(w.close)
        w.login(user, password)
        return w

    def ok(self, w, text, literals=()):
        """Runs a command that must succeed; returns its untagged responses."""
        lines = w.command(text, literals)
        self.assertTrue(w.tagged.startswith(b"OK"), (text, lines, w.tagged))
        return lines

    def require(self, w, *capabilities):
        caps = w.capabilities()
        for c in capabilities:
            if c.encode() not in caps:
                self.skipTest(f"server does not advertise {c}")

    def append(self, w, mailbox, message, flags=b"", date=b""):
        """APPEND with a synchronising literal; returns (uidvalidity, uid) from APPENDUID."""
        args = b" ".join(x for x in (flags, date) if x)
        text = b"APPEND %s %s{%d}" % (mailbox, args + b" " if args else b"", len(message))
        self.ok(w, text, [message])
        m = re.match(rb"OK \[APPENDUID (\d+) (\d+)\] APPEND completed$", w.tagged)
        self.assertIsNotNone(m, w.tagged)
        return int(m.group(1)), int(m.group(2))

    def uid_validity(self, w, mailbox):
        lines = self.ok(w, b"STATUS %s (UIDVALIDITY)" % mailbox)
        return int(re.search(rb"UIDVALIDITY (\d+)", lines[0]).group(1))


class Mailboxes(Base):
    def test_metadata_follows_the_mailbox(self):
        """RFC 5464: annotations survive a restart, follow RENAME (§4.1), and go with
        DELETE: a mailbox created again under the name has none."""
        w = self.wire()
        self.require(w, "METADATA", "METADATA-SERVER")
        self.ok(w, b"CREATE Notes")
        self.ok(w, b'SETMETADATA Notes (/private/comment "kept" /shared/vendor/x/y {4}',
                [b"a\r\nb)"])
        self.p.stop()
        self.p.start()
        w = self.wire()
        self.ok(w, b"RENAME Notes Archive/Notes")
        self.assertEqual(self.ok(w, b"GETMETADATA Archive/Notes (/private/comment /shared/vendor/x/y)"),
                         [b'* METADATA Archive/Notes (/private/comment "kept" /shared/vendor/x/y '
                          b'{4}\r\na\r\nb)'])
        self.ok(w, b"DELETE Archive/Notes")
        self.ok(w, b"CREATE Archive/Notes")
        self.assertEqual(self.ok(w, b"GETMETADATA Archive/Notes /private/comment"),
                         [b"* METADATA Archive/Notes (/private/comment NIL)"])

    def test_create_rename_delete_hierarchy(self):
        w = self.wire()
        # RFC 3501 §6.3.3: superior names are created; a trailing delimiter is dropped.
        self.ok(w, b"CREATE Work/Projects/2026/")
        self.assertEqual(self.ok(w, b'LIST "" "Work*"'), [
            b'* LIST (\\HasChildren) "/" Work',
            b'* LIST (\\HasChildren) "/" Work/Projects',
            b'* LIST (\\HasNoChildren) "/" Work/Projects/2026'])
        # "%" stops at the delimiter.
        self.assertEqual(self.ok(w, b'LIST "" "Work/%"'),
                         [b'* LIST (\\HasChildren) "/" Work/Projects'])
        self.assertEqual(w.command(b"CREATE Work/Projects"), [])
        self.assertEqual(w.tagged[:18], b"NO [ALREADYEXISTS]")
        # RFC 3501 §6.3.5: inferior names are renamed too.
        self.assertEqual(self.ok(w, b"RENAME Work Job"), [])
        self.assertEqual(w.tagged, b"OK RENAME completed")
        self.assertEqual(self.ok(w, b'LIST "" "*o*"'), [
            b'* LIST (\\HasChildren) "/" Job',
            b'* LIST (\\HasChildren) "/" Job/Projects',
            b'* LIST (\\HasNoChildren) "/" Job/Projects/2026'])
        self.assertEqual(self.ok(w, b'LIST "" "Work*"'), [])
        w.command(b"RENAME Nowhere Else")
        self.assertEqual(w.tagged[:15], b"NO [NONEXISTENT")
        w.command(b"RENAME Job/Projects Job")
        self.assertEqual(w.tagged[:18], b"NO [ALREADYEXISTS]")
        self.ok(w, b"DELETE Job/Projects/2026")
        self.assertEqual(w.tagged, b"OK DELETE completed")
        self.assertEqual(self.ok(w, b'LIST "" "Job*"'), [
            b'* LIST (\\HasChildren) "/" Job',
            b'* LIST (\\HasNoChildren) "/" Job/Projects'])
        w.command(b"DELETE INBOX")
        self.assertTrue(w.tagged.startswith(b"NO "), w.tagged)

    def test_hierarchy_edge_rules(self):
        self.deliver(PLAIN)
        w = self.wire()
        self.ok(w, b"CREATE a/b")
        w.command(b"RENAME a a/b/c")
        self.assertEqual(w.tagged, b"NO [CANNOT] mailbox a cannot be moved below itself")
        # RFC 3501 §6.3.4: deleting a mailbox with inferiors leaves it \Noselect.
        self.ok(w, b"DELETE a")
        self.assertEqual(self.ok(w, b'LIST "" "a*"'), [b'* LIST (\\Noselect \\HasChildren) "/" a',
                                                      b'* LIST (\\HasNoChildren) "/" a/b'])
        w.command(b"SELECT a")
        self.assertTrue(w.tagged.startswith(b"NO "), w.tagged)
        # RFC 3501 §5.1: INBOX is case-insensitive.
        w.command(b"CREATE inbox")
        self.assertEqual(w.tagged, b"NO [ALREADYEXISTS] mailbox INBOX exists already")
        self.assertEqual(self.ok(w, b"STATUS inbox (MESSAGES)"), [b"* STATUS INBOX (MESSAGES 1)"])
        w.command(b"RENAME INBOX Trash")
        self.assertEqual(w.tagged, b"NO [ALREADYEXISTS] mailbox Trash exists already")
        self.assertEqual(self.ok(w, b"STATUS Trash (MESSAGES)"), [b"* STATUS Trash (MESSAGES 0)"])
        self.assertIn(b"* 1 EXISTS", self.ok(w, b"SELECT iNbOx"))
        # LITERAL+ (RFC 7888): no continuation request for "{n+}". The appended message
        # is \Recent in this session, which already took message 1 (RFC 3501 §2.3.2).
        self.assertEqual(self.ok(w, b"APPEND INBOX {%d+}\r\n%s" % (len(PLAIN), PLAIN)),
                         [b"* 2 EXISTS", b"* 2 RECENT"])

    def test_rename_inbox_moves_messages_and_keeps_inbox(self):
        first = self.deliver(PLAIN)
        second = self.deliver(ENCODED)
        w = self.wire()
        self.ok(w, b"RENAME INBOX Old/Inbox")
        self.assertEqual(w.tagged, b"OK RENAME completed")
        self.assertEqual(self.ok(w, b"STATUS INBOX (MESSAGES)"), [b"* STATUS INBOX (MESSAGES 0)"])
        self.assertEqual(self.ok(w, b"STATUS Old/Inbox (MESSAGES UIDNEXT)"),
                         [b"* STATUS Old/Inbox (MESSAGES 2 UIDNEXT 3)"])
        self.ok(w, b"EXAMINE Old/Inbox")
        self.assertEqual(self.ok(w, b"FETCH 1:2 (BODY.PEEK[])"), [
            b"* 1 FETCH (BODY[] {%d}\r\n%s)" % (len(first), first),
            b"* 2 FETCH (BODY[] {%d}\r\n%s)" % (len(second), second)])
        # New mail still lands in INBOX.
        self.deliver(PLAIN)
        self.assertEqual(self.ok(w, b"STATUS INBOX (MESSAGES)"), [b"* STATUS INBOX (MESSAGES 1)"])

    def test_modified_utf7_name_round_trip(self):
        w = self.wire()
        # "Entwürfe" in modified UTF-7 (RFC 3501 §5.1.3).
        self.ok(w, b"CREATE Entw&APw-rfe/2026")
        self.assertEqual(self.ok(w, b'LIST "" "Entw*"'), [
            b'* LIST (\\HasChildren) "/" Entw&APw-rfe',
            b'* LIST (\\HasNoChildren) "/" Entw&APw-rfe/2026'])
        self.append(w, b"Entw&APw-rfe", PLAIN)
        self.assertEqual(self.ok(w, b'STATUS "Entw&APw-rfe" (MESSAGES)'),
                         [b"* STATUS Entw&APw-rfe (MESSAGES 1)"])
        lines = self.ok(w, b"SELECT Entw&APw-rfe")
        self.assertIn(b"* 1 EXISTS", lines)
        self.ok(w, b"RENAME Entw&APw-rfe &AMQ-nderung")
        self.assertEqual(self.ok(w, b'LIST "" "*nderung*"'), [
            b'* LIST (\\HasChildren) "/" &AMQ-nderung',
            b'* LIST (\\HasNoChildren) "/" &AMQ-nderung/2026'])

    def test_bad_mailbox_names_are_refused(self):
        w = self.wire()
        before = self.ok(w, b'LIST "" "*"')
        for name in (b'""', b"a//b", b"../x", b"a/./b", b"/lead"):
            for command in (b"CREATE %s", b"SELECT %s", b"RENAME INBOX %s", b"APPEND %s {1}"):
                text = command % name
                lines = w.command(text, [b"x"] if text.endswith(b"}") else ())
                self.assertTrue(w.tagged.startswith(b"NO "), (text, lines, w.tagged))
        self.assertEqual(self.ok(w, b'LIST "" "*"'), before)

    def test_subscribe_unsubscribe_lsub(self):
        w = self.wire()
        self.ok(w, b"CREATE Lists/Postamt")
        # CREATE subscribes nothing (subscribing is the client's choice, RFC 3501 §6.3.6).
        self.assertEqual(self.ok(w, b'LSUB "" "Lists*"'), [])
        self.ok(w, b"SUBSCRIBE Lists/Postamt")
        self.assertEqual(w.tagged, b"OK SUBSCRIBE completed")
        self.assertEqual(self.ok(w, b'LSUB "" "Lists*"'), [b'* LSUB () "/" Lists/Postamt'])
        # RFC 3501 §6.3.9: "%" returns the unsubscribed parent with \Noselect.
        self.assertEqual(self.ok(w, b'LSUB "" "Lists"'), [])
        self.assertEqual(self.ok(w, b'LSUB "" "%"'), [
            b'* LSUB () "/" Archive', b'* LSUB () "/" Drafts', b'* LSUB () "/" INBOX',
            b'* LSUB () "/" Junk', b'* LSUB (\\Noselect) "/" Lists', b'* LSUB () "/" Sent',
            b'* LSUB () "/" Trash'])
        self.ok(w, b"UNSUBSCRIBE Lists/Postamt")
        self.assertEqual(w.tagged, b"OK UNSUBSCRIBE completed")
        self.assertEqual(self.ok(w, b'LSUB "" "Lists*"'), [])
        # A subscription is a name: it outlives DELETE until UNSUBSCRIBE (RFC 3501 §6.3.6).
        self.ok(w, b"SUBSCRIBE Lists/Postamt")
        self.ok(w, b"DELETE Lists/Postamt")
        self.assertEqual(self.ok(w, b'LIST (SUBSCRIBED) "" "Lists*"'),
                         [b'* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" Lists/Postamt'])
        self.ok(w, b"UNSUBSCRIBE Lists/Postamt")
        self.assertEqual(self.ok(w, b'LSUB "" "Lists*"'), [])

    def test_list_special_use_and_extended(self):
        w = self.wire()
        # A new account has INBOX and one mailbox per RFC 6154 role.
        self.assertEqual(self.ok(w, b'LIST "" "*"'), [
            b'* LIST (\\HasNoChildren \\Archive) "/" Archive',
            b'* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
            b'* LIST (\\HasNoChildren) "/" INBOX',
            b'* LIST (\\HasNoChildren \\Junk) "/" Junk',
            b'* LIST (\\HasNoChildren \\Sent) "/" Sent',
            b'* LIST (\\HasNoChildren \\Trash) "/" Trash'])
        # RFC 3501 §6.3.8: an empty pattern asks for the delimiter and root.
        self.assertEqual(self.ok(w, b'LIST "" ""'), [b'* LIST (\\Noselect) "/" ""'])
        self.require(w, "LIST-EXTENDED")
        self.ok(w, b"CREATE Plain")
        self.ok(w, b"SUBSCRIBE Plain")
        # RFC 6154 §2: SPECIAL-USE selection returns only mailboxes with a use.
        special = self.ok(w, b'LIST (SPECIAL-USE) "" "*"')
        self.assertTrue(all(re.search(rb"\\(Sent|Drafts|Trash|Junk|Archive|All|Flagged)", l)
                            for l in special), special)
        self.assertNotIn(b'"/" Plain', b"\n".join(special))
        # RFC 5258 §3.1: SUBSCRIBED selection adds \Subscribed.
        self.assertEqual(self.ok(w, b'LIST (SUBSCRIBED) "" "Plain"'),
                         [b'* LIST (\\HasNoChildren \\Subscribed) "/" Plain'])

    def test_list_return_status(self):
        w = self.wire()
        self.require(w, "LIST-STATUS")
        self.deliver(PLAIN)
        self.ok(w, b"CREATE Empty")
        # RFC 5819 §2: STATUS follows the LIST response of each selectable mailbox.
        lines = self.ok(w, b'LIST "" (INBOX Empty) RETURN (STATUS (MESSAGES UNSEEN))')
        self.assertEqual(lines, [
            b'* LIST (\\HasNoChildren) "/" Empty',
            b"* STATUS Empty (MESSAGES 0 UNSEEN 0)",
            b'* LIST (\\HasNoChildren) "/" INBOX',
            b"* STATUS INBOX (MESSAGES 1 UNSEEN 1)"])

    def test_status_items(self):
        self.deliver(PLAIN)
        self.deliver(ENCODED)
        w = self.wire()
        validity = self.uid_validity(w, b"INBOX")
        lines = self.ok(w, b"STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)")
        # No session has selected INBOX yet: both messages are still \Recent (RFC 3501 §2.3.2).
        self.assertEqual(lines, [b"* STATUS INBOX (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY %d "
                                 b"UNSEEN 2)" % validity])
        w.command(b"STATUS Missing (MESSAGES)")
        self.assertEqual(w.tagged[:15], b"NO [NONEXISTENT")

    def test_status_size_and_deleted(self):
        stored = [self.deliver(PLAIN), self.deliver(ENCODED)]
        w = self.wire()
        self.require(w, "STATUS=SIZE")
        self.ok(w, b"SELECT INBOX")
        self.ok(w, b"STORE 2 +FLAGS.SILENT (\\Deleted)")
        # RFC 8438: SIZE is the sum of RFC822.SIZE; RFC 9051 §6.3.11: DELETED counts \Deleted.
        self.assertEqual(self.ok(w, b"STATUS INBOX (SIZE DELETED MESSAGES)"), [
            b"* STATUS INBOX (SIZE %d DELETED 1 MESSAGES 2)" % sum(len(m) for m in stored)])

    def test_create_special_use(self):
        w = self.wire()
        self.require(w, "CREATE-SPECIAL-USE")
        w.command(b"CREATE Outbox (USE (\\Sent))")
        self.assertTrue(w.tagged.startswith(b"NO [USEATTR] "), w.tagged)
        w.command(b"CREATE Odd (USE (\\Bogus))")
        self.assertTrue(w.tagged.startswith(b"NO [USEATTR] "), w.tagged)
        self.assertEqual(self.ok(w, b'LIST "" "O*"'), [])
        self.ok(w, b"DELETE Sent")
        self.ok(w, b"CREATE Gesendet/2026 (USE (\\Sent))")
        self.assertEqual(self.ok(w, b'LIST (SPECIAL-USE) "" "*"'), [
            b'* LIST (\\HasNoChildren \\Archive) "/" Archive',
            b'* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
            b'* LIST (\\HasNoChildren \\Sent) "/" Gesendet/2026',
            b'* LIST (\\HasNoChildren \\Junk) "/" Junk',
            b'* LIST (\\HasNoChildren \\Trash) "/" Trash'])

    def test_imap4rev2_utf8_names_meet_modified_utf7(self):
        rev2 = self.wire()
        self.require(rev2, "IMAP4rev2")
        self.assertEqual(self.ok(rev2, b"ENABLE IMAP4rev2"), [b"* ENABLED IMAP4rev2"])
        # RFC 9051 §5.1: UTF-8 names on the wire once IMAP4rev2 is enabled.
        self.ok(rev2, "CREATE \"Entwürfe/Köln\"".encode())
        self.assertEqual(self.ok(rev2, b'LIST "" "Entw*"'), [
            '* LIST (\\HasChildren) "/" "Entwürfe"'.encode(),
            '* LIST (\\HasNoChildren) "/" "Entwürfe/Köln"'.encode()])
        rev1 = self.wire()
        self.assertEqual(self.ok(rev1, b'LIST "" "Entw*"'), [
            b'* LIST (\\HasChildren) "/" Entw&APw-rfe',
            b'* LIST (\\HasNoChildren) "/" Entw&APw-rfe/K&APY-ln'])

    def test_getquotaroot(self):
        w = self.wire()
        self.require(w, "QUOTA")
        # RFC 9208 §4.3: no quota roots, so an empty QUOTAROOT list.
        self.assertEqual(self.ok(w, b"GETQUOTAROOT INBOX"), [b"* QUOTAROOT INBOX"])
        self.assertEqual(w.tagged, b"OK GETQUOTAROOT completed")
        w.command(b"GETQUOTAROOT Missing")
        self.assertEqual(w.tagged[:15], b"NO [NONEXISTENT")

    def test_users_are_isolated(self):
        self.deliver(PLAIN, to=OTHER)
        bob = self.wire(OTHER, OTHER_PASSWORD)
        self.ok(bob, b"CREATE Secret")
        alice = self.wire()
        self.assertEqual(self.ok(alice, b'LIST "" "Secret"'), [])
        for text in (b"SELECT Secret", b"STATUS Secret (MESSAGES)", b"DELETE Secret",
                     b"SELECT bob@example.org/INBOX", b"SELECT ../bob@example.org/INBOX"):
            alice.command(text)
            self.assertTrue(alice.tagged.startswith(b"NO "), (text, alice.tagged))
        self.assertEqual(self.ok(alice, b"STATUS INBOX (MESSAGES)"),
                         [b"* STATUS INBOX (MESSAGES 0)"])
        self.assertEqual(self.ok(bob, b"STATUS Secret (MESSAGES)"),
                         [b"* STATUS Secret (MESSAGES 0)"])
        self.assertEqual(self.ok(bob, b"STATUS INBOX (MESSAGES)"), [b"* STATUS INBOX (MESSAGES 1)"])


class Messages(Base):
    def test_append_with_flags_and_date_then_fetch(self):
        w = self.wire()
        self.require(w, "UIDPLUS")
        validity = self.uid_validity(w, b"INBOX")
        got = self.append(w, b"INBOX", ENCODED, flags=b"(\\Flagged $MDNSent)",
                          date=b'"05-Nov-2026 10:11:12 +0100"')
        self.assertEqual(got, (validity, 1))
        self.ok(w, b"SELECT INBOX")
        # RFC 3501 §9: date-day-fixed is (SP DIGIT) / 2DIGIT, hence " 5-Nov". SELECT took
        # the appended message as \Recent (RFC 3501 §2.3.2).
        self.assertEqual(self.ok(w, b"UID FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])"), [
            b"* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent $MDNSent) "
            b'INTERNALDATE " 5-Nov-2026 09:11:12 +0000" '
            b"RFC822.SIZE %d BODY[] {%d}\r\n%s)" % (len(ENCODED), len(ENCODED), ENCODED)])
        # A missing mailbox asks the client to create it (RFC 3501 §6.3.11).
        w.command(b"APPEND Nowhere {%d}" % len(PLAIN), [PLAIN])
        self.assertEqual(w.tagged, b"NO [TRYCREATE] Mailbox does not exist")

    def test_append_is_durable_across_kill9(self):
        w = self.wire()
        _, uid = self.append(w, b"INBOX", PLAIN, flags=b"(\\Seen)")
        # docs/architecture.md, Durability: OK is sent only after the bytes and the record are durable.
        self.p.kill9()
        w.close()
        self.p.start()
        w = self.wire()
        self.ok(w, b"EXAMINE INBOX")
        # Never selected, so still \Recent; EXAMINE shows it without taking it (RFC 3501 §2.3.2).
        self.assertEqual(self.ok(w, b"UID FETCH %d (FLAGS BODY.PEEK[])" % uid), [
            b"* 1 FETCH (UID %d FLAGS (\\Seen \\Recent) BODY[] {%d}\r\n%s)"
            % (uid, len(PLAIN), PLAIN)])

    def test_multiappend_all_or_nothing_and_durable(self):
        """RFC 3502: two messages in one APPEND, one uid set in APPENDUID (RFC 4315 §3);
        a failing second message adds neither; both survive kill -9 after the OK."""
        w = self.wire()
        self.require(w, "MULTIAPPEND")
        validity = self.uid_validity(w, b"INBOX")
        w.command(b"APPEND INBOX (\\Seen) {%d}" % len(PLAIN),
                  [PLAIN, b" (\\Flagged) {%d}" % len(ENCODED), ENCODED])
        self.assertEqual(w.tagged, b"OK [APPENDUID %d 1:2] APPEND completed" % validity)
        w.command(b"APPEND INBOX {%d}" % len(PLAIN), [PLAIN, b" (\\Bogus) {%d}" % len(PLAIN), PLAIN])
        self.assertEqual(w.tagged, b"BAD Flag \\Bogus cannot be stored")
        self.p.kill9()
        w.close()
        self.p.start()
        w = self.wire()
        self.ok(w, b"EXAMINE INBOX")
        self.assertEqual(self.ok(w, b"UID FETCH 1:* (FLAGS BODY.PEEK[])"), [
            b"* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent) BODY[] {%d}\r\n%s)" % (len(PLAIN), PLAIN),
            b"* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent) BODY[] {%d}\r\n%s)"
            % (len(ENCODED), ENCODED)])

    def test_catenate_builds_a_message_from_parts(self):
        """RFC 4469: the header of a stored message, new text, and a part of it; a URL
        that fails is NO [BADURL] and stores nothing."""
        stored = self.deliver(PLAIN)
        w = self.wire()
        self.require(w, "CATENATE")
        validity = self.uid_validity(w, b"INBOX")
        drafts = self.uid_validity(w, b"Drafts")
        text = b"\r\nA note on top.\r\n\r\n"
        w.command(b'APPEND Drafts (\\Draft) CATENATE (URL "/INBOX;UIDVALIDITY=%d/;UID=1/;'
                  b'SECTION=HEADER.FIELDS%%20(Subject)" TEXT {%d}' % (validity, len(text)),
                  [text, b' URL "/INBOX/;UID=1/;SECTION=TEXT")'])
        self.assertEqual(w.tagged, b"OK [APPENDUID %d 1] APPEND completed" % drafts)
        w.command(b'APPEND Drafts CATENATE (URL "/INBOX;UIDVALIDITY=%d/;UID=1")' % (validity + 1))
        self.assertEqual(w.tagged, b"NO [BADURL /INBOX;UIDVALIDITY=%d/;UID=1] Bad URL: "
                         b"UIDVALIDITY differs" % (validity + 1))
        self.ok(w, b"EXAMINE Drafts")
        header_end = stored.index(b"\r\n\r\n") + 4
        subject = [line for line in stored[:header_end].split(b"\r\n")
                   if line.lower().startswith(b"subject:")][0]
        expected = subject + b"\r\n\r\n" + text + stored[header_end:]
        self.assertEqual(self.ok(w, b"UID FETCH 1:* (BODY.PEEK[])"), [
            b"* 1 FETCH (UID 1 BODY[] {%d}\r\n%s)" % (len(expected), expected)])
        # The source was only read, never marked \Seen.
        self.ok(w, b"EXAMINE INBOX")
        self.assertEqual(self.ok(w, b"FETCH 1 (FLAGS)"), [b"* 1 FETCH (FLAGS (\\Recent))"])

    def test_copy_and_move_with_copyuid(self):
        for _ in range(3):
            self.deliver(PLAIN)
        w = self.wire()
        self.require(w, "UIDPLUS", "MOVE")
        self.ok(w, b"CREATE Archive/2026")
        self.ok(w, b"CREATE Elsewhere")
        target = self.uid_validity(w, b"Archive/2026")
        other = self.uid_validity(w, b"Elsewhere")
        self.ok(w, b"SELECT INBOX")
        self.ok(w, b"STORE 2 +FLAGS.SILENT ($MDNSent \\Flagged)")
        self.assertEqual(self.ok(w, b"COPY 2:3 Archive/2026"), [])
        self.assertEqual(w.tagged, b"OK [COPYUID %d 2:3 1:2] COPY completed" % target)
        w.command(b"COPY 1 Missing")
        self.assertEqual(w.tagged, b"NO [TRYCREATE] Mailbox does not exist")
        # RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGEs; each EXPUNGE
        # number is valid when it is sent, so removing 1 and 2 reads "1", "1".
        lines = self.ok(w, b"MOVE 1:2 Elsewhere")
        self.assertEqual(lines, [b"* OK [COPYUID %d 1:2 1:2] Moved" % other,
                                 b"* 1 EXPUNGE", b"* 1 EXPUNGE"])
        self.assertEqual(w.tagged, b"OK MOVE completed")
        self.assertEqual(self.ok(w, b"FETCH 1:* (UID)"), [b"* 1 FETCH (UID 3)"])
        lines = self.ok(w, b"UID MOVE 3 Elsewhere")
        self.assertEqual(lines, [b"* OK [COPYUID %d 3 3] Moved" % other, b"* 1 EXPUNGE"])
        self.assertEqual(w.tagged, b"OK UID MOVE completed")
        # $MDNSent (and other flags) travel with COPY and MOVE. The copies are new to
        # mailboxes no session has selected, so EXAMINE sees them \Recent (RFC 3501 §6.4.7).
        self.ok(w, b"EXAMINE Archive/2026")
        self.assertEqual(self.ok(w, b"FETCH 1:* (FLAGS)"),
                         [b"* 1 FETCH (FLAGS (\\Flagged \\Recent $MDNSent))",
                          b"* 2 FETCH (FLAGS (\\Recent))"])
        self.ok(w, b"EXAMINE Elsewhere")
        self.assertEqual(self.ok(w, b"UID FETCH 1:* (FLAGS)"), [
            b"* 1 FETCH (UID 1 FLAGS (\\Recent))",
            b"* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent $MDNSent))",
            b"* 3 FETCH (UID 3 FLAGS (\\Recent))"])
        w.command(b"MOVE 1 INBOX")
        self.assertEqual(w.tagged, b"NO [READ-ONLY] Mailbox is read-only")

    def test_uid_expunge_only_named_uids(self):
        for _ in range(4):
            self.deliver(PLAIN)
        w = self.wire()
        self.require(w, "UIDPLUS")
        self.ok(w, b"SELECT INBOX")
        self.ok(w, b"STORE 1:3 +FLAGS.SILENT (\\Deleted)")
        # RFC 4315 §2.1: only messages that are in the set AND \Deleted go.
        self.assertEqual(self.ok(w, b"UID EXPUNGE 2:4"), [b"* 2 EXPUNGE", b"* 2 EXPUNGE"])
        self.assertEqual(w.tagged, b"OK UID EXPUNGE completed")
        self.assertEqual(self.ok(w, b"FETCH 1:* (UID FLAGS)"), [
            b"* 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))", b"* 2 FETCH (UID 4 FLAGS (\\Recent))"])

    def test_unselect_keeps_and_close_expunges(self):
        for _ in range(2):
            self.deliver(PLAIN)
        w = self.wire()
        self.ok(w, b"SELECT INBOX")
        self.ok(w, b"STORE 1 +FLAGS.SILENT (\\Deleted)")
        self.assertEqual(self.ok(w, b"UNSELECT"), [])
        self.assertEqual(w.tagged, b"OK UNSELECT completed")
        w.command(b"FETCH 1 (UID)")
        self.assertTrue(w.tagged.startswith(b"BAD "), w.tagged)
        self.assertEqual(self.ok(w, b"STATUS INBOX (MESSAGES)"), [b"* STATUS INBOX (MESSAGES 2)"])
        self.ok(w, b"EXAMINE INBOX")
        # CLOSE on an EXAMINEd mailbox expunges nothing (RFC 3501 §6.4.2).
        self.assertEqual(self.ok(w, b"CLOSE"), [])
        self.assertEqual(self.ok(w, b"STATUS INBOX (MESSAGES)"), [b"* STATUS INBOX (MESSAGES 2)"])
        self.ok(w, b"SELECT INBOX")
        # CLOSE expunges silently: no untagged EXPUNGE.
        self.assertEqual(self.ok(w, b"CLOSE"), [])
        self.assertEqual(w.tagged, b"OK CLOSE completed")
        self.assertEqual(self.ok(w, b"STATUS INBOX (MESSAGES UIDNEXT)"),
                         [b"* STATUS INBOX (MESSAGES 1 UIDNEXT 3)"])

    def test_binary_fetch_decodes_base64(self):
        self.deliver(ATTACHMENT)
        w = self.wire()
        self.require(w, "BINARY")
        self.ok(w, b"SELECT INBOX")
        # RFC 3516 §4.2: decoded content; a NUL needs literal8 ("~{n}").
        self.assertEqual(self.ok(w, b"FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2])"), [
            b"* 1 FETCH (BINARY[2] ~{6}\r\n\x00\x01\x02\x03\x00\xff BINARY.SIZE[2] 6)"])
        self.assertEqual(self.ok(w, b"FETCH 1 (BINARY.PEEK[1] FLAGS)"), [
            b"* 1 FETCH (BINARY[1] {14}\r\nsee attachment FLAGS (\\Recent))"])

    def test_literal8_append_comes_back_through_binary(self):
        w = self.wire()
        self.require(w, "BINARY")
        message = b"Subject: nul\r\n\r\nx\x00y\r\n"
        # RFC 3516 §4.4: APPEND takes a literal8 ("~{n}") holding NUL.
        self.ok(w, b"APPEND INBOX ~{%d}" % len(message), [message])
        self.ok(w, b"EXAMINE INBOX")
        self.assertEqual(self.ok(w, b"FETCH 1 (BINARY.PEEK[] BINARY.SIZE[])"), [
            b"* 1 FETCH (BINARY[] ~{%d}\r\n%s BINARY.SIZE[] %d)"
            % (len(message), message, len(message))])

    def test_idle_hears_another_sessions_move_and_flags(self):
        self.deliver(PLAIN)
        self.deliver(ENCODED)
        idler = self.wire()
        self.ok(idler, b"SELECT INBOX")
        other = self.wire()
        self.require(other, "MOVE")
        self.ok(other, b"SELECT INBOX")
        idler.send(b"i IDLE\r\n")
        self.assertEqual(idler.read_response(), b"+ idling")
        self.ok(other, b"MOVE 1 Archive")
        self.assertEqual(idler.read_response(), b"* 1 EXPUNGE")
        self.ok(other, b"STORE 1 +FLAGS.SILENT (\\Flagged)")
        # The idler selected first and took both messages as \Recent (RFC 3501 §2.3.2).
        self.assertEqual(idler.read_response(), b"* 1 FETCH (FLAGS (\\Flagged \\Recent) UID 2)")
        idler.send(b"DONE\r\n")
        self.assertEqual(idler.until_tagged(b"i"), [])
        self.assertEqual(idler.tagged, b"OK IDLE terminated")


class Search(Base):
    def setUp(self):
        super().setUp()
        self.deliver(PLAIN)
        self.deliver(ENCODED)
        self.deliver(ATTACHMENT)
        self.w = self.wire()
        self.ok(self.w, b"SELECT INBOX")
        self.ok(self.w, b"STORE 2 +FLAGS.SILENT (\\Flagged $MDNSent)")

    def search(self, text, literals=()):
        lines = self.ok(self.w, text, literals)
        self.assertEqual(len(lines), 1, lines)
        return lines[0]

    def test_key_families(self):
        s = self.search
        self.assertEqual(s(b"SEARCH ALL"), b"* SEARCH 1 2 3")
        self.assertEqual(s(b"SEARCH FLAGGED"), b"* SEARCH 2")
        self.assertEqual(s(b"SEARCH KEYWORD $MDNSent"), b"* SEARCH 2")
        self.assertEqual(s(b"SEARCH UNKEYWORD $MDNSent NOT FLAGGED"), b"* SEARCH 1 3")
        self.assertEqual(s(b"SEARCH FROM carol"), b"* SEARCH 2")
        self.assertEqual(s(b'SEARCH HEADER Message-ID "<p1@example.org>"'), b"* SEARCH 1")
        self.assertEqual(s(b"SEARCH SENTBEFORE 03-Nov-2026"), b"* SEARCH 1")
        self.assertEqual(s(b"SEARCH SENTON 03-Nov-2026"), b"* SEARCH 2")
        self.assertEqual(s(b"SEARCH OR SUBJECT binary BODY second"), b"* SEARCH 1 3")
        self.assertEqual(s(b"SEARCH LARGER %d" % (len(PLAIN) + 40)), b"* SEARCH 2 3")
        self.assertEqual(s(b"SEARCH 2:* UID 1:2"), b"* SEARCH 2")
        self.assertEqual(s(b"UID SEARCH TEXT attachment"), b"* SEARCH 3")
        self.assertEqual(s(b"SEARCH SUBJECT nothing-like-this"), b"* SEARCH")

    def test_utf8_charset_literal_and_encoded_subject(self):
        # RFC 3501 §6.4.4: the RFC 2047 subject is decoded before comparing.
        self.assertEqual(self.search(b"SEARCH CHARSET UTF-8 SUBJECT {6}", [b"Gr\xc3\xbc\xc3\x9f"]),
                         b"* SEARCH 2")
        self.assertEqual(self.search(b"SEARCH CHARSET UTF-8 BODY {6}", [b"Flu\xc3\x9f"]),
                         b"* SEARCH 2")
        self.assertEqual(self.search(b"SEARCH SUBJECT \"aus K\""), b"* SEARCH 2")
        self.w.command(b"SEARCH CHARSET KOI8-X SUBJECT x")
        self.assertTrue(self.w.tagged.startswith(b"NO [BADCHARSET"), self.w.tagged)

    def test_esearch_return_options(self):
        self.require(self.w, "ESEARCH")
        tag_re = rb'\(TAG "t\d+"\)'
        line = self.search(b"SEARCH RETURN (MIN MAX COUNT ALL) ALL")
        self.assertRegex(line, rb"^\* ESEARCH " + tag_re + rb" MIN 1 MAX 3 ALL 1:3 COUNT 3$")
        line = self.search(b"UID SEARCH RETURN (COUNT) UNFLAGGED")
        self.assertRegex(line, rb"^\* ESEARCH " + tag_re + rb" UID COUNT 2$")
        # RFC 4731 §3.1: the order of return data is the server's; no match means no
        # MIN/MAX/ALL, just the tag.
        line = self.search(b"SEARCH RETURN (MIN MAX) SUBJECT nothing-like-this")
        self.assertRegex(line, rb"^\* ESEARCH " + tag_re + rb"$")

    def test_searchres_save_then_fetch(self):
        self.require(self.w, "SEARCHRES")
        # RFC 5182 §2.2: SAVE alone returns no ESEARCH response.
        self.assertEqual(self.ok(self.w, b"SEARCH RETURN (SAVE) OR FLAGGED SUBJECT binary"), [])
        self.assertEqual(self.ok(self.w, b"FETCH $ (UID)"),
                         [b"* 2 FETCH (UID 2)", b"* 3 FETCH (UID 3)"])
        self.assertEqual(self.ok(self.w, b"UID SEARCH UID $ NOT FLAGGED"), [b"* SEARCH 3"])
        self.ok(self.w, b"STORE $ +FLAGS.SILENT (\\Seen)")
        self.assertEqual(self.search(b"SEARCH SEEN"), b"* SEARCH 2 3")


class CondStore(Base):
    def test_highestmodseq_changedsince_unchangedsince(self):
        self.deliver(PLAIN)
        self.deliver(PLAIN)
        w = self.wire()
        lines = self.ok(w, b"SELECT INBOX (CONDSTORE)")
        found = [re.match(rb"\* OK \[HIGHESTMODSEQ (\d+)\]", l) for l in lines]
        found = [m for m in found if m]
        self.assertEqual(len(found), 1, lines)
        start = int(found[0].group(1))
        lines = self.ok(w, b"FETCH 1:* (MODSEQ)")
        self.assertEqual(len(lines), 2, lines)
        for number, line in enumerate(lines, 1):
            m = re.match(rb"^\* %d FETCH \(MODSEQ \((\d+)\)\)$" % number, line)
            self.assertIsNotNone(m, line)
            self.assertLessEqual(int(m.group(1)), start)
        # SELECT took both messages, so \Recent shows in their FLAGS (RFC 3501 §2.3.2).
        lines = self.ok(w, b"STORE 2 +FLAGS (\\Flagged)")
        changed = int(re.search(rb"MODSEQ \((\d+)\)", lines[0]).group(1))
        self.assertGreater(changed, start)
        self.assertEqual(lines, [b"* 2 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (%d))" % changed])
        # RFC 7162 §3.1.4.1: CHANGEDSINCE returns only what changed after the value.
        self.assertEqual(self.ok(w, b"FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % start),
                         [b"* 2 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (%d))" % changed])
        self.assertEqual(self.ok(w, b"FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % changed), [])
        # RFC 7162 §3.1.3: a message changed since UNCHANGEDSINCE is not stored and is
        # named in MODIFIED; the others are stored.
        lines = self.ok(w, b"STORE 1:2 (UNCHANGEDSINCE %d) +FLAGS (\\Seen)" % start)
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], rb"^\* 1 FETCH \(FLAGS \(\\Seen \\Recent\) MODSEQ \(\d+\)\)$")
        latest = int(re.search(rb"MODSEQ \((\d+)\)", lines[0]).group(1))
        self.assertGreater(latest, changed)
        self.assertEqual(w.tagged, b"OK [MODIFIED 2] STORE completed")
        self.assertEqual(self.ok(w, b"FETCH 2 (FLAGS MODSEQ)"), [
            b"* 2 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (%d))" % changed])
        self.assertEqual(self.ok(w, b"STATUS INBOX (HIGHESTMODSEQ)"),
                         [b"* STATUS INBOX (HIGHESTMODSEQ %d)" % latest])

    def test_two_clients_racing_unchangedsince_one_wins(self):
        self.deliver(PLAIN)
        a = self.wire()
        b = self.wire()
        modseq = []
        for w in (a, b):
            lines = self.ok(w, b"SELECT INBOX (CONDSTORE)")
            lines = self.ok(w, b"FETCH 1 (MODSEQ)")
            modseq.append(int(re.search(rb"MODSEQ \((\d+)\)", lines[0]).group(1)))
        self.assertEqual(modseq[0], modseq[1])
        command = b"STORE 1 (UNCHANGEDSINCE %d) +FLAGS ($MDNSent)" % modseq[0]
        # Both commands are on the wire before either answer is read.
        a.send(b"r1 " + command + b"\r\n")
        b.send(b"r2 " + command + b"\r\n")
        results = {}

        def collect(w, tag):
            results[tag] = (w.until_tagged(tag), w.tagged)

        threads = [threading.Thread(target=collect, args=(a, b"r1")),
                   threading.Thread(target=collect, args=(b, b"r2"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        tagged = sorted(r[1] for r in results.values())
        self.assertEqual(tagged, [b"OK STORE completed", b"OK [MODIFIED 1] STORE completed"])
        # a selected first and took the message as \Recent, b did not (RFC 3501 §2.3.2):
        # which session wins decides whether the winner's FETCH shows it.
        flags = {b"r1": rb"\\Recent \$MDNSent", b"r2": rb"\$MDNSent"}
        won = [tag for tag, r in results.items() if r[1] == b"OK STORE completed"][0]
        winner = results[won][0]
        self.assertEqual(len(winner), 1, winner)
        self.assertRegex(winner[0], rb"^\* 1 FETCH \(FLAGS \(%s\) MODSEQ \(\d+\)\)$" % flags[won])
        final = self.ok(a, b"FETCH 1 (FLAGS MODSEQ)")
        self.assertRegex(final[-1],
                         rb"^\* 1 FETCH \(FLAGS \(%s\) MODSEQ \(\d+\)\)$" % flags[b"r1"])


if __name__ == "__main__":
    unittest.main()
