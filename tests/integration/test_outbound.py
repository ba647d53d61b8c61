"""Outbound queue against the real binary: smart host, MX through a local DNS zone,
retry, bounces (RFC 3464 DSNs read back over POP3), the queue CLI, and kill -9."""

import email
import json
import os
import poplib
import shutil
import smtplib
import ssl
import subprocess
import tempfile
import time
import unittest

from dns_zone import DnsZone
from harness import Postamt
from smtp_sink import Sink

MESSAGE = (b"From: alice@example.org\r\nTo: carol@remote.test\r\nSubject: out\r\n"
           b"Message-ID: <out-1@example.org>\r\n\r\nhello remote\r\n.dot line\r\n")


def submit(p, rcpts, sender="alice@example.org", body=MESSAGE):
    host, port = p.address("submission")
    with smtplib.SMTP(host, port, timeout=20) as s:
        s.ehlo("client.test")
        s.login("alice@example.org", "pw")
        return s.sendmail(sender, rcpts, body)


def pop_inbox(p, user="alice@example.org"):
    host, port = p.address("pop3")
    c = poplib.POP3(host, port, timeout=20)
    c.user(user)
    c.pass_("pw")
    msgs = [b"\r\n".join(c.retr(i + 1)[1]) + b"\r\n" for i in range(c.stat()[0])]
    c.quit()
    return msgs


def wait_until(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class OutboundTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.tmp = tempfile.mkdtemp(prefix="postamt-outbound-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def server(self, outbound):
        p = Postamt(services=("smtp", "submission", "pop3"), extra_config=f"[outbound]\n{outbound}")
        self.addCleanup(p.close)
        p.cli("domain", "add", "example.org", check=True)
        p.cli("user", "add", "alice@example.org", "--password-stdin", input="pw\n", check=True)
        return p

    def relay(self):
        return f'relay = "127.0.0.1:{self.sink.address[1]}"\nmax_age = "3s"\n'

    def test_smart_host_gets_the_message_byte_exact_after_trace_headers(self):
        p = self.server(self.relay())
        p.start()
        self.assertEqual(submit(p, ["carol@remote.test"]), {})
        (mail_from, rcpts, data), = self.sink.wait_for_messages(1)
        self.assertEqual((mail_from, rcpts), ("alice@example.org", ["carol@remote.test"]))
        self.assertTrue(data.startswith(b"Received: from client.test"), data[:200])
        self.assertTrue(data.endswith(MESSAGE), data)
        line = p.wait_for_log(r"to=<carol@remote\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, "
                              r"delay=[\d.]+, dsn=2\.0\.0, status=sent \(250 ")
        qid = line.split("]: ")[1].split(":")[0]
        p.wait_for_log(rf"{qid}: removed")
        self.assertEqual(p.cli("queue", "list", "--format", "json").out, "[]\n")
        self.assertEqual(p.stop(), 0)

    def test_tls_session_to_the_smart_host_ends_with_close_notify(self):
        # RFC 8446 §6.1: the client sends close_notify before it closes the connection.
        cert = os.path.join(self.tmp, "sink.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                        "/CN=sink.test", "-keyout", cert, "-out", cert],
                       check=True, capture_output=True, timeout=30)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert)
        tls_sink = Sink(tls=context)
        self.addCleanup(tls_sink.close)
        p = self.server(f'relay = "127.0.0.1:{tls_sink.address[1]}"\n')
        p.start()
        self.assertEqual(submit(p, ["carol@remote.test"]), {})
        tls_sink.wait_for_messages(1)
        p.wait_for_log(r"to=<carol@remote\.test>, relay=127\.0\.0\.1.*status=sent")
        with tls_sink.cond:
            self.assertTrue(tls_sink.cond.wait_for(lambda: tls_sink.tls_ends, 20))
            self.assertEqual(tls_sink.tls_ends, [True])
        self.assertEqual(p.stop(), 0)

    def test_mx_lookup_through_the_configured_resolver(self):
        mx_sink = Sink(host="127.0.0.2", port=25)
        self.addCleanup(mx_sink.close)
        dns = DnsZone({"remote.test": "@ MX 10 mx\nmx A 127.0.0.2\n"})
        self.addCleanup(dns.close)
        p = self.server(f'max_age = "1h"\n{dns.config_toml(dnssec=False)}')
        p.start()
        submit(p, ["carol@remote.test"])
        (mail_from, rcpts, data), = mx_sink.wait_for_messages(1)
        self.assertEqual(rcpts, ["carol@remote.test"])
        p.wait_for_log(r"to=<carol@remote\.test>, relay=mx\.remote\.test\[127\.0\.0\.2\]:25, .*"
                       r"status=sent")
        self.assertEqual(p.stop(), 0)

    def test_5xx_bounces_at_once_with_an_rfc3464_dsn(self):
        self.sink.rcpt_replies["bad@remote.test"] = "550 5.1.1 no such user here"
        p = self.server(self.relay())
        p.start()
        submit(p, ["bad@remote.test"])
        p.wait_for_log(r"to=<bad@remote\.test>, .*dsn=5\.1\.1, status=bounced \(")
        msgs = wait_until(lambda: pop_inbox(p), what="the bounce in alice's INBOX")
        self.assertEqual(len(msgs), 1)
        dsn = email.message_from_bytes(msgs[0])
        self.assertEqual(dsn["Return-Path"], "<>")
        self.assertEqual(dsn.get_content_type(), "multipart/report")
        self.assertEqual(dsn.get_param("report-type"), "delivery-status")
        self.assertEqual(dsn["Auto-Submitted"], "auto-replied")
        parts = dsn.get_payload()
        self.assertEqual(parts[1].get_content_type(), "message/delivery-status")
        fields = parts[1].as_string()
        self.assertIn("Final-Recipient: rfc822; bad@remote.test", fields)
        self.assertIn("Action: failed", fields)
        self.assertIn("Status: 5.1.1", fields)
        self.assertIn("Diagnostic-Code: smtp; 550 5.1.1 no such user here", fields)
        self.assertEqual(self.sink.messages, [])
        self.assertEqual(p.stop(), 0)

    def test_4xx_is_retried_then_delivered(self):
        self.sink.rcpt_replies["slow@remote.test"] = "451 4.3.0 try again later"
        p = self.server(self.relay().replace('"3s"', '"1h"'))
        p.start()
        submit(p, ["slow@remote.test"])
        line = p.wait_for_log(r"to=<slow@remote\.test>, .*dsn=4\.3\.0, status=deferred \(")
        qid = line.split("]: ")[1].split(":")[0]
        # The worker logs each recipient's result before it saves the attempt to the
        # queue file, so the file may lag the log line by a moment.
        listed = wait_until(
            lambda: [m for m in json.loads(p.cli("queue", "list", "--format", "json").out)
                     if m["attempts"] == 1] or None,
            what="the attempt saved in the queue file")
        self.assertEqual([m["id"] for m in listed], [qid])
        self.assertEqual(listed[0]["recipients"][0]["address"], "slow@remote.test")
        self.assertEqual(listed[0]["attempts"], 1)
        self.assertIn("slow@remote.test", p.cli("queue", "show", qid).out)
        # The next hop recovers; an admin asks for a retry instead of waiting 5 minutes.
        del self.sink.rcpt_replies["slow@remote.test"]
        self.assertEqual(p.cli("queue", "retry", qid).out, f"{qid}: scheduled for delivery\n")
        self.sink.wait_for_messages(1)
        p.wait_for_log(rf"{qid}: to=<slow@remote\.test>, .*status=sent")
        self.assertEqual(pop_inbox(p), [])  # no bounce
        self.assertEqual(p.stop(), 0)

    def test_4xx_until_max_age_then_bounce(self):
        self.sink.rcpt_replies["slow@remote.test"] = "451 4.3.0 try again later"
        p = self.server(self.relay())  # max_age 3s
        p.start()
        submit(p, ["slow@remote.test"])
        line = p.wait_for_log(r"to=<slow@remote\.test>, .*status=deferred")
        qid = line.split("]: ")[1].split(":")[0]
        time.sleep(3.5)
        p.cli("queue", "retry", qid, check=True)
        p.wait_for_log(rf"{qid}: to=<slow@remote\.test>, relay=none, .*dsn=4\.4\.7, "
                       r"status=bounced \(message expired")
        msgs = wait_until(lambda: pop_inbox(p), what="the expiry bounce")
        fields = email.message_from_bytes(msgs[0]).get_payload()[1].as_string()
        self.assertIn("Action: failed", fields)
        self.assertIn("Status: 4.4.7", fields)
        self.assertEqual(p.stop(), 0)

    def test_null_sender_never_bounces(self):
        self.sink.rcpt_replies["bad@remote.test"] = "550 5.1.1 no such user here"
        p = self.server(self.relay())
        p.start()
        submit(p, ["bad@remote.test"], sender="")
        line = p.wait_for_log(r"to=<bad@remote\.test>, .*status=bounced")
        qid = line.split("]: ")[1].split(":")[0]
        p.wait_for_log(rf"{qid}: removed")
        time.sleep(1.5)  # a bounce would be queued and delivered locally within this
        self.assertEqual(pop_inbox(p), [])
        self.assertEqual(p.cli("queue", "list", "--format", "json").out, "[]\n")
        self.assertEqual(p.stop(), 0)

    def test_hold_release_remove_and_kill9(self):
        self.sink.rcpt_replies["slow@remote.test"] = "451 4.3.0 try again later"
        p = self.server(self.relay().replace('"3s"', '"1h"'))
        p.start()
        submit(p, ["slow@remote.test"])
        line = p.wait_for_log(r"to=<slow@remote\.test>, .*status=deferred")
        qid = line.split("]: ")[1].split(":")[0]
        self.assertEqual(p.cli("queue", "hold", qid).out, f"{qid}: held\n")
        self.assertTrue(json.loads(p.cli("queue", "list", "--format", "json").out)[0]["held"])
        # Acknowledged mail survives kill -9 in the queue.
        p.kill9()
        p.start()
        listed = json.loads(p.cli("queue", "list", "--format", "json").out)
        self.assertEqual([m["id"] for m in listed], [qid])
        self.assertEqual(p.cli("queue", "release", qid).out, f"{qid}: released\n")
        self.assertEqual(p.cli("queue", "remove", qid).out, f"{qid}: removed\n")
        self.assertEqual(p.cli("queue", "list", "--format", "json").out, "[]\n")
        r = p.cli("queue", "show", qid)
        self.assertEqual((r.code, r.err), (1, f"postamt: no such message in the queue: {qid}\n"))
        self.assertEqual(p.stop(), 0)


if __name__ == "__main__":
    unittest.main()
