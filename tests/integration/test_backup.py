"""postamt backup / restore against the real binary (docs/backup.md): a backup taken
while an IMAP client keeps appending holds a consistent state (a prefix of the appends,
every one with its bytes); restored into a fresh data directory and served, every
message matches over IMAP (bytes, UIDs, UIDVALIDITY, flags, keywords, modseq, internal
date), and the queue and the TLS files come back; --new-uidvalidity changes only the
UIDVALIDITY, to greater values; a damaged backup is refused naming the
file; a restore under a running server is refused."""

import fcntl
import imaplib
import json
import os
import re
import shutil
import smtplib
import subprocess
import socket
import tempfile
import threading
import time
import unittest

from harness import BIN, Postamt

USERS = ("alice@example.org", "bob@example.org")
PASSWORD = "pw-backup-test"


def refusing_port():
    """A loopback port that refuses connections for as long as the returned socket is
    open: bound (so no one else takes it) but not listening."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


def login(postamt, user):
    host, port = postamt.address("imap")
    client = imaplib.IMAP4(host, port, timeout=30)
    client.login(user, PASSWORD)
    return client


def message(subject, body="hello\r\n", sender="sender@remote.test"):
    return (f"From: {sender}\r\nTo: alice@example.org\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '.')}@remote.test>\r\n\r\n{body}").encode()


def append(client, mailbox, flags, data, when=None):
    date = imaplib.Time2Internaldate(when) if when else None
    typ, resp = client.append(mailbox, flags, date, data)
    if typ != "OK":
        raise AssertionError(f"APPEND failed: {resp}")
    m = re.match(rb"\[APPENDUID (\d+) (\d+)\]", resp[-1])
    return int(m.group(2))


FETCH_RE = re.compile(rb"^\d+ \(UID (\d+) FLAGS \(([^)]*)\) MODSEQ \((\d+)\) "
                      rb"INTERNALDATE \"([^\"]+)\" RFC822\.SIZE (\d+)\)$")


def mailbox_state(client, mailbox):
    """Everything a client can see of one mailbox: STATUS items and, per message, UID,
    flags (without \\Recent, which depends on the session), MODSEQ, INTERNALDATE and
    the whole message."""
    typ, status = client.status(mailbox, "(MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)")
    assert typ == "OK", status
    typ, _ = client.select(mailbox, readonly=True)
    assert typ == "OK"
    typ, lines = client.uid("FETCH", "1:*", "(UID FLAGS MODSEQ INTERNALDATE RFC822.SIZE)")
    assert typ == "OK", lines
    messages = []
    for line in lines:
        if line is None:
            continue
        m = FETCH_RE.match(line)
        assert m, line
        uid = int(m.group(1))
        typ, body = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        assert typ == "OK", body
        flags = sorted(f for f in m.group(2).split() if f != b"\\Recent")
        messages.append((uid, flags, int(m.group(3)), m.group(4), int(m.group(5)), body[0][1]))
    status_text = re.sub(rb"^\S+ ", b"", status[0])
    return status_text, messages


def account_state(postamt, user):
    client = login(postamt, user)
    try:
        typ, listed = client.list()
        assert typ == "OK", listed
        names = sorted(re.search(rb'"([^"]+)"$|(\S+)$', line).group(0).strip(b'"').decode()
                       for line in listed)
        return {name: mailbox_state(client, name) for name in names}
    finally:
        client.logout()


class Appender(threading.Thread):
    """Appends to bob's INBOX until stopped; `done` lists (uid, bytes) as acknowledged."""

    def __init__(self, postamt):
        super().__init__(daemon=True)
        self.client = login(postamt, "bob@example.org")
        self.stop = threading.Event()
        self.done = []
        self.error = None

    def run(self):
        try:
            n = 0
            while not self.stop.is_set():
                n += 1
                data = message(f"during backup {n}", body="x" * (n * 37) + "\r\n")
                self.done.append((append(self.client, "INBOX", "(\\Seen)", data), data))
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e
        finally:
            self.client.logout()

    def wait_for(self, count, timeout=15):
        deadline = time.monotonic() + timeout
        while len(self.done) < count:
            if self.error or time.monotonic() > deadline:
                raise AssertionError(f"appender: {self.error or 'too slow'}")
            time.sleep(0.02)


class BackupTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Class cleanups run even when setUpClass fails half-way.
        cls.tmp = tempfile.mkdtemp(prefix="postamt-backup-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.dest = os.path.join(cls.tmp, "backups", "first")
        cls.relay, port = refusing_port()
        cls.addClassCleanup(cls.relay.close)
        cls.live = Postamt(services=("smtp", "submission", "imap"),
                           extra_config=f'[outbound]\nrelay = "127.0.0.1:{port}"\n')
        cls.addClassCleanup(cls.live.close)
        p = cls.live
        p.cli("domain", "add", "example.org", check=True)
        for user in USERS:
            p.cli("user", "add", user, "--password-stdin", input=PASSWORD + "\n", check=True)
        p.start()
        cls.fill(p)
        appender = Appender(p)
        appender.start()
        try:
            appender.wait_for(5)
            cls.before = len(appender.done)
            cls.backup = p.cli("backup", cls.dest)
            cls.after = len(appender.done)
            appender.wait_for(cls.after + 3)
        finally:
            appender.stop.set()
            appender.join(20)
        assert appender.error is None, appender.error
        cls.appended = appender.done

    @classmethod
    def fill(cls, p):
        host, port = p.address("smtp")
        with smtplib.SMTP(host, port, timeout=20) as s:
            for i in range(3):
                s.sendmail("sender@remote.test", ["alice@example.org", "bob@example.org"],
                           message(f"by smtp {i}"))
        client = login(p, "alice@example.org")
        try:
            for name in ("Archive", "Projects"):
                client.create(name)
            when = time.mktime((2024, 2, 29, 12, 34, 56, 0, 0, -1))
            append(client, "INBOX", r"(\Seen \Flagged $Important)", message("appended one"), when)
            append(client, "Archive", r"(\Answered project-x)", message("archived", "a\r\n" * 500))
            uid = append(client, "Projects", "()", message("to expunge"))
            append(client, "Projects", r"(\Draft)", message("kept"))
            client.select("Projects")
            client.uid("STORE", str(uid), "+FLAGS", r"(\Deleted)")
            client.expunge()
            client.select("INBOX")
            client.uid("STORE", "1", "+FLAGS", r"($Label1 \Seen)")
        finally:
            client.logout()
        # One message for a remote recipient stays queued (the relay port is closed),
        # held so that no retry changes it during the test.
        host, port = p.address("submission")
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.login("alice@example.org", PASSWORD)
            s.sendmail("alice@example.org", ["carol@remote.test"], message("to carol", sender="alice@example.org"))
        queued = json.loads(p.cli("queue", "list", "--format", "json", check=True).out)
        assert len(queued) == 1, queued
        p.cli("queue", "hold", queued[0]["id"], check=True)

    def fresh(self):
        q = Postamt(services=("imap",))
        self.addCleanup(q.close)
        return q

    def test_backup_reports_what_it_copied_and_verifies(self):
        self.assertEqual(self.backup.code, 0, self.backup)
        self.assertRegex(self.backup.out,
                         rf"^backup of {re.escape(os.path.join(self.live.dir, 'data'))} in "
                         rf"{re.escape(self.dest)}: store, \d+ blobs, 1 queue file, 2 TLS files; "
                         r"\d+ bytes in \d+ files\n$")
        with open(os.path.join(self.dest, "MANIFEST"), "rb") as f:
            manifest = f.read()
        self.assertTrue(manifest.startswith(b"postamt-backup 1\npostamt "), manifest[:100])
        self.assertTrue(manifest.endswith(b"\nend\n"))
        for command in (("backup", "--verify", self.dest), ("restore", "--check", self.dest)):
            r = self.live.cli(*command)
            self.assertEqual(r.code, 0, r)
            self.assertRegex(r.out, rf"^the backup in {re.escape(self.dest)} is complete and "
                                    r"intact: made \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by postamt \S+; "
                                    r"store, \d+ blobs, 1 queue file, 2 TLS files; ")
        # Everyone's mail and the TLS key: private, whatever the umask.
        for root, dirs, files in os.walk(self.dest):
            self.assertEqual(os.stat(root).st_mode & 0o777, 0o700, root)
            for name in files:
                path = os.path.join(root, name)
                self.assertEqual(os.stat(path).st_mode & 0o777, 0o600, path)

    def test_restore_serves_every_message_as_it_was(self):
        q = self.fresh()
        r = q.cli("restore", self.dest)
        self.assertEqual(r.code, 0, r)
        self.assertRegex(r.out, r"^restored the backup made .* into "
                                rf"{re.escape(os.path.join(q.dir, 'data'))}: store, ")
        live_data, restored_data = os.path.join(self.live.dir, "data"), os.path.join(q.dir, "data")
        for tls in ("tls/cert.pem", "tls/key.pem"):
            with open(os.path.join(live_data, tls), "rb") as a, \
                    open(os.path.join(restored_data, tls), "rb") as b:
                self.assertEqual(a.read(), b.read(), tls)
        self.assertEqual(os.stat(os.path.join(restored_data, "tls/key.pem")).st_mode & 0o777, 0o600)
        # The held queue entry, byte for byte.
        self.assertEqual(q.cli("queue", "list", "--format", "json").out,
                         self.live.cli("queue", "list", "--format", "json").out)
        (queue_id,) = [n for n in os.listdir(os.path.join(restored_data, "queue"))
                       if not n.startswith(".") and n not in ("tmp", "corrupt")]
        with open(os.path.join(live_data, "queue", queue_id), "rb") as a, \
                open(os.path.join(restored_data, "queue", queue_id), "rb") as b:
            self.assertEqual(a.read(), b.read())

        q.start()
        # alice did not change during the backup: everything is equal.
        live_alice = account_state(self.live, "alice@example.org")
        self.assertLessEqual({"Archive", "INBOX", "Projects"}, set(live_alice))
        self.assertEqual(account_state(q, "alice@example.org"), live_alice)
        flags = {m[5].split(b"Subject: ")[1].split(b"\r\n")[0]: m[1]
                 for box in live_alice.values() for m in box[1]}
        self.assertEqual(flags[b"appended one"], [b"$Important", b"\\Flagged", b"\\Seen"])
        self.assertEqual(flags[b"archived"], [b"\\Answered", b"project-x"])
        self.assertEqual(flags[b"by smtp 0"], [b"$Label1", b"\\Seen"])
        self.assertNotIn(b"to expunge", flags)

        # bob was appended to while the backup ran: the restored INBOX is the three SMTP
        # messages and then a prefix of the appends, in order, every one with its bytes.
        _, restored = account_state(q, "bob@example.org")["INBOX"]
        _, live = account_state(self.live, "bob@example.org")["INBOX"]
        self.assertEqual(restored[:3], live[:3])
        appended = [(m[0], m[5]) for m in restored[3:]]
        self.assertGreaterEqual(len(appended), self.before)
        # An append committed just before the copy may be acknowledged after the backup ended.
        self.assertLessEqual(len(appended), self.after + 1)
        self.assertEqual(appended, self.appended[:len(appended)])
        self.assertEqual(restored, live[:len(restored)])

    def test_restore_with_new_uidvalidity_keeps_messages_under_greater_validities(self):
        q = self.fresh()
        r = q.cli("restore", "--new-uidvalidity", self.dest)
        self.assertEqual(r.code, 0, r)
        self.assertRegex(r.out, r"\nnew UIDVALIDITY for \d+ mailboxes: clients fetch them anew\n$")
        q.start()
        live, restored = (account_state(p, "alice@example.org") for p in (self.live, q))
        self.assertEqual(sorted(restored), sorted(live))
        validity = re.compile(rb"UIDVALIDITY (\d+)")
        seen = set()
        for name, (status, messages) in live.items():
            old = int(validity.search(status).group(1))
            new = int(validity.search(restored[name][0]).group(1))
            self.assertGreater(new, old, name)
            seen.add(new)
            self.assertEqual(validity.sub(b"", restored[name][0]), validity.sub(b"", status), name)
            self.assertEqual(restored[name][1], messages, name)
        self.assertEqual(len(seen), len(live))

    def test_damaged_backup_is_refused_naming_the_file(self):
        damaged = os.path.join(self.tmp, "damaged")
        shutil.copytree(self.dest, damaged)
        with open(os.path.join(damaged, "MANIFEST")) as f:
            blob = next(line.split()[3] for line in f if line.startswith("file ") and " blobs/" in line)
        with open(os.path.join(damaged, blob), "r+b") as f:
            first = f.read(1)
            f.seek(0)
            f.write(bytes([first[0] ^ 1]))
        q = self.fresh()
        for command in (("restore", "--check", damaged), ("restore", damaged)):
            r = q.cli(*command)
            self.assertEqual(r.code, 1, r)
            self.assertRegex(r.err, rf"^postamt: the backup in {re.escape(damaged)} is damaged:\n"
                                    rf"postamt:   {re.escape(blob)}: SHA-256 [0-9a-f]{{64}}, the "
                                    rf"manifest says {blob[-64:]}\n")
        self.assertTrue(r.err.endswith("postamt: nothing was restored\n"), r.err)
        self.assertEqual(os.listdir(os.path.join(q.dir, "data")), [])

        os.remove(os.path.join(damaged, "MANIFEST"))
        r = q.cli("restore", "--check", damaged)
        self.assertEqual((r.code, r.err), (1, f"postamt: {damaged} has no MANIFEST: not a Postamt "
                                               "backup, or one that did not finish\n"))

    def test_restore_is_refused_under_a_running_server_and_into_a_used_data_dir(self):
        r = self.live.cli("restore", "--force", self.dest)
        data = os.path.join(self.live.dir, "data")
        self.assertEqual((r.code, r.err), (1, f"postamt: {data} is in use by a running postamt "
                                               "(the server, or another command): stop it before "
                                               "restoring\n"))
        q = self.fresh()
        self.assertEqual(q.cli("restore", self.dest).code, 0)
        q.start()
        q.stop()
        r = q.cli("restore", self.dest)
        self.assertEqual(r.code, 1, r)
        self.assertIn(" is not empty (blobs, postamt.db", r.err)
        r = q.cli("restore", "--force", self.dest)
        self.assertEqual(r.code, 0, r)
        self.assertRegex(r.out, r"\nwhat was in \S+ before is in \S+/replaced-\d{8}T\d{6}Z\n$")
        q.start()
        client = login(q, "alice@example.org")
        self.assertEqual(client.select("Archive", readonly=True), ("OK", [b"1"]))
        client.logout()

    def test_server_and_commands_refuse_a_data_dir_being_restored(self):
        # What `postamt restore` holds while it works: an exclusive flock on data_dir.
        q = self.fresh()
        data = os.path.join(q.dir, "data")
        os.mkdir(data, 0o700)
        fd = os.open(data, os.O_RDONLY)
        self.addCleanup(os.close, fd)
        fcntl.flock(fd, fcntl.LOCK_EX)
        message = f"postamt: {data} is being restored (postamt restore); try again when it is done\n"
        r = q.cli("domain", "list")
        self.assertEqual((r.code, r.err), (1, message))
        r = q.cli("backup", os.path.join(q.dir, "backup"))
        self.assertEqual(r.code, 1)
        self.assertTrue(r.err.startswith(message), r.err)
        proc = subprocess.run([BIN, "--config", q.config, "serve"], capture_output=True, text=True,
                              timeout=20)
        self.assertEqual(proc.returncode, 1)
        self.assertRegex(proc.stderr, r"cannot open the store: " + re.escape(message[9:-1]))
        fcntl.flock(fd, fcntl.LOCK_UN)
        self.assertEqual(q.cli("domain", "list").code, 0)

    def test_backup_refuses_a_folder_that_is_not_empty(self):
        r = self.live.cli("backup", self.dest)
        self.assertEqual((r.code, r.err), (1, f"postamt: {self.dest} is not empty: back up into "
                                               "a new or empty folder\n"))


if __name__ == "__main__":
    unittest.main()
