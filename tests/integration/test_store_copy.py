"""`postamt store migrate` and `postamt store copy` against the real binary
(docs/operations.md, "The store: migrate and copy").

Installation A gets mail over SMTP submission, folders, flags, keywords and an expunge over IMAP,
and a read receipt (the server's own on download, which also records one received for
the sender); then, with A stopped, `postamt store copy --from A --to B` copies it into
B, another data directory. The command's output is checked line by line against the
row counts of both SQLite files; B, served, shows every mailbox exactly as A did over
IMAP (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, and per message UID, flags, MODSEQ,
INTERNALDATE and bytes), the same receipt ledger and policy, and takes the same
passwords. A second copy into B, and a copy of a store into itself, are refused; a
message file missing in the source stops the copy before any row is written.
"""

import json
import os
import re
import shutil
import smtplib
import sqlite3
import tempfile
import unittest

from harness import Postamt
from pg_cluster import PgCluster
from test_backup import PASSWORD, account_state, login

USERS = ("alice@example.org", "bob@example.org")
# Tables store copy does not copy row by row (store/sql/copy.cpp): message bytes and the
# outbound queue move through their own interfaces, claims belong to live processes.
NOT_COPIED = ("schema_version", "blob_upload", "blob", "blob_chunk", "queue_entry", "claim")


def original(n):
    return (f"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: copy {n}\r\n"
            f"Message-ID: <copy-{n}@example.org>\r\n"
            f"Disposition-Notification-To: bob@example.org\r\n\r\nmessage {n}\r\n").encode()


def table_rows(postamt):
    """{table: rows} of every table of the store in `postamt`'s data directory."""
    db = sqlite3.connect("file:" + os.path.join(postamt.dir, "data", "postamt.db") + "?mode=ro",
                         uri=True)
    try:
        names = [n for (n,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")]
        return {n: db.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}
    finally:
        db.close()


def schema_version(postamt):
    db = sqlite3.connect("file:" + os.path.join(postamt.dir, "data", "postamt.db") + "?mode=ro",
                         uri=True)
    try:
        return db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    finally:
        db.close()


def distinct_blobs(postamt):
    db = sqlite3.connect("file:" + os.path.join(postamt.dir, "data", "postamt.db") + "?mode=ro",
                         uri=True)
    try:
        return db.execute("SELECT count(DISTINCT blob_ref) FROM message").fetchone()[0]
    finally:
        db.close()


class StoreCopyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = Postamt(services=("submission", "imap"))
        cls.addClassCleanup(cls.a.close)
        a = cls.a
        a.cli("domain", "add", "example.org", check=True)
        for user in USERS:
            a.cli("user", "add", user, "--password-stdin", input=PASSWORD + "\n", check=True)
        a.cli("receipts", "policy", "set", "--user", "alice@example.org", "on_download",
              "displayed", check=True)
        a.start()
        cls.fill(a)
        cls.state = {user: account_state(a, user) for user in USERS}
        cls.ledger = json.loads(a.cli("receipts", "list", "--format", "json", check=True).out)
        cls.policy = a.cli("receipts", "policy", "show", "--user", "alice@example.org",
                           check=True).out
        assert a.stop() == 0
        cls.queue = a.cli("queue", "list", "--format", "json", check=True).out
        cls.b = Postamt(services=("imap",))
        cls.addClassCleanup(cls.b.close)
        cls.copy = cls.b.cli("store", "copy", "--from", a.config, "--to", cls.b.config)

    @classmethod
    def fill(cls, a):
        host, port = a.address("submission")
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.login("bob@example.org", PASSWORD)
            for n in range(1, 4):
                s.sendmail("bob@example.org", ["alice@example.org"], original(n))
        client = login(a, "alice@example.org")
        try:
            client.create("Archive")
            client.select("INBOX")
            client.uid("STORE", "1", "+FLAGS", r"(\Flagged $Work)")
            client.uid("COPY", "1:2", "Archive")
            client.uid("STORE", "3", "+FLAGS", r"(\Deleted)")
            client.expunge()
            # A download of a message asking for a receipt: the server sends bob one
            # (alice's policy), recorded as sent for alice and received for bob.
            typ, _ = client.uid("FETCH", "2", "(BODY[])")
            assert typ == "OK"
        finally:
            client.logout()
        a.wait_for_log(r"receipt on download: sent")
        a.wait_for_log(r"received receipt recorded")
        # One message for a remote recipient, held in the outbound queue.
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.login("bob@example.org", PASSWORD)
            s.sendmail("bob@example.org", ["carol@remote.test"], original(9))
        queued = json.loads(a.cli("queue", "list", "--format", "json", check=True).out)
        assert len(queued) == 1, queued
        a.cli("queue", "hold", queued[0]["id"], check=True)

    def test_the_copy_reports_every_table_and_verifies(self):
        r = self.copy
        self.assertEqual((r.code, r.err), (0, ""), r)
        source, target = table_rows(self.a), table_rows(self.b)
        self.assertEqual(source.pop("schema_version"), target.pop("schema_version"))
        for table in NOT_COPIED[1:]:
            self.assertEqual(target.pop(table), 0, table)
            source.pop(table)
        lines = r.out.splitlines()
        files = distinct_blobs(self.a)
        # Alice's two messages left (the expunged one's file is not copied) and the
        # receipt in bob's INBOX.
        self.assertEqual(files, 3)
        self.assertEqual(lines[0], f"message files: {files} copied, 0 already in the target")
        self.assertEqual(lines[1], f"{'table':<28} {'source':>10} {'target':>10}")
        listed = set()
        for line in lines[2:2 + len(source)]:
            name = line.split()[0]
            listed.add(name)
            self.assertEqual(line, f"{name:<28} {source[name]:>10} {target[name]:>10}")
            self.assertEqual(source[name], target[name], name)
        self.assertEqual(listed, set(source))
        self.assertEqual(lines[2 + len(source):], [
            f"{'message files':<28} {files:>10} {files:>10}",
            f"{'queued messages':<28} {1:>10} {1:>10}",
            f"verified: schema version {schema_version(self.a)}, {len(source)} tables and "
            f"{files} message files match",
        ])
        # Every kind of record the fill made is really there (not 0 = 0).
        for table in ("account", "mailbox", "message", "expunged", "sent_receipt",
                      "received_receipt", "receipt_policy", "account_keyword"):
            self.assertGreater(source[table], 0, table)

    def test_the_copy_serves_the_same_mail_receipts_and_passwords(self):
        self.assertEqual(self.copy.code, 0, self.copy)
        self.b.start()
        try:
            for user in USERS:
                self.assertEqual(account_state(self.b, user), self.state[user], user)
            ledger = json.loads(self.b.cli("receipts", "list", "--format", "json",
                                           check=True).out)
            self.assertEqual(ledger, self.ledger)
            self.assertEqual(len(ledger["sent"]), 1, ledger)
            self.assertEqual(len(ledger["received"]), 1, ledger)
            self.assertEqual(self.b.cli("receipts", "policy", "show", "--user",
                                        "alice@example.org", check=True).out, self.policy)
            # The held message, with its state.
            self.assertEqual(self.b.cli("queue", "list", "--format", "json", check=True).out,
                             self.queue)
        finally:
            self.assertEqual(self.b.stop(), 0)

    def test_a_store_in_use_is_refused(self):
        self.assertEqual(self.copy.code, 0, self.copy)
        r = self.b.cli("store", "copy", "--from", self.a.config, "--to", self.b.config)
        self.assertEqual((r.code, r.out), (1, ""))
        self.assertEqual(r.err, "postamt: the target store is not empty: it has 1 domain and "
                                "2 accounts; store copy fills only a new store\n")
        r = self.a.cli("store", "copy", "--from", self.a.config, "--to", self.a.config)
        self.assertEqual((r.code, r.out, r.err),
                         (1, "", "postamt: --from and --to name the same store\n"))


class DamagedSourceTest(unittest.TestCase):
    def test_a_missing_message_file_stops_the_copy_before_any_row(self):
        a, b = Postamt(services=("imap",)), Postamt(services=("imap",))
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        a.cli("domain", "add", "example.org", check=True)
        a.cli("user", "add", "alice@example.org", "--password-stdin", input=PASSWORD + "\n",
              check=True)
        for n in (1, 2):
            a.cli("deliver", "--from", "bob@example.net", "alice@example.org",
                  input=original(n).decode(), check=True)
        db = sqlite3.connect(os.path.join(a.dir, "data", "postamt.db"))
        try:
            ref = db.execute("SELECT max(blob_ref) FROM message").fetchone()[0]
        finally:
            db.close()
        os.remove(os.path.join(a.dir, "data", "blobs", ref[0:2], ref[2:4], ref))
        r = b.cli("store", "copy", "--from", a.config, "--to", b.config)
        self.assertEqual((r.code, r.out, r.err),
                         (1, "", f"postamt: message file {ref} is missing from the source\n"))
        # Nothing but files reached B: it is still new, and a later copy may go on.
        self.assertEqual(b.cli("domain", "list", check=True).out, "")
        self.assertEqual({t: n for t, n in table_rows(b).items() if n and t != "schema_version"},
                         {"meta": 2})


class StoreMigrateTest(unittest.TestCase):
    def test_migrate_says_what_it_applied(self):
        p = Postamt(services=("imap",))
        self.addCleanup(p.close)
        r = p.cli("store", "migrate")
        self.assertEqual(r.code, 0, r)
        version = schema_version(p)
        self.assertGreaterEqual(version, 17)
        self.assertEqual((r.out, r.err), (f"schema version {version} ({version} applied)\n", ""))
        r = p.cli("store", "migrate")
        self.assertEqual((r.code, r.out, r.err), (0, f"schema version {version} (0 applied)\n", ""))

    def test_a_missing_configuration_is_named(self):
        p = Postamt(services=("imap",))
        self.addCleanup(p.close)
        missing = os.path.join(p.dir, "nothing.toml")
        r = p.cli("store", "copy", "--from", missing, "--to", p.config)
        self.assertEqual((r.code, r.out), (1, ""))
        self.assertTrue(re.fullmatch(r"postamt: .*nothing\.toml.*\n", r.err), r.err)
        r = p.cli("store", "copy", "--from", p.config)
        self.assertEqual(r.code, 2, r)


if __name__ == "__main__":
    unittest.main()


class PostgresTargetTest(unittest.TestCase):
    """SQLite installation -> a new PostgreSQL database (docs/cluster.md): the same mail,
    receipts, passwords and queue, served by a node on PostgreSQL."""

    def test_sqlite_to_postgres(self):
        folder = tempfile.mkdtemp(prefix="pgcopy-", dir="/tmp")
        pg = PgCluster(os.path.join(folder, "c"), os.path.join(folder, "s")).start()
        self.addCleanup(shutil.rmtree, folder, True)
        self.addCleanup(pg.remove)
        url = pg.database("copy")
        a = Postamt(services=("submission", "imap"))
        self.addCleanup(a.close)
        a.cli("domain", "add", "example.org", check=True)
        for user in USERS:
            a.cli("user", "add", user, "--password-stdin", input=PASSWORD + "\n", check=True)
        a.cli("receipts", "policy", "set", "--user", "alice@example.org", "on_download",
              "displayed", check=True)
        a.start()
        StoreCopyTest.fill(a)
        state = {user: account_state(a, user) for user in USERS}
        ledger = a.cli("receipts", "list", "--format", "json", check=True).out
        self.assertEqual(a.stop(), 0)
        queue = a.cli("queue", "list", "--format", "json", check=True).out
        b = Postamt(services=("imap",),
                    extra_config=f'[storage]\nbackend = "postgres"\nurl = "{url}"\n')
        self.addCleanup(b.close)
        r = b.cli("store", "copy", "--from", a.config, "--to", b.config)
        self.assertEqual(r.code, 0, r)
        self.assertEqual(r.out.splitlines()[-2:], [
            f"{'queued messages':<28} {1:>10} {1:>10}",
            f"verified: schema version {schema_version(a)}, {len(r.out.splitlines()) - 5} "
            f"tables and 3 message files match",
        ])
        # The bytes are in PostgreSQL, not in B's data directory.
        self.assertEqual(pg.psql("SELECT count(*) FROM blob", "copy").strip(), "3")
        self.assertFalse(os.path.exists(os.path.join(b.dir, "data", "postamt.db")))
        b.start()
        try:
            for user in USERS:
                self.assertEqual(account_state(b, user), state[user], user)
            self.assertEqual(b.cli("receipts", "list", "--format", "json", check=True).out,
                             ledger)
            self.assertEqual(b.cli("queue", "list", "--format", "json", check=True).out, queue)
        finally:
            self.assertEqual(b.stop(), 0)
