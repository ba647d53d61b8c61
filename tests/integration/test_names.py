"""Names clients send, against the real binary (issue: hardening, items 12 and 13).

Login names that no account can have fail exactly like a wrong password (IMAP
AUTHENTICATIONFAILED, POP3 [AUTH], the fail2ban line, no bytes of the name echoed).
Mailbox names are kept in NFC (RFC 9051 §5.1), so an NFD and an NFC spelling are one
mailbox; names with control characters, line separators, non-characters or another
namespace's prefix are refused with CANNOT and a fixed text."""

import imaplib
import poplib
import re
import unittest

from harness import Postamt, imap_login
from imap_wire import Wire

USER = "alice@example.org"
PASSWORD = "correct horse"

NFD = "Entwu&Awg-rfe"   # "Entwu" U+0308 "rfe" in modified UTF-7
NFC = "Entw&APw-rfe"    # "Entw" U+00FC "rfe"


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
        return imap_login(self, self.p, USER, PASSWORD)


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
        self.addCleanup(client.shutdown)
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


class MailboxNames(NamesBase):
    def test_nfd_and_nfc_are_one_mailbox(self):
        imap = self.imap()
        typ, data = imap.create(NFD)
        self.assertEqual(typ, "OK")
        made = re.fullmatch(rb"\[MAILBOXID \((F[1-9][0-9]*)\)\] CREATE completed", data[0])
        self.assertIsNotNone(made, data)
        typ, data = imap.create(NFC)
        self.assertEqual(typ, "NO")
        self.assertEqual(data, [b"[ALREADYEXISTS] mailbox Entw??rfe exists already"])
        typ, data = imap.append(NFD, None, None, b"Subject: x\r\n\r\nbody\r\n")
        self.assertEqual(typ, "OK")
        self.assertEqual(imap.select(NFC), ("OK", [b"1"]))
        typ, data = imap.list('""', "*")
        self.assertEqual(typ, "OK")
        self.assertEqual([d for d in data if b"Entw" in d],
                         [b'(\\HasNoChildren) "/" ' + NFC.encode()])
        self.assertEqual(imap.status(NFD, "(MESSAGES)"),
                         ("OK", [NFC.encode() + b" (MESSAGES 1)"]))
        self.assertEqual(imap.rename(NFD, "Alt/" + NFD)[0], "OK")
        self.assertEqual(imap.select("Alt/" + NFC), ("OK", [b"1"]))
        # RFC 8474 §4: the renamed mailbox keeps the MAILBOXID its CREATE named.
        self.assertEqual(imap.status("Alt/" + NFD, "(MAILBOXID)"),
                         ("OK", [b"Alt/" + NFC.encode() + b" (MAILBOXID (" + made[1] + b"))"]))
        self.assertEqual(imap.delete("Alt/" + NFD)[0], "OK")
        typ, data = imap.list('""', "*Entw*")
        self.assertEqual(data, [None])

    def test_utf8_names_after_enable_imap4rev2(self):
        w = self.wire()
        w.login(USER, PASSWORD)
        w.command(b"ENABLE IMAP4rev2")
        nfd = "Entwu\u0308rfe".encode()
        nfc = "Entw\u00fcrfe".encode()
        w.command(b'CREATE "' + nfd + b'"')
        self.assertRegex(w.tagged, rb"^OK \[MAILBOXID \(F[1-9][0-9]*\)\] CREATE completed$")
        self.assertEqual(w.command(b'LIST "" "Entw*"'),
                         [b'* LIST (\\HasNoChildren) "/" "' + nfc + b'"'])
        w.command(b'CREATE "a\xc2\x85b"')  # NEL, a C1 control
        self.assertEqual(w.tagged, b"NO [CANNOT] Mailbox name contains a control character")
        w.command(b'CREATE "x\xe2\x80\xa8"')
        self.assertEqual(w.tagged,
                         b"NO [CANNOT] Mailbox name contains a line or paragraph separator")
        w.command(b'SELECT "\xef\xb7\x90"')
        self.assertEqual(w.tagged, b"NO [CANNOT] Mailbox name contains a Unicode non-character")

    def test_refused_names_are_cannot_with_a_fixed_text(self):
        imap = self.imap()
        other = [b"[CANNOT] Mailbox names starting with # or ~ are other namespaces"]
        self.assertEqual(imap.create("#shared/x"), ("NO", other))
        self.assertEqual(imap.select("~bob"), ("NO", other))
        self.assertEqual(imap.subscribe("#news"), ("NO", other))
        self.assertEqual(imap.create("a&ABs-[2J"),
                         ("NO", [b"[CANNOT] Mailbox name contains a control character"]))
        typ, data = imap.namespace()
        self.assertEqual(data, [b'(("" "/")) NIL NIL'])
        typ, data = imap.list('""', "*")
        self.assertEqual(sorted(data), sorted([
            b'(\\HasNoChildren \\Archive) "/" Archive', b'(\\HasNoChildren \\Drafts) "/" Drafts',
            b'(\\HasNoChildren) "/" INBOX', b'(\\HasNoChildren \\Junk) "/" Junk',
            b'(\\HasNoChildren \\Sent) "/" Sent', b'(\\HasNoChildren \\Trash) "/" Trash']))


if __name__ == "__main__":
    unittest.main()
