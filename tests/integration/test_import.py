"""`postamt import` and `postamt export` against the real binary (docs/import-export.md).

The acceptance test of issue 18: a real Dovecot (tests/integration/dovecot_peer.py) gets
mail over LMTP, flags, keywords, folders and an APPEND with a given date over IMAP; after
it stops, `postamt import maildir` reads its Maildir, and every folder's messages (bytes
from BODY.PEEK[], flags, keywords, INTERNALDATE) and the folder list are compared over
IMAP between Dovecot and Postamt. Exporting as Maildir++ and as mbox and importing each
into another account gives the same again, and a Dovecot given the Maildir++ export
serves the same too. Then: an import killed with SIGKILL halfway
and run again stores every message exactly once; an mbox message over [imap] max_literal
is skipped, reported, and the exit code says so.
"""

import datetime
import email.utils
import imaplib
import os
import pty
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import dovecot_peer
from harness import BIN, Postamt
from test_imap_commands import cheap_hash

USER = "alice@example.test"
PASSWORD = "import secret"

# What Dovecot gets, and so what Postamt must show after the import.
DELIVERED = [
    b"From: Bob <bob@example.net>\r\nTo: alice@example.test\r\nSubject: plain\r\n"
    b"Message-ID: <1@example.net>\r\n\r\nFirst line\r\nFrom the start of a line\r\n",
    b"From: Carol <carol@example.net>\r\nTo: alice@example.test\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln\r\n>From quoted\r\n",
    b"From: Dan <dan@example.net>\r\nTo: alice@example.test\r\nSubject: third\r\n\r\n"
    + b"long line " * 100 + b"\r\n",
]
FOLDERS = ["Projects/2026", "Sent", "Drafts", "Trash", "Junk", "Archive", "Caf&AOk-"]

FLAGS_RE = re.compile(rb"FLAGS \(([^)]*)\)")
DATE_RE = re.compile(rb'INTERNALDATE "([^"]+)"')


def parse_internaldate(text):
    return int(datetime.datetime.strptime(text, "%d-%b-%Y %H:%M:%S %z").timestamp())


def snapshot(client):
    """{folder: [(flags, internaldate, bytes)]} of every folder, plus the sorted folder
    names, as an IMAP client sees them."""
    typ, data = client.list('""', "*")
    assert typ == "OK", data
    names = []
    selectable = []
    for line in data:
        m = re.match(rb'\(([^)]*)\) "(.)" (.*)$', line)
        assert m, line
        name = m.group(3).decode()
        if name.startswith('"'):
            name = name[1:-1]
        names.append(name)
        if b"\\Noselect" not in m.group(1):
            selectable.append(name)
    result = {}
    for name in selectable:
        typ, data = client.select(f'"{name}"', readonly=True)
        assert typ == "OK", (name, data)
        messages = []
        if int(data[0]) > 0:
            typ, data = client.fetch("1:*", "(FLAGS INTERNALDATE BODY.PEEK[])")
            assert typ == "OK", data
            for item in data:
                if not isinstance(item, tuple):
                    continue
                flags, date = FLAGS_RE.search(item[0]), DATE_RE.search(item[0])
                assert flags and date, item[0]
                flags = sorted(f for f in flags.group(1).decode().split() if f != "\\Recent")
                messages.append((flags, parse_internaldate(date.group(1).decode()), item[1]))
        result[name] = messages
    return sorted(names), result


class DovecotImport(unittest.TestCase):
    @unittest.skipUnless(dovecot_peer.available(), "Dovecot not installed (scripts/install-deps)")
    def test_real_dovecot_maildir_then_export_round_trips(self):
        dovecot = dovecot_peer.DovecotPeer([USER])
        self.addCleanup(dovecot.close)
        dovecot.start()
        for message in DELIVERED:
            dovecot.lmtp_deliver(USER, message)
        c = dovecot.imap(USER)
        for folder in FOLDERS:
            self.assertEqual(c.create(folder)[0], "OK", folder)
        c.subscribe("Projects/2026")
        c.select("INBOX")
        c.store("1", "+FLAGS", r"(\Seen $Label1 Important)")
        c.store("2", "+FLAGS", r"(\Answered \Flagged $Forwarded)")
        c.store("3", "+FLAGS", r"(\Deleted \Seen)")
        typ, _ = c.append("Projects/2026", r"(\Seen Important $Forwarded)",
                          '"01-Feb-2024 10:00:00 +0100"',
                          b"Subject: appended\r\nDate: Thu, 1 Feb 2024 10:00:00 +0100\r\n\r\nold mail\r\n")
        self.assertEqual(typ, "OK")
        typ, _ = c.append("Drafts", r"(\Draft)", '"24-Dec-2025 18:30:00 +0000"',
                          b"Subject: draft\r\n\r\nunfinished\r\n")
        self.assertEqual(typ, "OK")
        typ, _ = c.append("Sent", r"(\Seen)", '"02-Jan-2026 08:00:00 -0500"',
                          b"Subject: sent\r\nTo: bob@example.net\r\n\r\nthanks\r\n")
        self.assertEqual(typ, "OK")
        want_names, want = snapshot(c)
        c.logout()
        dovecot.stop()
        self.assertEqual(len(want["INBOX"]), 3)
        self.assertEqual(want["Projects/2026"][0][1], 1706778000)

        p = Postamt(services=("imap",))
        self.addCleanup(p.close)
        p.cli("domain", "add", "example.test", check=True)
        for user in (USER, "bob@example.test", "carol@example.test"):
            p.cli("user", "add", user, "--password-hash", cheap_hash(PASSWORD), check=True)
        r = p.cli("import", "maildir", dovecot.maildir(USER), "--user", USER)
        self.assertEqual(r.code, 0, r)
        self.assertIn("imported 6 messages, 0 imported before, 0 skipped\n", r.out)
        self.assertIn("Projects/2026: 1 imported\n", r.out)
        # Running it again adds nothing.
        again = p.cli("import", "maildir", dovecot.maildir(USER), "--user", USER)
        self.assertEqual(again.code, 0, again)
        self.assertIn("imported 0 messages, 6 imported before, 0 skipped\n", again.out)

        export_root = tempfile.mkdtemp(prefix="postamt-export-")
        self.addCleanup(subprocess.run, ["rm", "-rf", export_root])
        for fmt, user in (("maildir", "bob@example.test"), ("mbox", "carol@example.test")):
            dest = os.path.join(export_root, fmt)
            r = p.cli("export", "--user", USER, "--format", fmt, dest)
            self.assertEqual(r.code, 0, r)
            self.assertEqual(r.out, "exported 6 messages from 9 mailboxes\n")
            r = p.cli("import", fmt, dest, "--user", user)
            self.assertEqual(r.code, 0, r)
            self.assertIn("imported 6 messages, 0 imported before, 0 skipped\n", r.out)
        # Dovecot's own files name the keywords of the exported folders.
        with open(os.path.join(export_root, "maildir", ".Projects.2026", "dovecot-keywords")) as f:
            self.assertEqual(sorted(line.split()[1] for line in f), ["$Forwarded", "Important"])

        def assert_same(names, got):
            self.assertEqual(names, want_names)
            for folder in want:
                self.assertEqual(got[folder], want[folder], folder)
            # Dovecot's \Noselect superior "Projects" is an empty mailbox in Postamt.
            self.assertEqual({f: m for f, m in got.items() if f not in want}, {"Projects": []})

        # Dovecot serves the Maildir export as it is.
        served = dovecot_peer.DovecotPeer([USER])
        self.addCleanup(served.close)
        served.start()
        shutil.copytree(os.path.join(export_root, "maildir"), served.maildir(USER))
        served.give(os.path.dirname(served.maildir(USER)))
        client = served.imap(USER)
        assert_same(*snapshot(client))
        client.logout()
        served.stop()

        p.start()
        for user in (USER, "bob@example.test", "carol@example.test"):
            with self.subTest(user=user):
                host, port = p.address("imap")
                client = imaplib.IMAP4(host, port, timeout=30)
                client.login(user, PASSWORD)
                assert_same(*snapshot(client))
                # Maildir carries subscriptions (Dovecot's file); mbox has none.
                typ, data = client.lsub('""', "Projects/2026")
                self.assertEqual(typ, "OK")
                self.assertEqual(data[0] is not None, user != "carol@example.test", data)
                # Special-use folders were matched to Postamt's roles by name.
                typ, data = client.list('""', "Junk")
                self.assertIn(b"\\Junk", data[0])
                client.logout()


def write_maildir(root, count):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, sub))
    for i in range(count):
        path = os.path.join(root, "cur", f"{1700000000 + i}.M{i}P1.host:2,S")
        with open(path, "wb") as f:
            f.write(f"Subject: message {i}\nMessage-ID: <{i}@example.test>\n\nbody {i}\n".encode())
        os.utime(path, (1700000000 + i, 1700000000 + i))


class ImportCommand(unittest.TestCase):
    def setUp(self):
        self.p = Postamt(services=("imap",), extra_config="[imap]\nmax_literal = 2048\n")
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.test", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.source = tempfile.mkdtemp(prefix="postamt-import-src-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.source])

    def inbox_subjects(self):
        self.p.start()
        host, port = self.p.address("imap")
        client = imaplib.IMAP4(host, port, timeout=30)
        client.login(USER, PASSWORD)
        typ, data = client.select("INBOX", readonly=True)
        count = int(data[0])
        typ, data = client.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects = [item[1].decode().strip() for item in data if isinstance(item, tuple)]
        client.logout()
        return count, subjects

    def test_killed_import_resumes_and_stores_each_message_once(self):
        total = 300
        maildir = os.path.join(self.source, "Maildir")
        write_maildir(maildir, total)
        journal_dir = os.path.join(self.p.dir, "data", "import")
        proc = subprocess.Popen([BIN, "--config", self.p.config, "import", "maildir", maildir,
                                 "--user", USER], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        done = 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            journals = os.listdir(journal_dir) if os.path.isdir(journal_dir) else []
            if journals:
                with open(os.path.join(journal_dir, journals[0])) as f:
                    done = f.read().count("\nD\t")
                if done >= 30:
                    break
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        self.assertEqual(proc.returncode, -signal.SIGKILL, "the import ended before it was killed")
        self.assertGreaterEqual(done, 30)
        self.assertLess(done, total)

        r = self.p.cli("import", "maildir", maildir, "--user", USER)
        self.assertEqual(r.code, 0, r)
        m = re.search(r"imported (\d+) messages, (\d+) imported before, 0 skipped\n", r.out)
        self.assertTrue(m, r.out)
        self.assertEqual(int(m.group(1)) + int(m.group(2)), total)
        self.assertGreaterEqual(int(m.group(2)), done)
        count, subjects = self.inbox_subjects()
        self.assertEqual(count, total)
        self.assertEqual(sorted(subjects), sorted(f"Subject: message {i}" for i in range(total)))

    def test_progress_bar_on_a_terminal_only(self):
        maildir = os.path.join(self.source, "Maildir")
        write_maildir(maildir, 5)
        controller, terminal = pty.openpty()
        try:
            proc = subprocess.run([BIN, "--config", self.p.config, "import", "maildir", maildir,
                                   "--user", USER], stdout=subprocess.PIPE, stderr=terminal,
                                  timeout=60)
            os.close(terminal)
            terminal = None
            shown = b""
            while True:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # EIO: the terminal's last writer is gone
                    break
                if not chunk:
                    break
                shown += chunk
        finally:
            if terminal is not None:
                os.close(terminal)
            os.close(controller)
        self.assertEqual(proc.returncode, 0, proc)
        # The last drawing shows everything done, then the line ends; stdout has the report.
        self.assertRegex(shown, rb"\r\[=+\] 5/5 INBOX *\r\n$")
        self.assertIn(b"INBOX: 5 imported\n", proc.stdout)

    def test_mbox_skips_what_is_too_large_and_exits_3(self):
        mbox = os.path.join(self.source, "archive.mbox")
        with open(mbox, "w") as f:
            f.write("From a@example.net Mon Jan  1 10:20:30 2024\n"
                    "Subject: small\nStatus: RO\n\n>From here\n\n"
                    "From b@example.net Tue Jan  2 10:20:30 2024\n"
                    "Subject: large\n\n" + "x" * 3000 + "\n\n")
        r = self.p.cli("import", "mbox", mbox, "--user", USER, "--mailbox", "Archive")
        self.assertEqual(r.code, 3, r)
        self.assertEqual(
            r.out.split("journal:")[0],
            "Archive: 1 imported, 1 skipped\n"
            "skipped archive.mbox message 2 (offset 83): too large: 3017 octets, the limit "
            "([imap] max_literal) is 2048\n"
            "imported 1 messages, 0 imported before, 1 skipped\n")
        self.assertEqual(r.err, "")  # no terminal: no progress bar
        bad = self.p.cli("import", "mbox", os.path.join(self.source, "missing"), "--user", USER)
        self.assertEqual(bad.code, 1)
        self.assertEqual(bad.err, f"postamt: {self.source}/missing: no such file or folder\n")
        frob = self.p.cli("import", "frob", mbox, "--user", USER)
        self.assertEqual((frob.code, frob.err),
                         (2, 'postamt: unknown command "import frob" (import commands: maildir, '
                             'mbox)\n'))
        nobody = self.p.cli("import", "mbox", mbox, "--user", "nobody@example.test")
        self.assertEqual(nobody.code, 1)
        self.assertIn("nobody@example.test", nobody.err)


if __name__ == "__main__":
    unittest.main()
