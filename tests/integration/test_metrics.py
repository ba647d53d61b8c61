"""The admin listener ([listen] metrics) against the real binary: /metrics in the Prometheus
text format 0.0.4 with exact counter deltas after real SMTP, IMAP, POP3 and JMAP traffic,
read receipts and outbound deliveries; /healthz; /readyz (200, and 503 while SQLite's WAL
read locks are held by another process); what the listener refuses (docs/monitoring.md)."""

import fcntl
import http.client
import imaplib
import os
import poplib
import re
import smtplib
import time
import unittest

from harness import Postamt
from jmap_client import Jmap
from smtp_sink import Sink

PASSWORD = "pw"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE_RE = re.compile(rf"({NAME})(\{{(?:{LABEL}(?:,{LABEL})*)?\}})? (\S+)")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse_exposition(text):
    """A strict reading of the text format: every family has HELP then TYPE before its
    samples, samples of a family are together, no series twice, counters >= 0, every
    histogram ends in +Inf == _count. Returns {(name, frozenset(labels)): value}."""
    assert text.endswith("\n"), "no final newline"
    samples, types, done = {}, {}, set()
    current = None
    for line in text[:-1].split("\n"):
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            assert name not in types and name not in done, line
            current = name
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name == current and name not in types, line
            assert kind in ("counter", "gauge", "histogram"), line
            types[name] = kind
            continue
        assert not line.startswith("#"), line
        m = SAMPLE_RE.fullmatch(line)
        assert m, f"not a sample line: {line!r}"
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        family = name
        if types.get(current) == "histogram" and name in (current + "_bucket", current + "_sum",
                                                           current + "_count"):
            family = current
        assert family == current and current in types, f"sample outside its family: {line}"
        pairs = LABEL_RE.findall(labels)
        key = (name, frozenset(pairs))
        assert key not in samples, f"duplicate series: {line}"
        v = float(value)
        if types[current] == "counter":
            assert v >= 0, line
        samples[key] = v
    for name, kind in types.items():
        if kind != "histogram":
            continue
        series = {}
        for (n, labels), v in samples.items():
            if n == name + "_bucket":
                rest = frozenset(p for p in labels if p[0] != "le")
                le = dict(labels)["le"]
                series.setdefault(rest, []).append((float(le), v))
        for rest, buckets in series.items():
            buckets.sort()
            assert buckets[-1][0] == float("inf"), name
            counts = [c for _, c in buckets]
            assert counts == sorted(counts), f"{name}: not cumulative"
            assert buckets[-1][1] == samples[(name + "_count", rest)], name
            assert (name + "_sum", rest) in samples, name
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def get(address, path, method="GET", body=None):
    conn = http.client.HTTPConnection(*address, timeout=20)
    try:
        conn.request(method, path, body=body)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def scrape(p):
    status, headers, body = get(p.address("metrics"), "/metrics")
    assert status == 200, (status, body)
    assert headers["content-type"] == CONTENT_TYPE, headers
    return parse_exposition(body.decode())


def wait_until(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def submit(p, user, sender, rcpts, body):
    with smtplib.SMTP(*p.address("submission"), timeout=20) as s:
        s.login(user, PASSWORD)
        return s.sendmail(sender, rcpts, body)


def server(services=("smtp", "submission", "pop3", "imap", "http", "metrics"), extra=""):
    p = Postamt(services=services, extra_config=extra)
    p.cli("domain", "add", "example.org", check=True)
    for user in ("alice@example.org", "bob@example.org"):
        p.cli("user", "add", user, "--password-stdin", input=PASSWORD + "\n", check=True)
    return p


MESSAGE = (b"From: bob@example.org\r\nTo: alice@example.org\r\nSubject: hello\r\n\r\n"
           b"one line\r\n")
# What the MX accepts: a remote sender (a local one must log in on submission).
MX_MESSAGE = MESSAGE.replace(b"bob@example.org", b"carol@remote.test")


class TrafficTest(unittest.TestCase):
    """One server; each test compares a scrape before its traffic with one after."""

    @classmethod
    def setUpClass(cls):
        cls.p = server(extra="[smtp]\nmax_received_headers = 2\n")
        cls.p.start()

    @classmethod
    def tearDownClass(cls):
        try:
            assert cls.p.stop() == 0
        finally:
            cls.p.close()

    def delta(self, before, after, name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    def assert_deltas(self, before, after, expected):
        got = {(name, tuple(sorted(labels.items()))): self.delta(before, after, name, **labels)
               for name, labels, _ in expected}
        want = {(name, tuple(sorted(labels.items()))): d for name, labels, d in expected}
        self.assertEqual(got, want)

    def commands(self, protocol, command, result):
        return ("postamt_command_duration_seconds_count",
                {"protocol": protocol, "command": command, "result": result})

    def test_smtp_messages_accepted_rejected_bytes_and_commands(self):
        before = scrape(self.p)
        with smtplib.SMTP(*self.p.address("smtp"), timeout=20) as s:
            s.ehlo("client.test")
            self.assertEqual(s.sendmail("carol@remote.test", ["alice@example.org"], MX_MESSAGE),
                             {})
            looped = b"Received: from a\r\nReceived: from b\r\nReceived: from c\r\n" + MX_MESSAGE
            with self.assertRaises(smtplib.SMTPDataError) as refused:
                s.sendmail("carol@remote.test", ["alice@example.org"], looped)
            self.assertEqual(refused.exception.smtp_code, 554)
            self.assertEqual(s.docmd("XYZZY")[0], 500)
        after = scrape(self.p)
        expected = [
            ("postamt_smtp_messages_total", {"service": "smtp", "result": "accepted"}, 1),
            ("postamt_smtp_messages_total", {"service": "smtp", "result": "rejected"}, 1),
            ("postamt_smtp_accepted_bytes_total", {"service": "smtp"}, len(MX_MESSAGE)),
            ("postamt_connections_total", {"service": "smtp", "admission": "accepted"}, 1),
            ("postamt_connections_total", {"service": "smtp", "admission": "refused"}, 0),
            ("postamt_sessions_total", {"service": "smtp"}, 1),
            (*self.commands("smtp", "EHLO", "2xx"), 1),
            (*self.commands("smtp", "MAIL", "2xx"), 2),
            (*self.commands("smtp", "RCPT", "2xx"), 2),
            (*self.commands("smtp", "DATA", "2xx"), 1),
            (*self.commands("smtp", "DATA", "5xx"), 1),
            # smtplib resets the transaction after a refused DATA.
            (*self.commands("smtp", "RSET", "2xx"), 1),
            (*self.commands("smtp", "unknown", "5xx"), 1),
            (*self.commands("smtp", "QUIT", "2xx"), 1),
        ]
        self.assert_deltas(before, after, expected)
        # The message reached the blob store (with Return-Path and Received added) and
        # the store, fsynced.
        self.assertGreater(self.delta(before, after, "postamt_blob_written_bytes_total"),
                           len(MESSAGE))
        self.assertGreaterEqual(self.delta(before, after, "postamt_fsync_seconds_count",
                                           target="file"), 1)
        self.assertGreaterEqual(self.delta(before, after, "postamt_fsync_seconds_count",
                                           target="directory"), 1)
        self.assertGreaterEqual(self.delta(before, after, "postamt_store_commit_seconds_count"), 1)
        self.assertGreaterEqual(self.delta(before, after, "postamt_store_transaction_seconds_count",
                                           mode="write"), 1)
        # The session has ended by the time the server logs it; then the gauge is back.
        wait_until(lambda: value(scrape(self.p), "postamt_sessions_open", service="smtp") ==
                   value(before, "postamt_sessions_open", service="smtp"),
                   what="the SMTP session to end")

    def test_imap_logins_and_commands(self):
        before = scrape(self.p)
        c = imaplib.IMAP4(*self.p.address("imap"), timeout=20)
        c.login("alice@example.org", PASSWORD)
        c.select("INBOX")
        c.uid("FETCH", "1:*", "(FLAGS)")
        try:
            c.fetch("1", "(UID)")  # the mailbox may be empty: then BAD (imaplib raises)
        except imaplib.IMAP4.error:
            pass
        with self.assertRaises(imaplib.IMAP4.error):
            c.xatom("XYZZY")
        c.logout()
        bad = imaplib.IMAP4(*self.p.address("imap"), timeout=20)
        with self.assertRaises(imaplib.IMAP4.error):
            bad.login("alice@example.org", "wrong")
        bad.logout()
        after = scrape(self.p)
        fetches = sum(self.delta(before, after, "postamt_command_duration_seconds_count",
                                 protocol="imap", command="FETCH", result=r)
                      for r in ("ok", "no", "bad"))
        self.assertEqual(fetches, 1)
        self.assert_deltas(before, after, [
            ("postamt_logins_total", {"service": "imap", "result": "ok"}, 1),
            ("postamt_logins_total", {"service": "imap", "result": "failed"}, 1),
            (*self.commands("imap", "LOGIN", "ok"), 1),
            (*self.commands("imap", "LOGIN", "no"), 1),
            (*self.commands("imap", "SELECT", "ok"), 1),
            (*self.commands("imap", "UID FETCH", "ok"), 1),
            (*self.commands("imap", "unknown", "bad"), 1),
            (*self.commands("imap", "LOGOUT", "ok"), 2),
            ("postamt_connections_total", {"service": "imap", "admission": "accepted"}, 2),
            ("postamt_sessions_total", {"service": "imap"}, 2),
        ])

    def test_pop3_logins_and_commands(self):
        before = scrape(self.p)
        c = poplib.POP3(*self.p.address("pop3"), timeout=20)
        c.user("bob@example.org")
        c.pass_(PASSWORD)
        c.stat()
        with self.assertRaises(poplib.error_proto):
            c.retr(999)
        with self.assertRaises(poplib.error_proto):
            c._shortcmd("XYZZY")
        c.quit()
        bad = poplib.POP3(*self.p.address("pop3"), timeout=20)
        bad.user("bob@example.org")
        with self.assertRaises(poplib.error_proto):
            bad.pass_("wrong")
        bad.quit()
        after = scrape(self.p)
        self.assert_deltas(before, after, [
            ("postamt_logins_total", {"service": "pop3", "result": "ok"}, 1),
            ("postamt_logins_total", {"service": "pop3", "result": "failed"}, 1),
            (*self.commands("pop3", "USER", "ok"), 2),
            (*self.commands("pop3", "PASS", "ok"), 1),
            (*self.commands("pop3", "PASS", "err"), 1),
            (*self.commands("pop3", "STAT", "ok"), 1),
            (*self.commands("pop3", "RETR", "err"), 1),
            (*self.commands("pop3", "unknown", "err"), 1),
            (*self.commands("pop3", "QUIT", "ok"), 2),
        ])

    def test_jmap_method_calls_and_logins(self):
        before = scrape(self.p)
        j = Jmap(self.p.address("http"), "alice@example.org", PASSWORD)
        self.addCleanup(j.close)
        j.session()
        responses = j.call(["Mailbox/get", {"accountId": j.account_id}, "a"],
                           ["Nonsense/get", {}, "b"],
                           ["Email/get", {"accountId": "nope", "ids": []}, "c"])
        self.assertEqual([r[0] for r in responses], ["Mailbox/get", "error", "error"])
        wrong = Jmap(self.p.address("http"), "alice@example.org", "wrong")
        self.addCleanup(wrong.close)
        self.assertEqual(wrong.request("GET", "/jmap/session")[0], 401)
        after = scrape(self.p)
        self.assert_deltas(before, after, [
            # HTTP has no sessions: every request with credentials is a login.
            ("postamt_logins_total", {"service": "http", "result": "ok"}, 2),
            ("postamt_logins_total", {"service": "http", "result": "failed"}, 1),
            (*self.commands("jmap", "Mailbox/get", "ok"), 1),
            (*self.commands("jmap", "unknown", "error"), 1),
            (*self.commands("jmap", "Email/get", "error"), 1),
        ])

    def test_process_gauges_and_build_info(self):
        samples = scrape(self.p)
        self.assertGreater(value(samples, "process_resident_memory_bytes"), 1 << 20)
        self.assertGreater(value(samples, "process_virtual_memory_bytes"),
                           value(samples, "process_resident_memory_bytes"))
        self.assertGreater(value(samples, "process_open_fds"), 5)
        # Within what the kernel lists now (connections come and go around a scrape).
        self.assertLess(abs(value(samples, "process_open_fds") -
                            len(os.listdir(f"/proc/{self.p.proc.pid}/fd"))), 5)
        builds = [k for k in samples if k[0] == "postamt_build_info"]
        self.assertEqual(len(builds), 1)
        self.assertEqual(samples[builds[0]], 1)
        self.assertEqual(value(samples, "postamt_queue_messages"), 0)
        self.assertEqual(value(samples, "postamt_queue_oldest_message_age_seconds"), 0)


class ReceiptsTest(unittest.TestCase):
    def test_receipts_by_kind(self):
        p = server(services=("submission", "pop3", "metrics"))
        self.addCleanup(p.close)
        p.start()
        before = scrape(p)
        original = (b"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Plans\r\n"
                    b"Message-ID: <m1@example.org>\r\n"
                    b"Disposition-Notification-To: bob@example.org\r\n\r\nLet us meet.\r\n")
        self.assertEqual(submit(p, "bob@example.org", "bob@example.org",
                                ["alice@example.org"], original), {})
        receipt = ("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: Read: Plans\r\n"
                   "MIME-Version: 1.0\r\n"
                   "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
                   ' boundary="rb"\r\n\r\n'
                   "--rb\r\nContent-Type: text/plain\r\n\r\nDisplayed.\r\n"
                   "--rb\r\nContent-Type: message/disposition-notification\r\n\r\n"
                   "Reporting-UA: laptop.example.org; TestClient\r\n"
                   "Final-Recipient: rfc822; alice@example.org\r\n"
                   "Original-Message-ID: <m1@example.org>\r\n"
                   "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
                   "\r\n--rb--\r\n").encode()
        # The first is recorded and delivered to bob (received), the second dropped.
        for _ in range(2):
            self.assertEqual(submit(p, "alice@example.org", "alice@example.org",
                                    ["bob@example.org"], receipt), {})
        p.cli("receipts", "policy", "set", "--user", "alice@example.org", "duplicates", "reject",
              check=True)
        with self.assertRaises(smtplib.SMTPDataError) as refused:
            submit(p, "alice@example.org", "alice@example.org", ["bob@example.org"], receipt)
        self.assertEqual(refused.exception.smtp_code, 550)
        # The server's own receipt when alice downloads a second message over POP3.
        p.cli("receipts", "policy", "set", "--user", "alice@example.org", "on_download",
              "displayed", check=True)
        second = original.replace(b"<m1@", b"<m2@")
        self.assertEqual(submit(p, "bob@example.org", "bob@example.org",
                                ["alice@example.org"], second), {})
        c = poplib.POP3(*p.address("pop3"), timeout=20)
        c.user("alice@example.org")
        c.pass_(PASSWORD)
        count = c.stat()[0]
        for i in range(1, count + 1):
            if b"Message-ID: <m2@example.org>" in b"\r\n".join(c.top(i, 0)[1]):
                c.retr(i)
        c.quit()
        kinds = ("server", "client", "duplicate_dropped", "duplicate_rejected", "received")
        want = {"server": 1, "client": 1, "duplicate_dropped": 1, "duplicate_rejected": 1,
                "received": 2}

        def deltas():
            after = scrape(p)
            return {k: value(after, "postamt_receipts_total", kind=k) -
                    value(before, "postamt_receipts_total", kind=k) for k in kinds}
        # The server's receipt is sent on the blocking pool after RETR answered.
        try:
            wait_until(lambda: deltas() == want, timeout=10, what="the server's receipt")
        finally:
            self.assertEqual(deltas(), want)
        self.assertEqual(p.stop(), 0)


class QueueTest(unittest.TestCase):
    def test_queue_size_age_and_outcomes(self):
        sink = Sink(rcpt_replies={"bad@remote.test": "550 5.1.1 no such user",
                                  "slow@remote.test": "451 4.3.0 try again later"})
        self.addCleanup(sink.close)
        p = server(services=("submission", "metrics"),
                   extra=f'[outbound]\nrelay = "127.0.0.1:{sink.address[1]}"\n')
        self.addCleanup(p.close)
        p.start()
        before = scrape(p)
        self.assertEqual(submit(p, "bob@example.org", "bob@example.org",
                                ["ok@remote.test", "bad@remote.test", "slow@remote.test"],
                                MESSAGE), {})
        p.wait_for_log(r"to=<slow@remote\.test>, .*status=deferred")

        def settled():
            s = scrape(p)
            return s if value(s, "postamt_queue_messages") == 1 and \
                value(s, "postamt_queue_oldest_message_age_seconds") > 0 else None
        after = wait_until(settled, what="the worker's next pass")
        for outcome in ("sent", "bounced", "deferred"):
            self.assertEqual(value(after, "postamt_queue_recipients_total", outcome=outcome) -
                             value(before, "postamt_queue_recipients_total", outcome=outcome), 1,
                             outcome)
        self.assertLess(value(after, "postamt_queue_oldest_message_age_seconds"), 60)
        self.assertEqual(p.stop(), 0)


class EndpointsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = server(services=("http", "metrics"), extra='[metrics]\nready_timeout = "1s"\n')
        cls.p.start()

    @classmethod
    def tearDownClass(cls):
        try:
            assert cls.p.stop() == 0
        finally:
            cls.p.close()

    def test_healthz_and_readyz(self):
        admin = self.p.address("metrics")
        self.assertEqual(get(admin, "/healthz")[::2], (200, b"ok\n"))
        self.assertEqual(get(admin, "/readyz")[::2], (200, b"ready\n"))
        status, headers, body = get(admin, "/healthz", method="HEAD")
        self.assertEqual((status, body, headers["content-length"]), (200, b"", "3"))

    def test_other_paths_and_methods(self):
        admin = self.p.address("metrics")
        for path in ("/", "/metrics/", "/jmap/session", "/healthz/x", "/metricsx"):
            self.assertEqual(get(admin, path)[::2], (404, b"not found\n"), path)
        for method in ("POST", "PUT", "DELETE"):
            status, headers, body = get(admin, "/metrics", method=method, body=b"")
            self.assertEqual((status, headers["allow"], body),
                             (405, "GET, HEAD", b"method not allowed\n"), method)
        # A query string does not change the resource.
        self.assertEqual(get(admin, "/healthz?verbose=1")[::2], (200, b"ok\n"))

    def test_not_served_on_the_mail_http_listener(self):
        for path in ("/metrics", "/healthz", "/readyz"):
            status, _, body = get(self.p.address("http"), path)
            self.assertNotIn(b"# TYPE", body, path)
            self.assertNotEqual(body, b"ok\n", path)
            self.assertNotEqual(body, b"ready\n", path)

    def test_listener_counts_itself(self):
        samples = scrape(self.p)
        self.assertGreaterEqual(value(samples, "postamt_sessions_total", service="metrics"), 1)
        # The scrape's own session; earlier requests' sessions end when they see EOF.
        wait_until(lambda: value(scrape(self.p), "postamt_sessions_open", service="metrics") == 1,
                   what="only the scrape's session open")

    def test_readyz_503_while_the_store_cannot_be_read(self):
        """SQLite's WAL readers need a shared lock on one of the read-mark bytes of the
        -shm file (the WAL-index locks at offsets 120-127, sqlite.org/walformat.html §2.3);
        another process holding them all exclusively makes every read wait, then fail."""
        admin = self.p.address("metrics")
        shm = os.path.join(self.p.dir, "data", "postamt.db-shm")
        fd = os.open(shm, os.O_RDWR)
        try:
            wait_until(lambda: try_lock(fd), timeout=5, what="the WAL-index locks")
            start = time.monotonic()
            status, _, body = get(admin, "/readyz")
            took = time.monotonic() - start
            self.assertEqual((status, body),
                             (503, b"not ready: the store did not answer within 1000 ms\n"))
            self.assertGreaterEqual(took, 1.0)
            self.assertLess(took, 3.0)
            # Liveness does not depend on the store.
            self.assertEqual(get(admin, "/healthz")[::2], (200, b"ok\n"))
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 8, 120)
            os.close(fd)
        wait_until(lambda: get(admin, "/readyz")[0] == 200, timeout=30, what="ready again")


def try_lock(fd):
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 8, 120)
        return True
    except OSError:
        return False


if __name__ == "__main__":
    unittest.main()
