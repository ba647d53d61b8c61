"""One queue id per message in the log (docs/operations.md, "Log lines"): the id the SMTP
server gives at MAIL is in the 250 reply, the Received field, the outbound queue and every
later line about the message (local delivery, each attempt, deferral, bounce, removal), in
Postfix's shapes, so that `grep ID` tells the whole story; a bounce gets its own id and a
line that links the two. Also log_format = "json" read back with json.loads per line."""

import json
import os
import re
import shutil
import smtplib
import subprocess
import time
import unittest

from harness import Postamt
from smtp_sink import Sink

# pflogsumm counts a message as received by its "client=" or "uid=" line; the bounce has
# neither (Postfix's bounce daemon writes none either).
PFLOGSUMM_RECEIVED = 1
LINE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z mail\.example\.test "
                     r"postamt/([a-z0-9]+)\[\d+\]: (.*)$")


def story(p, qid):
    """(service, text after "ID: ") of every line whose queue id is `qid`, in order."""
    out = []
    for line in p.log_lines:
        m = LINE_RE.match(line)
        if m and m.group(2).startswith(qid + ": "):
            out.append((m.group(1), m.group(2)[len(qid) + 2:]))
    return out


def send(p, service, sender, rcpts, body, login=None):
    """One transaction by hand, so that the final reply's text can be read; returns the
    queue id from "250 2.0.0 Ok: queued as ID"."""
    host, port = p.address(service)
    with smtplib.SMTP(host, port, timeout=20) as s:
        s.ehlo("client.test")
        if login:
            s.login(*login)
        code, _ = s.mail(sender)
        assert code == 250, code
        for r in rcpts:
            code, text = s.rcpt(r)
            assert code == 250, (r, code, text)
        code, text = s.data(body)
        assert code == 250, (code, text)
    m = re.fullmatch(rb"2\.0\.0 Ok: queued as ([0-9A-Z]{12})", text)
    assert m, text
    return m.group(1).decode()


def wait_until(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class MessageLogTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.addCleanup(self.sink.close)

    def server(self, log_format="text"):
        p = Postamt(services=("smtp", "submission"), log_format=log_format,
                    extra_config=f'[outbound]\nrelay = "127.0.0.1:{self.sink.address[1]}"\n'
                                 f'max_age = "1h"\n')
        self.addCleanup(p.close)
        p.cli("domain", "add", "example.org", check=True)
        for user in ("alice@example.org", "bob@example.org"):
            p.cli("user", "add", user, "--password-stdin", input="pw\n", check=True)
        return p

    def test_one_id_from_mail_to_removal_with_a_linked_bounce(self):
        self.sink.rcpt_replies["slow@remote.test"] = "451 4.3.0 try again later"
        self.sink.rcpt_replies["bad@remote.test"] = "550 5.1.1 no such user here"
        p = self.server()
        p.start()
        body = (b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: story\r\n"
                b"Message-ID: <story-1@example.org>\r\n\r\nhello\r\n")
        qid = send(p, "submission", "alice@example.org",
                   ["bob@example.org", "carol@remote.test", "slow@remote.test",
                    "bad@remote.test"], body, login=("alice@example.org", "pw"))
        # First attempt: carol sent, slow deferred, bad bounced; the bounce is linked.
        bounce_line = p.wait_for_log(rf"postamt/smtp\[\d+\]: {qid}: sender non-delivery "
                                     r"notification: [0-9A-Z]{12}$")
        bounce = bounce_line.rsplit(" ", 1)[1]
        self.assertNotEqual(bounce, qid)
        # The queue entry is the same id; the message relayed carries it in Received.
        listed = json.loads(p.cli("queue", "list", "--format", "json").out)
        self.assertEqual([m["id"] for m in listed], [qid])
        (_, _, relayed), = self.sink.wait_for_messages(1)
        self.assertIn(f"with ESMTPA id {qid}".encode(), relayed)
        # Second attempt, after the next hop recovered: slow sent, the message removed.
        del self.sink.rcpt_replies["slow@remote.test"]
        p.cli("queue", "retry", qid, check=True)
        p.wait_for_log(rf"postamt/qmgr\[\d+\]: {qid}: removed$")
        p.wait_for_log(rf"postamt/qmgr\[\d+\]: {bounce}: removed$")

        relay = rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:{self.sink.address[1]}"
        expected = [
            ("smtpd", r"client=unknown\[127\.0\.0\.1\], sasl_username=alice@example\.org"),
            ("cleanup", r"message-id=<story-1@example\.org>"),
            ("qmgr", r"from=<alice@example\.org>, size=\d+, nrcpt=4 \(queue active\)"),
            ("local", r"to=<bob@example\.org>, relay=local, delay=\d+\.\d, dsn=2\.0\.0, "
                      r"status=sent \(delivered to INBOX\)"),
            ("smtp", rf"to=<carol@remote\.test>, {relay}, delay=\d+\.\d, dsn=2\.0\.0, "
                     r"status=sent \(250 2\.0\.0 queued\)"),
            ("smtp", rf"to=<slow@remote\.test>, {relay}, delay=\d+\.\d, dsn=4\.3\.0, "
                     r"status=deferred \(451 4\.3\.0 try again later\)"),
            ("smtp", rf"to=<bad@remote\.test>, {relay}, delay=\d+\.\d, dsn=5\.1\.1, "
                     r"status=bounced \(550 5\.1\.1 no such user here\)"),
            ("smtp", rf"sender non-delivery notification: {bounce}"),
            ("smtp", rf"to=<slow@remote\.test>, {relay}, delay=\d+\.\d, dsn=2\.0\.0, "
                     r"status=sent \(250 2\.0\.0 queued\)"),
            ("qmgr", r"removed"),
        ]
        got = story(p, qid)
        self.assertEqual(len(got), len(expected), "\n".join(map(str, got)))
        for (service, text), (want_service, want) in zip(got, expected):
            self.assertEqual(service, want_service, text)
            self.assertRegex(text, "^" + want + "$")
        # The bounce's own story: accepted with the null sender, delivered to alice, removed.
        self.assertEqual([s for s, _ in story(p, bounce)], ["cleanup", "qmgr", "local", "qmgr"])
        self.assertRegex(story(p, bounce)[1][1], r"^from=<>, size=\d+, nrcpt=1 \(queue active\)$")
        self.assertRegex(story(p, bounce)[2][1], r"^to=<alice@example\.org>, relay=local, "
                                                 r"delay=\d+\.\d, dsn=2\.0\.0, status=sent ")
        # No line names the message by any other id ("queued as" another).
        self.assertFalse([ln for ln in p.log_lines if "status=queued as" in ln], p.log_lines)
        self.assertEqual(p.stop(), 0)
        self.check_pflogsumm(p)

    def check_pflogsumm(self, p):
        """Debian's pflogsumm reads the lines as Postfix's (told the program name)."""
        if shutil.which("pflogsumm") is None:
            self.skipTest("pflogsumm is not installed (scripts/install-deps)")
        logfile = os.path.join(p.dir, "postamt.log")
        with open(logfile, "w") as f:
            f.write("\n".join(p.log_lines) + "\n")
        r = subprocess.run(["pflogsumm", "--syslog-name=postamt", logfile], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        totals = {m.group(2): int(m.group(1))
                  for m in re.finditer(r"^ +(\d+) +(received|delivered|deferred|bounced)\b",
                                       r.stdout, re.M)}
        # Two messages in (the original and its bounce); bob, carol, slow and alice (the
        # bounce) delivered; one deferral; one bounce.
        self.assertEqual(totals, {"received": PFLOGSUMM_RECEIVED, "delivered": 4, "deferred": 1,
                                  "bounced": 1}, r.stdout)

    def test_local_delivery_over_mx(self):
        p = self.server()
        p.start()
        qid = send(p, "smtp", "sender@remote.example", ["bob@example.org"],
                   b"Subject: local\r\n\r\nhi\r\n")
        p.wait_for_log(rf"{qid}: removed$")
        got = story(p, qid)
        self.assertEqual([s for s, _ in got], ["smtpd", "qmgr", "local", "qmgr"], got)
        self.assertEqual(got[0][1], "client=unknown[127.0.0.1]")
        self.assertEqual(got[1][1], "from=<sender@remote.example>, size=" +
                         got[1][1].split("size=")[1].split(",")[0] + ", nrcpt=1 (queue active)")
        self.assertRegex(got[2][1], r"^to=<bob@example\.org>, relay=local, delay=\d+\.\d, "
                                    r"dsn=2\.0\.0, status=sent \(delivered to INBOX\)$")
        self.assertEqual(got[3][1], "removed")
        self.assertEqual(p.stop(), 0)

    def test_json_log_is_one_object_per_line(self):
        p = self.server(log_format="json")
        p.start()
        qid = send(p, "smtp", "sender@remote.example", ["bob@example.org"],
                   b"Subject: json\r\n\r\nhi\r\n")
        p.wait_for_log(rf"{qid}: removed$")
        # Rejected recipients with UTF-8 (RFC 6531) and with a quoted local part.
        host, port = p.address("smtp")
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.ehlo("client.test")
            s.mail("a@remote.example", ["SMTPUTF8"])
            self.assertEqual(s.rcpt("jösé@example.org")[0], 550)
            self.assertEqual(s.rcpt('"no body"@example.org')[0], 553)
        p.wait_for_log(r'NOQUEUE: reject: RCPT .* to=<"no body"@example\.org>')
        self.assertEqual(p.stop(), 0)

        self.assertEqual(p.log_errors, [])
        objects = [json.loads(line) for line in p.raw_log_lines]
        self.assertGreater(len(objects), 5)
        keys = ["time", "host", "service", "pid", "level", "message"]
        for o in objects:
            self.assertEqual(list(o)[:6], keys, o)
            self.assertRegex(o["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertEqual(o["host"], "mail.example.test")
            self.assertIsInstance(o["pid"], int)
            self.assertIn(o["level"], ("debug", "info", "warning", "error"))
            self.assertFalse(o["message"].startswith(("warning: ", "error: ")), o)
        about = [o for o in objects if o.get("queue_id") == qid]
        self.assertEqual([o["service"] for o in about], ["smtpd", "qmgr", "local", "qmgr"])
        for o in about:
            self.assertTrue(o["message"].startswith(qid + ": "), o)
            self.assertEqual(list(o), keys + ["queue_id"], o)
        self.assertEqual(about[-1]["message"], f"{qid}: removed")
        # Every line about the message carries the field; no other line has it.
        self.assertEqual([o for o in objects if o["message"].startswith(qid)], about)
        reject = [o for o in objects if "NOQUEUE: reject: RCPT" in o["message"]]
        self.assertEqual(len(reject), 2)
        self.assertIn(" to=<jösé@example.org> ", reject[0]["message"])
        self.assertIn(' to=<"no body"@example.org> ', reject[1]["message"])
        # The quotes are escaped on the wire, as RFC 8259 §7 requires.
        raw = [ln for ln in p.raw_log_lines if "NOQUEUE: reject: RCPT" in ln]
        self.assertIn(r' to=<\"no body\"@example.org> ', raw[1])
        self.assertIn(" to=<jösé@example.org> ", raw[0])  # UTF-8 as it is
        self.assertNotIn("queue_id", reject[0])
        started = [o for o in objects if o["message"].startswith("started: ")]
        self.assertEqual([o["service"] for o in started], ["master"])


if __name__ == "__main__":
    unittest.main()
