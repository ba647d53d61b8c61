"""Several Postamt nodes over one PostgreSQL database (docs/cluster.md).

Every test starts a private PostgreSQL cluster (pg_cluster.py) and two `postamt serve`
processes with their own data_dir on one database: what one node accepts, the other
serves; the POP3 lock, the outbound queue and the receipt ledger hold across nodes; a
killed node's claims pass to the other; a PostgreSQL restart gives clients temporary
errors and loses nothing that was acknowledged. Nothing is skipped: when PostgreSQL
cannot start, the tests fail with its log.
"""

import base64
import http.client
import imaplib
import json
import os
import poplib
import shutil
import smtplib
import socket
import tempfile
import threading
import time
import unittest

from harness import Postamt
from pg_cluster import PgCluster
from smtp_sink import Sink

PASSWORD = "correct horse"
USERS = ("alice@example.org", "bob@example.org")


def message(mid, to="alice@example.org", subject="Hello", extra=""):
    return (f"From: Bob <bob@example.org>\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: {mid}\r\n{extra}\r\nBody of {mid}.\r\n").encode()


class ClusterBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The socket folder stays short (Unix socket paths are limited to ~100 octets).
        cls.pg_dir = tempfile.mkdtemp(prefix="pgc-", dir="/tmp")
        cls.pg = PgCluster(os.path.join(cls.pg_dir, "c"), os.path.join(cls.pg_dir, "s"))
        cls.pg.start()

    @classmethod
    def tearDownClass(cls):
        cls.pg.remove()
        shutil.rmtree(cls.pg_dir, ignore_errors=True)

    def setUp(self):
        self.url = self.pg.database(self.id().rsplit(".", 1)[-1][:60])

    def node(self, outbound="", extra="", services=("smtp", "submission", "pop3", "imap")):
        storage = (f'[storage]\nbackend = "postgres"\nurl = "{self.url}"\nlease = "3s"\n'
                   f'[outbound]\nclaim_lease = "5s"\n{outbound}')
        p = Postamt(services=services, extra_config=storage + extra)
        self.addCleanup(p.close)
        return p

    def accounts(self, p):
        p.cli("domain", "add", "example.org", check=True)
        for user in USERS:
            p.cli("user", "add", user, "--password-stdin", input=PASSWORD + "\n", check=True)

    def submit(self, p, mid, to="alice@example.org", extra=""):
        with smtplib.SMTP(*p.address("submission"), timeout=30) as s:
            s.login("bob@example.org", PASSWORD)
            s.sendmail("bob@example.org", [to], message(mid, to, extra=extra))

    def imap(self, p, user="alice@example.org"):
        c = imaplib.IMAP4(*p.address("imap"), timeout=30)
        self.addCleanup(self._logout, c)
        c.login(user, PASSWORD)
        return c

    @staticmethod
    def _logout(c):
        try:
            c.logout()
        except Exception:  # noqa: BLE001 - the test may have ended the session itself
            pass

    def message_ids(self, p, user="alice@example.org", mailbox="INBOX"):
        # Right after a PostgreSQL restart the first requests may still get a temporary
        # error while the node reconnects: a client tries again.
        deadline = time.monotonic() + 30
        while True:
            try:
                return self._message_ids(p, user, mailbox)
            except imaplib.IMAP4.error as e:
                if b"[UNAVAILABLE]" not in str(e).encode() or time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def _message_ids(self, p, user, mailbox):
        c = self.imap(p, user)
        typ, data = c.select(mailbox, readonly=True)
        if typ != "OK":
            raise imaplib.IMAP4.error(data[0])
        if data == [b"0"]:
            c.logout()
            return []
        typ, data = c.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        c.logout()
        if typ != "OK":
            raise imaplib.IMAP4.error(data[0])
        return sorted(part[1].decode().split(":", 1)[1].strip()
                      for part in data if isinstance(part, tuple))


class TwoNodesTest(ClusterBase):
    def test_delivery_on_one_node_is_heard_by_idle_on_the_other(self):
        a, b = self.node(), self.node()
        self.accounts(a)
        a.start()
        b.start()
        sock = socket.create_connection(b.address("imap"), timeout=10)
        self.addCleanup(sock.close)
        reader = sock.makefile("rb")
        self.assertTrue(reader.readline().startswith(b"* OK"))
        sock.sendall(b'a LOGIN alice@example.org "correct horse"\r\nb SELECT INBOX\r\n')
        while not reader.readline().startswith(b"b OK"):
            pass
        sock.sendall(b"c IDLE\r\n")
        self.assertEqual(reader.readline(), b"+ idling\r\n")
        with smtplib.SMTP(*a.address("smtp"), timeout=30) as s:
            s.sendmail("carol@remote.example", ["alice@example.org"], message("<idle@remote>"))
        sent = time.monotonic()
        self.assertEqual(reader.readline(), b"* 1 EXISTS\r\n")
        # Reported, not asserted (no timing assertions in tests): the goal is under 1 s.
        print("IDLE on node B after SMTP 250 on node A: %.3f s" % (time.monotonic() - sent))
        self.assertEqual(reader.readline(), b"* 1 RECENT\r\n")
        sock.sendall(b"DONE\r\n")
        self.assertEqual(reader.readline(), b"c OK IDLE terminated\r\n")
        self.assertEqual(self.message_ids(b), ["<idle@remote>"])

    def test_pop3_maildrop_lock_is_cluster_wide(self):
        a, b = self.node(), self.node()
        self.accounts(a)
        a.start()
        b.start()
        first = poplib.POP3(*a.address("pop3"), timeout=20)
        first.user("alice@example.org")
        first.pass_(PASSWORD)
        second = poplib.POP3(*b.address("pop3"), timeout=20)
        second.user("alice@example.org")
        with self.assertRaises(poplib.error_proto) as cm:
            second.pass_(PASSWORD)
        self.assertEqual(cm.exception.args[0],
                         b"-ERR [IN-USE] maildrop is locked by another session")
        first.quit()
        third = poplib.POP3(*b.address("pop3"), timeout=20)
        third.user("alice@example.org")
        self.assertTrue(third.pass_(PASSWORD).startswith(b"+OK"))
        third.quit()

    def test_a_killed_nodes_pop3_lock_is_released_after_the_lease(self):
        a, b = self.node(), self.node()
        self.accounts(a)
        a.start()
        b.start()
        held = poplib.POP3(*a.address("pop3"), timeout=20)
        held.user("alice@example.org")
        held.pass_(PASSWORD)
        a.kill9()
        killed = time.monotonic()
        while True:
            c = poplib.POP3(*b.address("pop3"), timeout=20)
            c.user("alice@example.org")
            try:
                c.pass_(PASSWORD)
                c.quit()
                break
            except poplib.error_proto as e:
                self.assertEqual(e.args[0], b"-ERR [IN-USE] maildrop is locked by another session")
                c.close()
            # lease = 3s: the claim of the dead node runs out; 20 s is far beyond it.
            self.assertLess(time.monotonic() - killed, 20, "the dead node's lock was never released")
            time.sleep(0.5)
        print("POP3 lock of the killed node released after %.1f s" % (time.monotonic() - killed))

    def test_each_queued_message_is_delivered_once_by_one_node(self):
        sink = Sink()
        self.addCleanup(sink.close)
        relay = f'relay = "127.0.0.1:{sink.address[1]}"\n'
        a, b = self.node(relay), self.node(relay)
        self.accounts(a)
        a.start()
        b.start()
        count = 12
        for i in range(count):
            self.submit(a if i % 2 else b, f"<out-{i}@example.org>", to=f"r{i}@remote.example")
        deadline = time.monotonic() + 60
        while len(sink.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # a second delivery, if any, would arrive now
        ids = sorted(next(line.split(b":", 1)[1].strip().decode()
                          for line in data.split(b"\r\n") if line.lower().startswith(b"message-id:"))
                     for _, _, data in sink.messages)
        self.assertEqual(ids, sorted(f"<out-{i}@example.org>" for i in range(count)))
        for node in (a, b):
            queued = json.loads(node.cli("queue", "list", "--format", "json", check=True).out)
            self.assertEqual(queued, [])

    def test_a_killed_nodes_queue_entry_is_delivered_by_the_other_after_the_lease(self):
        # Node A's relay accepts the connection and never greets: A's worker claims the
        # message and waits. A is killed; B delivers the message once A's claim has run out.
        stall = socket.socket()
        stall.bind(("127.0.0.1", 0))
        stall.listen(8)
        self.addCleanup(stall.close)
        accepted = []
        threading.Thread(target=lambda: accepted.append(stall.accept()), daemon=True).start()
        sink = Sink()
        self.addCleanup(sink.close)
        a = self.node(f'relay = "127.0.0.1:{stall.getsockname()[1]}"\n')
        b = self.node(f'relay = "127.0.0.1:{sink.address[1]}"\n')
        self.accounts(a)
        a.start()
        self.submit(a, "<takeover@example.org>", to="far@remote.example")
        deadline = time.monotonic() + 20
        while not accepted and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(accepted, "node A never connected to its relay")
        listed = b.cli("queue", "list", check=True).out
        self.assertIn("far@remote.example", listed)
        a.kill9()
        b.start()
        deadline = time.monotonic() + 60
        while not sink.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        self.assertEqual(len(sink.messages), 1)
        self.assertEqual(sink.messages[0][1], ["far@remote.example"])
        b.wait_for_log(r"to=<far@remote.example>, relay=.*status=sent", timeout=10)

    def test_two_nodes_racing_for_one_receipt_send_exactly_one(self):
        extra = '[receipts]\non_download = "displayed"\n'
        a, b = self.node(extra=extra), self.node(extra=extra)
        self.accounts(a)
        a.start()
        b.start()
        mid = "<race@example.org>"
        self.submit(a, mid, extra="Disposition-Notification-To: Bob <bob@example.org>\r\n")
        barrier = threading.Barrier(2)
        results = []

        def pop3_download():
            c = poplib.POP3(*a.address("pop3"), timeout=20)
            c.user("alice@example.org")
            c.pass_(PASSWORD)
            barrier.wait()
            results.append(("pop3", c.retr(1)[0]))
            c.quit()

        def imap_download():
            c = imaplib.IMAP4(*b.address("imap"), timeout=30)
            c.login("alice@example.org", PASSWORD)
            c.select("INBOX")
            barrier.wait()
            results.append(("imap", c.fetch("1", "(BODY[])")[0]))
            c.logout()

        threads = [threading.Thread(target=pop3_download), threading.Thread(target=imap_download)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(sorted(r[0] for r in results), ["imap", "pop3"])
        # Both downloads count; exactly one receipt reaches Bob, and the ledger has one.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            ledger = json.loads(a.cli("receipts", "list", "--format", "json", check=True).out)
            if any(r["message_id"] == mid for r in ledger["received"]):
                break
            time.sleep(0.3)
        time.sleep(1)
        ledger = json.loads(b.cli("receipts", "list", "--format", "json", check=True).out)
        self.assertEqual([r["message_id"] for r in ledger["sent"]], [mid])
        self.assertEqual([r["message_id"] for r in ledger["received"]], [mid])
        c = self.imap(b, "bob@example.org")
        c.select("INBOX", readonly=True)
        self.assertEqual(c.search(None, "ALL"), ("OK", [b"1"]))

    def test_everything_a_killed_node_acknowledged_is_served_by_the_other(self):
        a, b = self.node(), self.node()
        self.accounts(a)
        a.start()
        b.start()
        acknowledged = []
        stop = threading.Event()

        def load():
            i = 0
            while not stop.is_set():
                mid = f"<load-{i}@remote.example>"
                try:
                    with smtplib.SMTP(*a.address("smtp"), timeout=10) as s:
                        s.sendmail("carol@remote.example", ["alice@example.org"], message(mid))
                    acknowledged.append(mid)
                except (OSError, smtplib.SMTPException):
                    return  # the node is gone
                i += 1

        t = threading.Thread(target=load)
        t.start()
        while len(acknowledged) < 15:
            time.sleep(0.05)
        a.kill9()
        stop.set()
        t.join(30)
        # Node B serves while A is gone; everything A acknowledged is there.
        self.assertEqual(self.message_ids(b), sorted(acknowledged))
        with smtplib.SMTP(*b.address("smtp"), timeout=10) as s:
            s.sendmail("carol@remote.example", ["alice@example.org"], message("<after@remote>"))
        self.assertIn("<after@remote>", self.message_ids(b))


class PostgresRestartTest(ClusterBase):
    def test_restart_under_smtp_traffic_loses_nothing_acknowledged(self):
        p = self.node()
        self.accounts(p)
        p.start()
        acknowledged, refused, refused_ids = [], [], []
        done = threading.Event()
        after_restart = []

        def traffic():
            i = 0
            # Until five messages were acknowledged after the restart: the node must come
            # back by itself.
            while not done.is_set() or len(after_restart) < 5:
                mid = f"<r-{i}@remote.example>"
                try:
                    with smtplib.SMTP(*p.address("smtp"), timeout=20) as s:
                        s.sendmail("carol@remote.example", ["alice@example.org"], message(mid))
                    acknowledged.append(mid)
                    if done.is_set():
                        after_restart.append(mid)
                except smtplib.SMTPResponseException as e:
                    refused.append((e.smtp_code, e.smtp_error[:5]))
                    refused_ids.append(mid)
                except smtplib.SMTPRecipientsRefused as e:
                    for code, text in e.recipients.values():
                        refused.append((code, text[:5]))
                i += 1
                if i > 20000:
                    return

        t = threading.Thread(target=traffic)
        t.start()
        while len(acknowledged) < 10:
            time.sleep(0.05)
        self.pg.restart(down_seconds=2)
        done.set()
        t.join(120)
        self.assertFalse(t.is_alive())
        self.assertEqual(len(after_restart), 5, "the node did not come back")
        # Refusals during the outage are temporary: 451 4.3.0, never a 5xx.
        self.assertTrue(all(r == (451, b"4.3.0") for r in refused), refused)
        print(f"{len(acknowledged)} acknowledged, {len(refused)} refused with 451 4.3.0")
        # Nothing acknowledged is lost. A message whose COMMIT reached the database while
        # the connection broke is stored although its client got 451 (the outcome was
        # unknown, so the node never claims success): such extras may exist, nothing else.
        stored = self.message_ids(p)
        self.assertEqual(len(stored), len(set(stored)))
        self.assertLessEqual(set(acknowledged), set(stored))
        self.assertLessEqual(set(stored) - set(acknowledged), set(refused_ids))

    def jmap_mailboxes(self, p):
        """(HTTP status, parsed body) of a JMAP Mailbox/get as alice (RFC 8620 §3.3)."""
        conn = http.client.HTTPConnection(*p.address("http"), timeout=20)
        self.addCleanup(conn.close)
        auth = "Basic " + base64.b64encode(f"alice@example.org:{PASSWORD}".encode()).decode()
        body = json.dumps({"using": ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
                           "methodCalls": [["Mailbox/get", {"accountId": "A1"}, "0"]]})
        conn.request("POST", "/jmap/api", body=body,
                     headers={"Authorization": auth, "Content-Type": "application/json"})
        r = conn.getresponse()
        return r.status, json.loads(r.read())

    def test_clients_get_temporary_errors_while_postgres_is_down_and_recover(self):
        p = self.node(services=("smtp", "submission", "pop3", "imap", "http"))
        self.accounts(p)
        p.start()
        status, body = self.jmap_mailboxes(p)
        self.assertEqual((status, body["methodResponses"][0][0]), (200, "Mailbox/get"))
        c = self.imap(p)
        c.select("INBOX")
        self.pg.stop(mode="immediate")
        try:
            with smtplib.SMTP(*p.address("smtp"), timeout=30) as s:
                with self.assertRaises(smtplib.SMTPException) as cm:
                    s.sendmail("carol@remote.example", ["alice@example.org"], message("<down@r>"))
            e = cm.exception
            if isinstance(e, smtplib.SMTPRecipientsRefused):
                code, text = e.recipients["alice@example.org"]
            else:
                code, text = e.smtp_code, e.smtp_error
            self.assertEqual((code, text[:5]), (451, b"4.3.0"))
            typ, data = c.append("INBOX", None, None, message("<append@r>"))
            self.assertEqual(typ, "NO")
            self.assertTrue(data[0].startswith(b"[UNAVAILABLE]"), data)
            pop = poplib.POP3(*p.address("pop3"), timeout=20)
            pop.user("alice@example.org")
            with self.assertRaises(poplib.error_proto) as cm:
                pop.pass_(PASSWORD)
            self.assertTrue(cm.exception.args[0].startswith(b"-ERR [SYS/TEMP]"), cm.exception)
            # JMAP: the request cannot even be authenticated, so the whole request gets a
            # temporary problem (RFC 8620 §3.6.1, RFC 7807), never a false result.
            self.assertEqual(self.jmap_mailboxes(p), (503, {
                "type": "about:blank", "status": 503,
                "detail": "temporary failure, try again later"}))
        finally:
            self.pg._start()
        # The node reconnects by itself: the same requests succeed without a restart.
        deadline = time.monotonic() + 30
        while True:
            try:
                with smtplib.SMTP(*p.address("smtp"), timeout=30) as s:
                    s.sendmail("carol@remote.example", ["alice@example.org"], message("<up@r>"))
                break
            except smtplib.SMTPException:
                self.assertLess(time.monotonic(), deadline, "the node never reconnected")
                time.sleep(0.5)
        self.assertEqual(self.message_ids(p), ["<up@r>"])
        status, body = self.jmap_mailboxes(p)
        self.assertEqual((status, body["methodResponses"][0][0]), (200, "Mailbox/get"))


if __name__ == "__main__":
    unittest.main()
