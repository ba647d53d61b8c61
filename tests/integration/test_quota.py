"""Quota (RFC 9208) end to end against the real binary: limits from [quota] and from
`postamt user quota set`, what `user quota show` and `user list --format json` report,
IMAP GETQUOTAROOT/GETQUOTA and [OVERQUOTA] with imaplib, and SMTP's 452 4.2.2 / 552
5.2.2 with smtplib; `kill -9` after an accepted message loses nothing and the use the
server counted is what it has."""

import imaplib
import json
import smtplib
import unittest

from harness import Postamt
from test_imap_commands import cheap_hash

USER = "alice@example.org"
PASSWORD = "correct horse"


def message(subject, size):
    head = f"From: bob@example.net\r\nTo: {USER}\r\nSubject: {subject}\r\n\r\n".encode()
    lines = b""
    while len(head) + len(lines) + 100 <= size:
        lines += b"x" * 98 + b"\r\n"
    return head + lines + b"y" * (size - len(head) - len(lines))


class Quota(unittest.TestCase):
    def setUp(self):
        self.p = Postamt(services=("smtp", "imap"),
                         extra_config="[quota]\nstorage = 10240\nmessages = 100\n")
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.start()

    def smtp(self, data, size=None):
        host, port = self.p.address("smtp")
        with smtplib.SMTP(host, port, timeout=30) as s:
            s.ehlo("client.example")
            options = [f"SIZE={size}"] if size else []
            code, _ = s.mail("bob@example.net", options)
            self.assertEqual(code, 250)
            code, text = s.rcpt(USER)
            if code != 250:
                return code, text
            code, text = s.data(data)
            return code, text

    def imap(self):
        host, port = self.p.address("imap")
        client = imaplib.IMAP4(host, port, timeout=30)
        self.addCleanup(client.shutdown)
        client.login(USER, PASSWORD)
        return client

    def show(self):
        return json.loads(self.p.cli("user", "quota", "show", USER, "--format", "json",
                                     check=True).out)

    def test_limits_usage_and_refusals(self):
        self.assertEqual(self.show(), {"storage": {"used": 0, "limit": 10240, "own": False},
                                       "messages": {"used": 0, "limit": 100, "own": False}})
        self.assertEqual(self.smtp(message("one", 6000))[0], 250)
        used = self.show()["storage"]["used"]
        self.assertGreater(used, 6000)  # with Return-Path and Received
        # 6000 more do not fit now: 452 4.2.2, whether declared or found at the end.
        code, text = self.smtp(message("two", 6000), size=6000)
        self.assertEqual((code, text[:5]), (452, b"4.2.2"))
        code, text = self.smtp(message("two", 6000))
        self.assertEqual((code, text[:5]), (452, b"4.2.2"))
        # 20000 never fit: 552 5.2.2.
        code, text = self.smtp(message("big", 20000), size=20000)
        self.assertEqual((code, text[:5]), (552, b"5.2.2"))
        code, text = self.smtp(message("big", 20000))
        self.assertEqual((code, text[:5]), (552, b"5.2.2"))

        client = self.imap()
        typ, data = client.getquotaroot("INBOX")
        self.assertEqual(typ, "OK")
        kib = (used + 1023) // 1024
        self.assertEqual(data, [[b'INBOX ""'], [f'"" (STORAGE {kib} 10 MESSAGE 1 100)'.encode()]])
        typ, data = client.append("INBOX", None, None, message("appended", 6000))
        self.assertEqual(typ, "NO")
        self.assertIn(b"[OVERQUOTA]", data[0])
        client.select("INBOX")
        typ, data = client.copy("1", "Archive")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[OVERQUOTA]", data[0])
        # MOVE adds nothing to the account and goes through.
        typ, _ = client._simple_command("MOVE", "1", "Archive")
        self.assertEqual(typ, "OK")

        # The admin raises the limit for this account only; the same message now fits.
        self.p.cli("user", "quota", "set", USER, "storage", "1M", "messages", "none", check=True)
        self.assertEqual(self.show()["storage"], {"used": used, "limit": 1048576, "own": True})
        self.assertEqual(self.show()["messages"]["limit"], None)
        self.assertEqual(self.smtp(message("two", 6000))[0], 250)
        users = json.loads(self.p.cli("user", "list", "--format", "json", check=True).out)
        self.assertEqual(users[0]["quota"]["messages"]["used"], 2)
        self.assertEqual(users[0]["quota"], self.show())

        # `postamt deliver` as an MTA's LDA: a full mailbox is EX_TEMPFAIL (75), a message
        # larger than the quota a permanent failure (1).
        self.p.cli("user", "quota", "set", USER, "messages", "2", check=True)
        r = self.p.cli("deliver", "--from", "bob@example.net", USER,
                       input=message("3", 500).decode())
        self.assertEqual((r.code, r.err),
                         (75, f"postamt: the mailbox of {USER} is full\n"))
        r = self.p.cli("deliver", "--from", "bob@example.net", USER,
                       input=message("4", 2 * 1048576).decode())
        self.assertEqual((r.code, r.err),
                         (1, f"postamt: the message is larger than the storage quota of {USER}\n"))

        r = self.p.cli("user", "quota", "set", USER, "storage", "lots")
        self.assertEqual((r.code, r.err), (1, 'postamt: "lots" is not a quota\n'))

    def test_use_survives_kill_9(self):
        self.p.cli("user", "quota", "set", USER, "messages", "2", check=True)
        self.assertEqual(self.smtp(message("a", 500))[0], 250)
        self.assertEqual(self.smtp(message("b", 500))[0], 250)
        code, text = self.smtp(message("c", 500))
        self.assertEqual((code, text[:5]), (452, b"4.2.2"))
        before = self.show()
        self.p.kill9()
        self.p.start()
        self.assertEqual(self.show(), before)
        self.assertEqual(before["messages"]["used"], 2)



class SetQuota(unittest.TestCase):
    """SETQUOTA (RFC 9208 §4.1.3) from a quota administrator named in [quota] admins;
    the CLI shows what it set."""

    def test_admin_sets_another_accounts_quota(self):
        p = Postamt(services=("imap",),
                    extra_config='[quota]\nadmins = ["Postmaster@example.org"]\n')
        self.addCleanup(p.close)
        p.cli("domain", "add", "example.org", check=True)
        for user in (USER, "postmaster@example.org"):
            p.cli("user", "add", user, "--password-hash", cheap_hash(PASSWORD), check=True)
        p.start()
        host, port = p.address("imap")
        user = imaplib.IMAP4(host, port)
        self.addCleanup(user.logout)
        user.login(USER, PASSWORD)
        self.assertNotIn(b"QUOTASET", user.capability()[1][0].split())
        self.assertEqual(user._simple_command("SETQUOTA", '""', "(STORAGE 10)"),
                         ("NO", [b"[NOPERM] Only quota administrators may change quotas"]))
        admin = imaplib.IMAP4(host, port)
        self.addCleanup(admin.logout)
        admin.login("postmaster@example.org", PASSWORD)
        self.assertIn(b"QUOTASET", admin.capability()[1][0].split())
        typ, data = admin.setquota(f'"#user/{USER}"', "(STORAGE 2048 MESSAGE 10)")
        self.assertEqual(typ, "OK")
        self.assertEqual(data, [f'"#user/{USER}" (STORAGE 0 2048 MESSAGE 0 10)'.encode()])
        shown = json.loads(p.cli("user", "quota", "show", USER, "--format", "json",
                                 check=True).out)
        self.assertEqual(shown["storage"], {"used": 0, "limit": 2048 * 1024, "own": True})
        self.assertEqual(shown["messages"], {"used": 0, "limit": 10, "own": True})
        self.assertEqual(user.getquotaroot("INBOX"),
                         ("OK", [[b'INBOX ""'], [b'"" (STORAGE 0 2048 MESSAGE 0 10)']]))


if __name__ == "__main__":
    unittest.main()
