"""Postamt on PostgreSQL ([storage] backend = "postgres", docs/cluster.md).

A private PostgreSQL cluster (pg_cluster.py) for the whole class; each test gets a
database of its own. The admin CLI creates the domain and the user, SMTP delivers with
smtplib, IMAP reads the message back byte for byte with imaplib; `postamt config check`
names the database's state, or fails when the server is unreachable.
"""

import imaplib
import os
import shutil
import smtplib
import stat
import tempfile
import time
import unittest

from harness import Postamt
from pg_cluster import PgCluster

PASSWORD = "correct horse battery"

MESSAGE = (
    b"From: Alice <alice@example.net>\r\n"
    b"To: Bob <bob@example.test>\r\n"
    b"Subject: stored in PostgreSQL\r\n"
    b"Message-ID: <pg-1@example.net>\r\n"
    b"\r\n"
    b"Octets that SQLite keeps: caf\xc3\xa9 and \xff\xfe raw.\r\n"
)


def storage_config(conninfo, password_file=None):
    lines = ['[storage]', 'backend = "postgres"', f'url = "{conninfo}"', 'blobs = "files"',
             'connect_timeout = "2s"']
    if password_file:
        lines.append(f'password_file = "{password_file}"')
    return "\n".join(lines) + "\n"


class PostgresStoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="postamt-pgit-")
        # A short socket folder: Unix socket paths are limited to about 100 octets.
        cls.cluster = PgCluster(os.path.join(cls.folder, "pg"),
                                tempfile.mkdtemp(prefix="pgs-", dir="/tmp"))
        cls.cluster.start()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.remove()
        shutil.rmtree(cls.folder, ignore_errors=True)

    def make_server(self, database, services=("smtp", "imap")):
        conninfo = self.cluster.database(database)
        postamt = Postamt(services=services, extra_config=storage_config(conninfo))
        self.addCleanup(postamt.close)
        return postamt

    def test_cli_smtp_imap_round_trip(self):
        postamt = self.make_server("roundtrip")
        postamt.cli("domain", "add", "example.test", check=True)
        postamt.cli("user", "add", "bob@example.test", "--password-stdin",
                    input=PASSWORD + "\n", check=True)
        # The CLI wrote to PostgreSQL, not to a SQLite file in the data directory.
        self.assertEqual(self.cluster.psql("SELECT name FROM domain", "roundtrip"),
                         "example.test\n")
        self.assertEqual(self.cluster.psql("SELECT address FROM account", "roundtrip"),
                         "bob@example.test\n")
        self.assertFalse(os.path.exists(os.path.join(postamt.dir, "data", "postamt.db")))

        postamt.start()
        host, port = postamt.address("smtp")
        with smtplib.SMTP(host, port, timeout=10) as smtp:
            refused = smtp.sendmail("alice@example.net", ["bob@example.test"], MESSAGE)
            self.assertEqual(refused, {})

        host, port = postamt.address("imap")
        imap = imaplib.IMAP4(host, port, timeout=10)
        try:
            self.assertEqual(imap.login("bob@example.test", PASSWORD)[0], "OK")
            typ, data = imap.select("INBOX")
            self.assertEqual((typ, data), ("OK", [b"1"]))
            typ, data = imap.uid("FETCH", "1", "(BODY.PEEK[])")
            self.assertEqual(typ, "OK")
            body = data[0][1]
            # The MX prepends its Received (and Return-Path) lines; the message follows
            # unchanged.
            self.assertTrue(body.endswith(MESSAGE), body)
            self.assertTrue(body.startswith(b"Return-Path: <alice@example.net>\r\n"), body)
        finally:
            imap.logout()
        rows = self.cluster.psql("SELECT uid, message_id FROM message", "roundtrip")
        self.assertEqual(rows, "1|<pg-1@example.net>\n")

    def test_idle_hears_another_nodes_delivery_promptly(self):
        # Node A serves IMAP, node B (same database) takes the mail. A learns of B's write
        # only through the database: by NOTIFY within milliseconds, or by its fallback poll
        # after 5 s. The IDLE response arriving within 2 s shows the listener works.
        a = self.make_server("idle", services=("imap",))
        a.cli("domain", "add", "example.test", check=True)
        a.cli("user", "add", "bob@example.test", "--password-stdin", input=PASSWORD + "\n",
              check=True)
        a.start()
        b = Postamt(services=("smtp",),
                    extra_config=storage_config(self.cluster.conninfo("idle")))
        self.addCleanup(b.close)
        b.start()
        host, port = a.address("imap")
        imap = imaplib.IMAP4(host, port, timeout=10)
        try:
            imap.login("bob@example.test", PASSWORD)
            self.assertEqual(imap.select("INBOX"), ("OK", [b"0"]))
            imap.send(b"i1 IDLE\r\n")
            self.assertTrue(imap.readline().startswith(b"+ "))
            time.sleep(0.5)  # the watch has seen the mailbox as it is
            with smtplib.SMTP(*b.address("smtp"), timeout=10) as smtp:
                smtp.sendmail("alice@example.net", ["bob@example.test"], MESSAGE)
            delivered = time.monotonic()
            imap.sock.settimeout(4)
            self.assertEqual(imap.readline(), b"* 1 EXISTS\r\n")
            self.assertLess(time.monotonic() - delivered, 2.0)
            imap.send(b"DONE\r\n")
        finally:
            imap.shutdown()

    def test_config_check_names_the_schema_version(self):
        postamt = self.make_server("check")
        fresh = postamt.cli("config", "check")
        self.assertEqual(fresh.code, 0, fresh)
        self.assertIn("storage: PostgreSQL reachable, schema version 0\n", fresh.out)
        postamt.cli("domain", "add", "example.test", check=True)  # applies the migrations
        latest = self.cluster.psql("SELECT max(version) FROM schema_version", "check").strip()
        done = postamt.cli("config", "check")
        self.assertEqual(done.code, 0, done)
        self.assertIn(f"storage: PostgreSQL reachable, schema version {latest}\n", done.out)
        self.assertGreaterEqual(int(latest), 17)

    def test_config_check_fails_when_unreachable(self):
        postamt = Postamt(services=("smtp",), extra_config=storage_config(
            "host=/nonexistent-postamt-pg user=postgres dbname=mail"))
        self.addCleanup(postamt.close)
        r = postamt.cli("config", "check")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("storage: database unavailable: ", r.err)
        self.assertNotIn("configuration is valid", r.out)

    def test_config_check_refuses_a_utf8_database(self):
        self.cluster.psql('DROP DATABASE IF EXISTS "utf8db" WITH (FORCE)')
        self.cluster.psql("CREATE DATABASE utf8db TEMPLATE template0 ENCODING 'UTF8' "
                          "LC_COLLATE 'C' LC_CTYPE 'C'")
        postamt = Postamt(services=("smtp",),
                          extra_config=storage_config(self.cluster.conninfo("utf8db")))
        self.addCleanup(postamt.close)
        r = postamt.cli("config", "check")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("has encoding UTF8", r.err)
        self.assertIn("ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'", r.err)

    def test_password_file_readable_by_others_is_refused(self):
        conninfo = self.cluster.database("secret")
        folder = tempfile.mkdtemp(prefix="postamt-pw-")
        self.addCleanup(shutil.rmtree, folder, True)
        path = os.path.join(folder, "pg.password")
        with open(path, "w") as f:
            f.write("not-needed-with-trust\n")
        os.chmod(path, 0o644)
        postamt = Postamt(services=("smtp",), extra_config=storage_config(conninfo, path))
        self.addCleanup(postamt.close)
        r = postamt.cli("domain", "list")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn(f"storage.password_file {path} is accessible by others (mode 644)",
                      r.err)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        self.assertEqual(postamt.cli("domain", "list").code, 0)


if __name__ == "__main__":
    unittest.main()
