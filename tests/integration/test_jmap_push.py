"""JMAP push over the event-source resource (RFC 8620 §7.3) against the real binary: a
stream read incrementally with http.client sees a StateChange (§7.1) after a change made
over SMTP, IMAP, POP3 or `postamt deliver`; closeafter, pings, type filters, and the
[http] max_event_streams limit."""

import base64
import http.client
import imaplib
import json
import poplib
import smtplib
import time
import unittest

from harness import Postamt
from test_imap_commands import OTHER, OTHER_PASSWORD, PASSWORD, PLAIN, USER, cheap_hash
from test_jmap import Base

WAIT = 5  # seconds a test waits for an event before it fails (never a timing assertion)


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class EventStream:
    """One GET of the event-source URL, read event by event."""

    def __init__(self, address, query, user=USER, password=PASSWORD):
        self.conn = http.client.HTTPConnection(*address, timeout=30)
        self.conn.request("GET", "/jmap/eventsource?" + query,
                          headers={"Authorization": basic(user, password)})
        # getresponse() hands the socket to the response on "Connection: close".
        self.sock = self.conn.sock
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.headers = {k.lower(): v for k, v in self.response.getheaders()}
        self.buffer = b""
        self.closed = False

    def close(self):
        self.response.close()
        self.conn.close()

    def body(self):
        return self.response.read()

    def next_event(self, timeout=WAIT):
        """(name, data as JSON) of the next event; None when the server ended the stream.
        Comment lines (": ...") are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no event within {timeout}s; have {self.buffer!r}")
                self.sock.settimeout(left)
                data = self.response.read1(4096)
                if not data:
                    self.closed = True
                    return None
                self.buffer += data
            raw, self.buffer = self.buffer.split(b"\n\n", 1)
            name, data = None, None
            for line in raw.decode().split("\n"):
                if line.startswith(":"):
                    continue
                field, _, value = line.partition(": ")
                if field == "event":
                    name = value
                elif field == "data":
                    data = json.loads(value)
                else:
                    raise AssertionError(f"unexpected line {line!r}")
            if name is not None:
                return name, data


class PushBase(Base):
    services = ("http", "smtp", "imap", "pop3")
    extra_config = ""

    def setUp(self):
        self.p = Postamt(services=self.services, extra_config=self.extra_config)
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.cli("user", "add", OTHER, "--password-hash", cheap_hash(OTHER_PASSWORD),
                   check=True)
        self.p.start()
        self.c = self.jmap()

    def stream(self, query, **kw):
        s = EventStream(self.p.address("http"), query, **kw)
        self.addCleanup(s.close)
        return s

    def state(self):
        return self.c.one("Email/get", {"ids": []})["state"]

    def expect_state_event(self, s, types):
        name, data = s.next_event()
        self.assertEqual(name, "state")
        state = self.state()
        self.assertEqual(data, {"@type": "StateChange",
                                "changed": {self.c.account_id: {t: state for t in types}}})
        # Every type's state is the one its /get reports now.
        self.assertEqual(self.c.one("Mailbox/get", {"ids": []})["state"], state)
        return state

    def smtp_deliver(self, message=PLAIN):
        with smtplib.SMTP(*self.p.address("smtp"), timeout=30) as m:
            m.ehlo("client.example")
            m.sendmail("bob@remote.example", [USER], message)


class Events(PushBase):
    def test_stream_headers_and_state_after_smtp_delivery(self):
        s = self.stream("types=*&closeafter=no&ping=0")
        self.assertEqual(s.status, 200)
        self.assertEqual(s.headers["content-type"], "text/event-stream")
        self.assertEqual(s.headers["cache-control"], "no-cache")
        self.assertEqual(s.headers["transfer-encoding"], "chunked")
        before = self.state()
        self.smtp_deliver()
        after = self.expect_state_event(s, ["Mailbox", "Email", "Thread", "EmailDelivery"])
        self.assertNotEqual(after, before)
        # A second change gives a second event on the same stream.
        self.deliver(PLAIN)
        self.expect_state_event(s, ["Mailbox", "Email", "Thread", "EmailDelivery"])

    def test_state_after_imap_store(self):
        self.deliver(PLAIN)
        s = self.stream("types=*&closeafter=no&ping=0")
        imap = imaplib.IMAP4(*self.p.address("imap"), timeout=30)
        self.addCleanup(imap.shutdown)
        imap.login(USER, PASSWORD)
        imap.select("INBOX")
        typ, _ = imap.store("1", "+FLAGS", "(\\Flagged)")
        self.assertEqual(typ, "OK")
        # A flag change leaves every Thread's emailIds as they were (RFC 8621 §3).
        self.expect_state_event(s, ["Mailbox", "Email"])
        [email] = self.c.one("Email/query", {})["ids"]
        got = self.c.one("Email/get", {"ids": [email], "properties": ["keywords"]})
        self.assertEqual(got["list"][0]["keywords"], {"$flagged": True})

    def test_state_after_pop3_dele(self):
        self.deliver(PLAIN)
        s = self.stream("types=*&closeafter=no&ping=0")
        pop = poplib.POP3(*self.p.address("pop3"), timeout=30)
        pop.user(USER)
        pop.pass_(PASSWORD)
        self.assertEqual(pop.dele(1), b"+OK message 1 deleted")
        pop.quit()
        self.expect_state_event(s, ["Mailbox", "Email", "Thread"])
        self.assertEqual(self.c.one("Email/query", {})["ids"], [])

    def test_closeafter_state_ends_the_stream_after_one_event(self):
        s = self.stream("types=*&closeafter=state&ping=0")
        self.deliver(PLAIN)
        self.expect_state_event(s, ["Mailbox", "Email", "Thread", "EmailDelivery"])
        self.assertIsNone(s.next_event())
        self.assertEqual(s.buffer, b"")

    def test_types_filter(self):
        self.deliver(PLAIN)
        s = self.stream("types=EmailDelivery,Mailbox&closeafter=no&ping=0")
        imap = imaplib.IMAP4(*self.p.address("imap"), timeout=30)
        self.addCleanup(imap.shutdown)
        imap.login(USER, PASSWORD)
        imap.select("INBOX")
        imap.store("1", "+FLAGS", "(\\Seen)")
        self.expect_state_event(s, ["Mailbox"])
        self.smtp_deliver()
        self.expect_state_event(s, ["Mailbox", "EmailDelivery"])

    def test_unwanted_changes_send_nothing(self):
        # Only EmailDelivery is asked for: a flag change sends no state event, so the next
        # event is the delivery's (pings are off).
        self.deliver(PLAIN)
        s = self.stream("types=EmailDelivery&closeafter=no&ping=0")
        imap = imaplib.IMAP4(*self.p.address("imap"), timeout=30)
        self.addCleanup(imap.shutdown)
        imap.login(USER, PASSWORD)
        imap.select("INBOX")
        imap.store("1", "+FLAGS", "(\\Seen)")
        flagged = self.state()
        self.deliver(PLAIN)
        state = self.expect_state_event(s, ["EmailDelivery"])
        self.assertNotEqual(state, flagged)

    def test_other_accounts_changes_are_not_sent(self):
        s = self.stream("types=*&closeafter=no&ping=0")
        self.deliver(PLAIN, to=OTHER)
        self.deliver(PLAIN)
        self.expect_state_event(s, ["Mailbox", "Email", "Thread", "EmailDelivery"])

    def test_malformed_query_and_method(self):
        for query, detail in [("types=Email,&closeafter=no&ping=0",
                               'types: expected "*" or a list of type names'),
                              ("types=*&closeafter=maybe&ping=0",
                               'closeafter: expected "state" or "no"'),
                              ("types=*&closeafter=no&ping=-5",
                               "ping: expected a number of seconds")]:
            s = self.stream(query)
            self.assertEqual(s.status, 400, query)
            self.assertEqual(json.loads(s.body()),
                             {"type": "about:blank", "status": 400, "detail": detail})
        status, headers, _ = self.c.request("POST", "/jmap/eventsource?types=*", body=b"")
        self.assertEqual(status, 405)
        self.assertEqual(headers["allow"], "GET")

    def test_needs_credentials(self):
        s = self.stream("types=*&closeafter=no&ping=0", password="wrong")
        self.assertEqual(s.status, 401)


class Pings(PushBase):
    extra_config = '[http]\nmin_ping_interval = "2s"\nmax_event_streams = 2\n'

    def test_ping_interval_is_raised_to_the_minimum(self):
        s = self.stream("types=*&closeafter=no&ping=1")
        self.assertEqual(s.next_event(), ("ping", {"interval": 2}))
        self.assertEqual(s.next_event(), ("ping", {"interval": 2}))

    def test_ping_at_or_above_the_minimum_is_kept_and_huge_ones_lowered(self):
        s = self.stream("types=*&closeafter=no&ping=3")
        self.assertEqual(s.next_event(), ("ping", {"interval": 3}))
        # 300 s is the most the server uses (RFC 8620 §7.3 allows no lower maximum); the
        # first ping is then far away, so a change comes first.
        s = self.stream("types=*&closeafter=no&ping=100000")
        self.deliver(PLAIN)
        self.expect_state_event(s, ["Mailbox", "Email", "Thread", "EmailDelivery"])

    def test_state_event_between_pings(self):
        s = self.stream("types=Email&closeafter=no&ping=2")
        self.deliver(PLAIN)
        self.expect_state_event(s, ["Email"])
        self.assertEqual(s.next_event(), ("ping", {"interval": 2}))

    def test_too_many_streams_are_refused(self):
        first = self.stream("types=*&closeafter=no&ping=0")
        second = self.stream("types=*&closeafter=no&ping=0")
        self.assertEqual((first.status, second.status), (200, 200))
        third = self.stream("types=*&closeafter=no&ping=0")
        self.assertEqual(third.status, 429)
        self.assertEqual(json.loads(third.body()),
                         {"type": "urn:ietf:params:jmap:error:limit", "status": 429,
                          "detail": "too many event streams of this account at once",
                          "limit": "maxEventStreams"})
        # The limit is per account.
        other = self.stream("types=*&closeafter=no&ping=0", user=OTHER, password=OTHER_PASSWORD)
        self.assertEqual(other.status, 200)
        # A stream that ended frees its place.
        once = self.stream("types=*&closeafter=state&ping=0", user=OTHER,
                           password=OTHER_PASSWORD)
        self.deliver(PLAIN, to=OTHER)
        self.assertEqual(once.next_event()[0], "state")
        self.assertIsNone(once.next_event())
        again = self.stream("types=*&closeafter=no&ping=0", user=OTHER, password=OTHER_PASSWORD)
        self.assertEqual(again.status, 200)


if __name__ == "__main__":
    unittest.main()
