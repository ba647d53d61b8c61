"""Read receipts end to end against the real binary (docs/read-receipts.md).

Bob sends alice a message asking for a receipt (Disposition-Notification-To: bob, sent
through submission as bob, so Return-Path is bob). Alice downloads it over POP3 (RETR)
or IMAP (FETCH BODY[]); then her "client" (this test) submits its own RFC 8098 receipt
as alice. What reaches bob's INBOX is counted for each policy; the ledger is read with
`postamt receipts list --format json`. Then the abuse cases: a request whose address is
not the Return-Path, a receipt for a receipt, CRLF smuggled into the request and the
Subject, and 1000 requests from a remote sender against the hourly limit.
"""

import email
import email.policy
import imaplib
import json
import poplib
import re
import smtplib
import subprocess
import unittest

from harness import BIN, Postamt
from imap_wire import Wire
from smtp_sink import Sink

PASSWORD = "pw"
_counter = [0]


def new_message_id():
    _counter[0] += 1
    return f"<read-{_counter[0]}@example.org>"


def original(message_id, subject="Plans", dnt="Bob <bob@example.org>", extra=""):
    return (f"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: {subject}\r\n"
            f"Message-ID: {message_id}\r\nDisposition-Notification-To: {dnt}\r\n{extra}"
            f"\r\nLet us meet.\r\n").encode()


def client_receipt(message_id, reporting_ua="laptop.example.org; TestClient", header_fields=""):
    """An RFC 8098 receipt as a mail client writes it for alice. `message_id` None leaves
    out Original-Message-ID; `header_fields` go first in the receipt's own header."""
    original_id = f"Original-Message-ID: {message_id}\r\n" if message_id else ""
    return (f"{header_fields}"
            "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: Read: Plans\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
            ' boundary="rb"\r\n\r\n'
            "--rb\r\nContent-Type: text/plain\r\n\r\nYour message was displayed.\r\n"
            "--rb\r\nContent-Type: message/disposition-notification\r\n\r\n"
            f"Reporting-UA: {reporting_ua}\r\n"
            "Final-Recipient: rfc822; alice@example.org\r\n"
            f"{original_id}"
            "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
            "\r\n--rb--\r\n").encode()


def submit(p, user, sender, rcpts, body):
    host, port = p.address("submission")
    with smtplib.SMTP(host, port, timeout=20) as s:
        s.login(user, PASSWORD)
        return s.sendmail(sender, rcpts, body)


def imap_login(p, user):
    c = imaplib.IMAP4(*p.address("imap"))
    c.login(user, PASSWORD)
    return c


def receipts_in(p, user, message_id):
    """Receipts in `user`'s INBOX whose Original-Message-ID is `message_id`, parsed.
    Read with BODY.PEEK so that reading them reports no download."""
    return messages_in(p, user, f"Original-Message-ID: {message_id}\r\n".encode())


def messages_in(p, user, needle):
    """The raw messages in `user`'s INBOX that contain the bytes `needle` (BODY.PEEK)."""
    c = imap_login(p, user)
    c.select("INBOX")
    typ, data = c.uid("SEARCH", None, "ALL")
    found = []
    for uid in data[0].split():
        typ, parts = c.uid("FETCH", uid, "(BODY.PEEK[])")
        raw = parts[0][1]
        if needle in raw:
            found.append(raw)
    c.logout()
    return found


def is_server_receipt(raw):
    return b"Reporting-UA: mail.example.test; Postamt\r\n" in raw and \
        b"automatic-action/MDN-sent-automatically; displayed" in raw


def is_client_receipt(raw):
    return b"Reporting-UA: laptop.example.org; TestClient\r\n" in raw


def logged(line):
    """A log line's text after `postamt/<service>[pid]: `, checked to have that shape."""
    m = re.fullmatch(r"\S+ \S+ postamt/\w+\[\d+\]: (.*)", line)
    assert m, line
    return m.group(1)


class ReceiptsTest(unittest.TestCase):
    """One server for the policy matrix: every scenario uses its own Message-ID, and the
    policy is changed with `postamt receipts policy set` while the server runs (the
    engine reads overrides at each decision)."""

    @classmethod
    def setUpClass(cls):
        cls.p = Postamt(services=("smtp", "submission", "pop3", "imap"))
        p = cls.p
        # Debug level shows the "policy off" decision too (a top-level key, so first).
        with open(p.config) as f:
            p.write_config('log_level = "debug"\n' + f.read())
        p.cli("domain", "add", "example.org", check=True)
        for user in ("alice@example.org", "bob@example.org"):
            p.cli("user", "add", user, "--password-stdin", input=PASSWORD + "\n", check=True)
        p.start()

    @classmethod
    def tearDownClass(cls):
        try:
            assert cls.p.stop() == 0
        finally:
            cls.p.close()

    def setUp(self):
        for key in ("on_download", "one_per_recipient", "duplicates"):
            self.p.cli("receipts", "policy", "unset", "--user", "alice@example.org", key)

    def policy(self, **settings):
        for key, value in settings.items():
            self.p.cli("receipts", "policy", "set", "--user", "alice@example.org", key, value,
                       check=True)

    def ledger(self, user):
        out = self.p.cli("receipts", "list", "--user", user, "--format", "json", check=True).out
        return json.loads(out)

    def bob_sends(self, message_id, **kw):
        self.assertEqual(submit(self.p, "bob@example.org", "bob@example.org",
                                ["alice@example.org"], original(message_id, **kw)), {})

    def alice_reads(self, transport, message_id, delete=False):
        """Downloads the message over `transport` and returns the engine's decision line.
        With `delete`, POP3 deletes it right after RETR (DELE, QUIT), as download-and-
        delete clients do; the engine answers from the bytes the download named."""
        mark = len(self.p.log_lines)
        if transport == "pop3":
            c = poplib.POP3(*self.p.address("pop3"), timeout=20)
            c.user("alice@example.org")
            c.pass_(PASSWORD)
            # TOP reports no download (only RETR does): find the scenario's message.
            wanted = [i for i in range(1, c.stat()[0] + 1)
                      if f"Message-ID: {message_id}".encode() in c.top(i, 0)[1]]
            self.assertEqual(len(wanted), 1)
            lines = c.retr(wanted[0])[1]
            self.assertIn(f"Message-ID: {message_id}".encode(), lines)
            if delete:
                c.dele(wanted[0])
            c.quit()
        else:
            c = imap_login(self.p, "alice@example.org")
            c.select("INBOX")
            typ, data = c.uid("SEARCH", None, "HEADER", "Message-ID", message_id)
            uids = data[0].split()
            self.assertEqual(len(uids), 1)
            typ, parts = c.uid("FETCH", uids[0], "(BODY[])")
            self.assertEqual(typ, "OK")
            self.assertIn(f"Message-ID: {message_id}".encode(), parts[0][1])
            c.logout()
        # With the policy off the engine does not even read the message (message_id=none);
        # this is the only download since `mark`, so the line is still the right one.
        escaped = re.escape(message_id)
        return self.p.wait_for_log(
            rf"postamt/mdn\[\d+\]: account=alice@example\.org uid=\d+ "
            rf"message_id=({escaped}|none) .*receipt on download: ", start=mark)

    def alice_client_receipt(self, message_id, **kw):
        """Submits the client's receipt; returns None on 250, else the SMTP error."""
        try:
            submit(self.p, "alice@example.org", "alice@example.org", ["bob@example.org"],
                   client_receipt(message_id, **kw))
            return None
        except smtplib.SMTPDataError as e:
            return e

    def alice_uid(self, message_id):
        c = imap_login(self.p, "alice@example.org")
        c.select("INBOX")
        typ, data = c.uid("SEARCH", None, "HEADER", "Message-ID", message_id)
        c.logout()
        uids = data[0].split()
        self.assertEqual(len(uids), 1)
        return int(uids[0])

    def sent_records(self, message_id):
        return [r for r in self.ledger("alice@example.org")["sent"]
                if r["message_id"] == message_id]

    # ---- the policy matrix --------------------------------------------------------
    def test_default_bob_gets_exactly_the_clients_receipt(self):
        for transport in ("pop3", "imap"):
            with self.subTest(transport=transport):
                mid = new_message_id()
                self.bob_sends(mid)
                line = self.alice_reads(transport, mid)
                self.assertIn("receipt on download: not sent (policy off)", line)
                self.assertIsNone(self.alice_client_receipt(mid))
                got = receipts_in(self.p, "bob@example.org", mid)
                self.assertEqual(len(got), 1)
                self.assertTrue(is_client_receipt(got[0]))
                records = self.sent_records(mid)
                self.assertEqual([(r["path"], r["requester"], r["disposition"]) for r in records],
                                 [("client_submission", "bob@example.org", "displayed")])
                received = [r for r in self.ledger("bob@example.org")["received"]
                            if r["message_id"] == mid]
                self.assertEqual([(r["final_recipient"], r["disposition"]) for r in received],
                                 [("alice@example.org", "displayed")])

    def test_displayed_sends_the_servers_receipt_and_suppresses_the_clients(self):
        for transport in ("pop3", "imap"):
            for duplicates in ("drop", "reject"):
                with self.subTest(transport=transport, duplicates=duplicates):
                    self.policy(on_download="displayed", duplicates=duplicates)
                    mid = new_message_id()
                    self.bob_sends(mid)
                    line = self.alice_reads(transport, mid)
                    self.assertIn("requester=bob@example.org receipt on download: sent "
                                  "(delivered locally)", line)
                    mark = len(self.p.log_lines)
                    error = self.alice_client_receipt(mid)
                    if duplicates == "drop":
                        self.assertIsNone(error)
                        self.p.wait_for_log(r"client receipt: suppressed duplicate \(dropped\), "
                                            r"already sent by server_on_download", start=mark)
                        self.p.wait_for_log(r"status=dropped \(nothing delivered\)", start=mark)
                    else:
                        self.assertEqual(error.smtp_code, 550)
                        self.assertEqual(
                            error.smtp_error,
                            f"5.7.1 A read receipt was already sent for {mid}".encode())
                    got = receipts_in(self.p, "bob@example.org", mid)
                    self.assertEqual(len(got), 1)
                    self.assertTrue(is_server_receipt(got[0]), got[0][:600])
                    self.assertEqual([r["path"] for r in self.sent_records(mid)],
                                     ["server_on_download"])

    def test_a_suppressed_duplicate_download_logs_the_requester(self):
        """The client's receipt came first; the server's decision on each later download
        names bob, the Disposition-Notification-To address, not "none"."""
        mid = new_message_id()
        self.bob_sends(mid)
        uid = self.alice_uid(mid)
        self.assertIsNone(self.alice_client_receipt(mid))
        self.policy(on_download="displayed")
        for transport in ("pop3", "imap"):
            with self.subTest(transport=transport):
                line = self.alice_reads(transport, mid)
                self.assertEqual(logged(line),
                                 f"account=alice@example.org uid={uid} message_id={mid} "
                                 "requester=bob@example.org receipt on download: suppressed "
                                 "duplicate (already sent)")
        got = receipts_in(self.p, "bob@example.org", mid)
        self.assertEqual(len(got), 1)
        self.assertTrue(is_client_receipt(got[0]))

    def test_pop3_download_and_delete_still_gets_one_receipt(self):
        self.policy(on_download="displayed")
        mid = new_message_id()
        self.bob_sends(mid)
        line = self.alice_reads("pop3", mid, delete=True)
        self.assertIn("requester=bob@example.org receipt on download: sent", line)
        got = receipts_in(self.p, "bob@example.org", mid)
        self.assertEqual(len(got), 1)
        self.assertTrue(is_server_receipt(got[0]))
        self.assertEqual([r["path"] for r in self.sent_records(mid)], ["server_on_download"])

    def test_legacy_setting_sends_two(self):
        for transport in ("pop3", "imap"):
            with self.subTest(transport=transport):
                self.policy(on_download="displayed", one_per_recipient="false")
                mid = new_message_id()
                self.bob_sends(mid)
                self.assertIn("receipt on download: sent", self.alice_reads(transport, mid))
                self.assertIsNone(self.alice_client_receipt(mid))
                got = receipts_in(self.p, "bob@example.org", mid)
                self.assertEqual(len(got), 2)
                self.assertEqual(sorted([is_server_receipt(g) for g in got]), [False, True])
                self.assertEqual(sorted(r["path"] for r in self.sent_records(mid)),
                                 ["client_submission", "server_on_download"])

    def test_mdnsent_is_visible_over_imap_after_the_servers_receipt(self):
        self.policy(on_download="displayed")
        mid = new_message_id()
        self.bob_sends(mid)
        self.alice_reads("imap", mid)
        c = imap_login(self.p, "alice@example.org")
        c.select("INBOX")
        typ, data = c.uid("SEARCH", None, "KEYWORD", "$MDNSent", "HEADER", "Message-ID", mid)
        self.assertEqual(len(data[0].split()), 1)
        typ, parts = c.uid("FETCH", data[0], "(FLAGS)")
        self.assertIn(b"$MDNSent", parts[0])
        c.logout()

    def test_two_imap_clients_racing_to_set_mdnsent_one_wins(self):
        mid = new_message_id()
        self.bob_sends(mid)
        clients = [Wire(self.p.address("imap")) for _ in range(2)]
        modseqs = []
        for w in clients:
            w.login("alice@example.org", PASSWORD)
            w.command(b"SELECT INBOX (CONDSTORE)")
            lines = w.command(b"UID SEARCH HEADER Message-ID " + mid.encode())
            uid = int(lines[0].split()[-1])
            lines = w.command(f"UID FETCH {uid} (MODSEQ)".encode())
            modseqs.append(int(re.search(rb"MODSEQ \((\d+)\)", lines[0]).group(1)))
        # Both clients saw the same state; both now try to claim the receipt.
        self.assertEqual(modseqs[0], modseqs[1])
        store = f"UID STORE {uid} (UNCHANGEDSINCE {modseqs[0]}) +FLAGS ($MDNSent)".encode()
        won = clients[0].command(store)
        self.assertEqual(clients[0].tagged, b"OK UID STORE completed")
        self.assertEqual(len(won), 1)
        self.assertIn(b"$MDNSent", won[0])
        # RFC 7162 §3.1.3: the loser is told the message was modified meanwhile.
        clients[1].command(store)
        self.assertEqual(clients[1].tagged, f"OK [MODIFIED {uid}] UID STORE completed".encode())
        for w in clients:
            w.close()

    # ---- receipts without Original-Message-ID ----------------------------------------
    def test_without_original_message_id_in_reply_to_identifies_the_original(self):
        """Two client receipts that leave out Original-Message-ID but answer the original
        in In-Reply-To: bob gets one; the second is dropped or rejected."""
        for duplicates in ("drop", "reject"):
            with self.subTest(duplicates=duplicates):
                self.policy(duplicates=duplicates)
                mid = new_message_id()
                self.bob_sends(mid)
                fields = f"In-Reply-To: {mid}\r\nReferences: <thread@example.org> {mid}\r\n"
                mark = len(self.p.log_lines)
                self.assertIsNone(self.alice_client_receipt(None, header_fields=fields))
                line = self.p.wait_for_log(
                    rf"message_id={re.escape(mid)} .*client receipt: sent", start=mark)
                self.assertEqual(logged(line),
                                 f"account=alice@example.org message_id={mid} "
                                 "to=bob@example.org matched_by=in-reply-to "
                                 "disposition=displayed client receipt: sent (recorded)")
                mark = len(self.p.log_lines)
                error = self.alice_client_receipt(None, header_fields=fields)
                line = self.p.wait_for_log(
                    rf"message_id={re.escape(mid)} .*client receipt: suppressed", start=mark)
                if duplicates == "drop":
                    self.assertIsNone(error)
                    verdict = "dropped"
                else:
                    self.assertEqual(error.smtp_code, 550)
                    self.assertEqual(error.smtp_error,
                                     f"5.7.1 A read receipt was already sent for {mid}".encode())
                    verdict = "rejected"
                self.assertEqual(logged(line),
                                 f"account=alice@example.org message_id={mid} "
                                 f"to=bob@example.org matched_by=in-reply-to client receipt: "
                                 f"suppressed duplicate ({verdict}), already sent by "
                                 "client_submission to bob@example.org")
                got = messages_in(self.p, "bob@example.org", f"In-Reply-To: {mid}\r\n".encode())
                self.assertEqual(len(got), 1)
                self.assertTrue(is_client_receipt(got[0]))
                self.assertEqual([(r["path"], r["requester"], r["matched_by"])
                                  for r in self.sent_records(mid)],
                                 [("client_submission", "bob@example.org", "in-reply-to")])
                text = self.p.cli("receipts", "list", "--user", "alice@example.org",
                                  check=True).out
                self.assertRegex(text, rf"(?m)^sent     \S+ alice@example\.org -> "
                                       rf"bob@example\.org {re.escape(mid)} displayed "
                                       rf"client_submission in-reply-to$")
                # The original is latched: the server will not answer it either.
                self.policy(on_download="displayed")
                self.assertIn("receipt on download: suppressed duplicate (already sent)",
                              self.alice_reads("imap", mid))
                self.policy(on_download="off")

    def test_without_original_message_id_the_last_reference_identifies_the_original(self):
        mid = new_message_id()
        self.bob_sends(mid)
        fields = f"References: <thread@example.org>\r\n {mid}\r\n"
        self.assertIsNone(self.alice_client_receipt(None, header_fields=fields))
        self.assertIsNone(self.alice_client_receipt(None, header_fields=fields))
        got = messages_in(self.p, "bob@example.org", f"<thread@example.org>\r\n {mid}\r\n".encode())
        self.assertEqual(len(got), 1)
        self.assertEqual([r["matched_by"] for r in self.sent_records(mid)], ["references"])

    def test_a_receipt_that_matches_nothing_is_delivered_and_logged_unmatched(self):
        """Nothing names a message of alice's: each such receipt reaches bob, and each is
        logged and kept in the ledger as unmatched."""
        nowhere = new_message_id().replace("read-", "nowhere-")
        fields = f"In-Reply-To: {nowhere}\r\n"
        before = [r for r in self.ledger("alice@example.org")["sent"]
                  if r["matched_by"] == "unmatched"]
        mark = len(self.p.log_lines)
        for _ in range(2):
            self.assertIsNone(self.alice_client_receipt(None, header_fields=fields))
        got = messages_in(self.p, "bob@example.org", f"In-Reply-To: {nowhere}\r\n".encode())
        self.assertEqual(len(got), 2)
        # The log reader runs in its own thread: wait until it has both decisions.
        first = self.p.wait_for_log(r"client receipt: ", start=mark)
        self.p.wait_for_log(r"client receipt: ", start=self.p.log_lines.index(first, mark) + 1)
        lines = [logged(l) for l in self.p.log_lines[mark:] if "client receipt:" in l]
        self.assertEqual(lines, ["account=alice@example.org message_id=none to=bob@example.org "
                                 "matched_by=unmatched disposition=displayed client receipt: "
                                 "sent (unmatched)"] * 2)
        after = [r for r in self.ledger("alice@example.org")["sent"]
                 if r["matched_by"] == "unmatched"]
        self.assertEqual(len(after), len(before) + 2)
        self.assertEqual({(r["message_id"], r["requester"], r["path"]) for r in after},
                         {("", "bob@example.org", "client_submission")})

    # ---- abuse ----------------------------------------------------------------------
    def test_request_not_matching_return_path_gets_no_automatic_receipt(self):
        self.policy(on_download="displayed")
        mid = new_message_id()
        self.bob_sends(mid, dnt="<alice@example.org>")
        line = self.alice_reads("pop3", mid)
        self.assertIn("requester=none receipt on download: not sent (return-path-mismatch)", line)
        self.assertEqual(self.sent_records(mid), [])
        self.assertEqual(receipts_in(self.p, "alice@example.org", mid), [])

    def test_no_receipt_for_a_receipt(self):
        self.policy(on_download="displayed")
        mid = new_message_id()
        # Bob's client sends alice a receipt that itself asks for one.
        body = client_receipt("<other@example.org>").replace(
            b"From: alice@example.org\r\nTo: bob@example.org\r\n",
            b"From: bob@example.org\r\nTo: alice@example.org\r\nMessage-ID: " + mid.encode() +
            b"\r\nDisposition-Notification-To: bob@example.org\r\n")
        submit(self.p, "bob@example.org", "bob@example.org", ["alice@example.org"], body)
        line = self.alice_reads("pop3", mid)
        self.assertIn("receipt on download: not sent (is-report)", line)
        self.assertEqual(self.sent_records(mid), [])

    def test_crlf_in_request_or_subject_injects_no_header(self):
        self.policy(on_download="displayed")
        mid = new_message_id()
        # RFC 2047 encoded words that decode to CR LF followed by a header line.
        self.bob_sends(mid, subject="=?utf-8?q?Plans=0D=0ABcc:_victim@remote.test?=",
                       dnt="=?utf-8?q?Bob=0D=0AX-Injected=3A_yes?= <bob@example.org>")
        self.assertIn("receipt on download: sent", self.alice_reads("imap", mid))
        got = receipts_in(self.p, "bob@example.org", mid)
        self.assertEqual(len(got), 1)
        raw = got[0]
        header = raw.split(b"\r\n\r\n", 1)[0]
        names = [line.split(b":", 1)[0] for line in header.split(b"\r\n")
                 if not line.startswith((b" ", b"\t"))]
        self.assertEqual(names, [b"Return-Path", b"From", b"To", b"Subject", b"Date",
                                 b"Message-ID", b"MIME-Version", b"Auto-Submitted",
                                 b"Content-Type"])
        self.assertIn(b"\r\nTo: bob@example.org\r\n", header)
        # The decoded line break became spaces inside the one Subject line.
        self.assertIn(b"\r\nSubject: Read receipt (displayed): Plans  Bcc: victim@remote.test\r\n",
                      header)
        self.assertNotRegex(raw, rb"(?im)^(bcc|x-injected):")


    # ---- receipts that arrive -------------------------------------------------------
    def test_incoming_receipts_are_recorded_for_the_sender(self):
        """RFC 8098 receipts from outside, over MX and through `postamt deliver`, land in
        bob's ledger against his sent message's Message-ID."""
        mid, other = new_message_id(), new_message_id()
        remote = client_receipt(mid).replace(b"alice@example.org", b"carol@remote.test")
        with smtplib.SMTP(*self.p.address("smtp"), timeout=20) as s:
            self.assertEqual(s.sendmail("", ["bob@example.org"], remote), {})
        proc = subprocess.run([BIN, "--config", self.p.config, "deliver", "bob@example.org"],
                              input=client_receipt(other).replace(b"alice@example.org",
                                                                  b"dave@remote.test"),
                              capture_output=True, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        received = {r["message_id"]: (r["final_recipient"], r["disposition"])
                    for r in self.ledger("bob@example.org")["received"]}
        self.assertEqual(received.get(mid), ("carol@remote.test", "displayed"))
        self.assertEqual(received.get(other), ("dave@remote.test", "displayed"))


class ShutdownTest(unittest.TestCase):
    def test_pending_receipts_finish_or_are_abandoned_never_doubled(self):
        p = Postamt(services=("submission", "pop3"),
                    extra_config='[receipts]\non_download = "displayed"\n')
        self.addCleanup(p.close)
        p.cli("domain", "add", "example.org", check=True)
        for user in ("alice@example.org", "bob@example.org"):
            p.cli("user", "add", user, "--password-stdin", input=PASSWORD + "\n", check=True)
        p.start()
        count = 30
        host, port = p.address("submission")
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.login("bob@example.org", PASSWORD)
            for i in range(count):
                s.sendmail("bob@example.org", ["alice@example.org"],
                           original(f"<shutdown-{i}@example.org>"))
        c = poplib.POP3(*p.address("pop3"), timeout=20)
        c.user("alice@example.org")
        c.pass_(PASSWORD)
        for i in range(1, count + 1):
            c.retr(i)
        c.quit()
        # SIGTERM while receipt work may still be queued.
        self.assertEqual(p.stop(), 0)
        ledger = json.loads(p.cli("receipts", "list", "--format", "json", check=True).out)
        sent = sorted(r["message_id"] for r in ledger["sent"])
        delivered = sorted(r["message_id"] for r in ledger["received"])
        # Each claimed receipt was delivered exactly once (bob's ledger records what
        # arrived); none is claimed or delivered twice.
        self.assertEqual(sent, delivered)
        self.assertEqual(len(set(sent)), len(sent))
        self.assertLessEqual(len(sent), count)


class RemoteRateLimitTest(unittest.TestCase):
    """1000 messages whose sender asks for a receipt: the server's own receipts to the
    remote requester stop at [receipts] max_remote_per_hour, each suppressed one logged."""

    LIMIT = 20
    COUNT = 1000

    def test_receipts_to_a_remote_requester_are_rate_limited(self):
        sink = Sink()
        self.addCleanup(sink.close)
        p = Postamt(services=("smtp", "pop3"),
                    extra_config=(f'[outbound]\nrelay = "127.0.0.1:{sink.address[1]}"\n'
                                  f'[receipts]\non_download = "displayed"\n'
                                  f"max_remote_per_hour = {self.LIMIT}\n"))
        self.addCleanup(p.close)
        p.cli("domain", "add", "example.org", check=True)
        p.cli("user", "add", "alice@example.org", "--password-stdin", input=PASSWORD + "\n",
              check=True)
        p.start()
        # One SMTP session on the MX listener: the envelope sender becomes Return-Path,
        # equal to the request, so every message allows an automatic receipt.
        with smtplib.SMTP(*p.address("smtp"), timeout=60) as s:
            for i in range(self.COUNT):
                s.sendmail("carol@remote.test", ["alice@example.org"],
                           (f"From: carol@remote.test\r\nTo: alice@example.org\r\n"
                            f"Subject: n{i}\r\nMessage-ID: <bulk-{i}@remote.test>\r\n"
                            f"Disposition-Notification-To: carol@remote.test\r\n\r\nx\r\n")
                           .encode())
        mark = len(p.log_lines)
        c = poplib.POP3(*p.address("pop3"), timeout=60)
        c.user("alice@example.org")
        c.pass_(PASSWORD)
        self.assertEqual(c.stat()[0], self.COUNT)
        for i in range(1, self.COUNT + 1):
            c.retr(i)
        c.quit()
        sent = sink.wait_for_messages(self.LIMIT)
        limited = rf"receipt on download: rate limited \(max_remote_per_hour={self.LIMIT}\)"
        # Every download gets exactly one decision line; wait for the last one.
        p.wait_for_log(r"message_id=<bulk-999@remote\.test> .*receipt on download: ",
                       timeout=60, start=mark)

        def decisions(pattern):
            return [l for l in p.log_lines[mark:] if re.search(pattern, l)]
        self.assertEqual(len(decisions(r"receipt on download: sent \(queued as ")), self.LIMIT)
        self.assertEqual(len(decisions(limited)), self.COUNT - self.LIMIT)
        ledger = json.loads(p.cli("receipts", "list", "--format", "json", check=True).out)
        self.assertEqual(len(ledger["sent"]), self.LIMIT)
        self.assertEqual({r["requester"] for r in ledger["sent"]}, {"carol@remote.test"})
        sent = sink.wait_for_messages(self.LIMIT)
        self.assertEqual(len(sent), self.LIMIT)
        for mail_from, rcpts, data in sent:
            self.assertEqual((mail_from, rcpts), ("", ["carol@remote.test"]))
            self.assertIn(b"report-type=disposition-notification", data)
        self.assertEqual(p.stop(), 0)


if __name__ == "__main__":
    unittest.main()
