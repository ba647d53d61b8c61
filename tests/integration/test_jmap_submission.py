"""JMAP EmailSubmission (RFC 8621 §7) against the real binary: the §7.5 example flow to a
local recipient (one copy, read over IMAP), Bcc stripped, a remote recipient through the
outbound queue with its deliveryStatus, the sender checks (forbiddenFrom,
forbiddenMailFrom, noRecipients), /get, /changes, /query, and a read receipt sent twice
of which the receipt policy drops the second."""

import imaplib
import json
import time
import unittest

from harness import Postamt
from smtp_sink import Sink
from test_imap_commands import OTHER, OTHER_PASSWORD, PASSWORD, USER, cheap_hash
from test_jmap import Base
from jmap_client import Jmap

CAROL = "carol@example.org"
CAROL_PASSWORD = "carol pw"


def wait_until(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class SubmissionBase(Base):
    def imap_messages(self, user, password, mailbox="INBOX"):
        """Every message of `mailbox`, read with BODY.PEEK (no download is reported)."""
        c = imaplib.IMAP4(*self.p.address("imap"))
        try:
            c.login(user, password)
            typ, count = c.select(mailbox, readonly=True)
            self.assertEqual(typ, "OK")
            if count == [b"0"]:
                return []
            typ, data = c.fetch("1:*", "(BODY.PEEK[])")
            self.assertEqual(typ, "OK")
            return [part[1] for part in data if isinstance(part, tuple)]
        finally:
            c.logout()

    def identity(self, c):
        [identity] = c.one("Identity/get", {})["list"]
        return identity["id"]

    def import_draft(self, c, raw):
        drafts = self.mailboxes(c)["Drafts"]["id"]
        status, _, body = c.request("POST", f"/jmap/upload/{c.account_id}/", body=raw,
                                    headers={"Content-Type": "message/rfc822"})
        self.assertEqual(status, 201, body)
        blob = json.loads(body)["blobId"]
        r = c.one("Email/import", {"emails": {"d": {"blobId": blob, "mailboxIds": {drafts: True},
                                                    "keywords": {"$draft": True}}}})
        return r["created"]["d"]["id"]

    def submit(self, c, email_id, **extra):
        create = {"identityId": self.identity(c), "emailId": email_id}
        create.update(extra)
        return c.one("EmailSubmission/set", {"create": {"s": create}})


class LocalSubmission(SubmissionBase):
    def test_rfc8621_example_flow_moves_the_draft_to_sent_and_delivers_one_copy(self):
        c = self.jmap()
        boxes = self.mailboxes(c)
        drafts, sent = boxes["Drafts"]["id"], boxes["Sent"]["id"]
        identity = self.identity(c)
        self.assertEqual(identity, "I" + c.account_id[1:])
        out = c.call(
            ["Email/set", {"accountId": c.account_id, "create": {"k1": {
                "mailboxIds": {drafts: True}, "keywords": {"$draft": True, "$seen": True},
                "from": [{"name": "Alice", "email": USER}], "to": [{"email": OTHER}],
                "subject": "Plans", "messageId": ["plans-1@example.org"],
                "bodyValues": {"b": {"value": "See you at noon."}},
                "textBody": [{"partId": "b", "type": "text/plain"}]}}}, "0"],
            ["EmailSubmission/set", {
                "accountId": c.account_id,
                "create": {"k1490": {"identityId": identity, "emailId": "#k1",
                                     "envelope": {"mailFrom": {"email": USER},
                                                  "rcptTo": [{"email": OTHER}]}}},
                "onSuccessUpdateEmail": {"#k1490": {f"mailboxIds/{drafts}": None,
                                                    f"mailboxIds/{sent}": True,
                                                    "keywords/$draft": None}}}, "1"])
        self.assertEqual([(name, cid) for name, _, cid in out],
                         [("Email/set", "0"), ("EmailSubmission/set", "1"), ("Email/set", "1")])
        email_id = out[0][1]["created"]["k1"]["id"]
        created = out[1][1]["created"]["k1490"]
        self.assertRegex(created["id"], r"^S[1-9][0-9]*$")
        self.assertEqual(created["undoStatus"], "final")
        self.assertEqual(created["threadId"], out[0][1]["created"]["k1"]["threadId"])
        self.assertRegex(created["sendAt"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIsNone(out[1][1]["notCreated"])
        self.assertEqual(out[2][1]["updated"], {email_id: None})
        got = c.one("Email/get", {"ids": [email_id], "properties": ["mailboxIds", "keywords"]})
        self.assertEqual(got["list"][0]["mailboxIds"], {sent: True})
        self.assertEqual(got["list"][0]["keywords"], {"$seen": True})
        # Exactly one copy for bob, none extra for alice: the draft itself is the sent copy.
        [copy] = self.imap_messages(OTHER, OTHER_PASSWORD)
        self.assertIn(b"Message-ID: <plans-1@example.org>\r\n", copy)
        self.assertIn(b"See you at noon.", copy)
        self.assertTrue(copy.startswith(b"Return-Path: <alice@example.org>\r\nReceived: by "),
                        copy[:200])
        self.assertEqual(len(self.imap_messages(USER, PASSWORD, "Sent")), 1)
        self.assertEqual(self.imap_messages(USER, PASSWORD, "Drafts"), [])
        self.assertEqual(self.imap_messages(USER, PASSWORD), [])
        status = c.one("EmailSubmission/get", {"ids": [created["id"]]})["list"][0]
        self.assertEqual(status["deliveryStatus"], {OTHER: {
            "smtpReply": "250 2.0.0 delivered", "delivered": "yes", "displayed": "unknown"}})
        self.assertEqual(status["envelope"], {"mailFrom": {"email": USER, "parameters": None},
                                              "rcptTo": [{"email": OTHER, "parameters": None}]})
        self.assertEqual((status["emailId"], status["identityId"]), (email_id, identity))
        self.assertEqual((status["dsnBlobIds"], status["mdnBlobIds"]), ([], []))

    def test_bcc_recipient_gets_the_message_without_any_bcc_field(self):
        self.p.cli("user", "add", CAROL, "--password-hash", cheap_hash(CAROL_PASSWORD),
                   check=True)
        c = self.jmap()
        raw = (f"From: {USER}\r\nTo: {CAROL}\r\nBcc: {OTHER}\r\nSubject: secret\r\n"
               "Message-ID: <bcc-1@example.org>\r\n\r\nhidden copy\r\n").encode()
        email_id = self.import_draft(c, raw)
        # The envelope is derived from To, Cc and Bcc (§7.5); "#s" names the submission.
        out = c.call(["EmailSubmission/set", {
            "accountId": c.account_id, "onSuccessDestroyEmail": ["#s"],
            "create": {"s": {"identityId": self.identity(c), "emailId": email_id}}}, "b"])
        self.assertEqual([(name, cid) for name, _, cid in out],
                         [("EmailSubmission/set", "b"), ("Email/set", "b")])
        sid = out[0][1]["created"]["s"]["id"]
        self.assertEqual(out[1][1]["destroyed"], [email_id])
        self.assertEqual(self.imap_messages(USER, PASSWORD, "Drafts"), [])
        [to_carol] = self.imap_messages(CAROL, CAROL_PASSWORD)
        [to_bob] = self.imap_messages(OTHER, OTHER_PASSWORD)
        for copy in (to_carol, to_bob):
            self.assertNotIn(b"\nBcc:", copy)
            self.assertNotIn(OTHER.encode() + b"\r\nSubject", copy)
            self.assertIn(b"To: carol@example.org\r\nSubject: secret\r\n", copy)
        got = c.one("EmailSubmission/get", {"ids": [sid], "properties": ["envelope"]})
        self.assertEqual(got["list"][0], {"id": sid, "envelope": {
            "mailFrom": {"email": USER, "parameters": None},
            "rcptTo": [{"email": CAROL, "parameters": None},
                       {"email": OTHER, "parameters": None}]}})

    def test_from_the_account_does_not_own_is_forbidden(self):
        c = self.jmap()
        raw = (f"From: {OTHER}\r\nTo: {OTHER}\r\nSubject: fake\r\n\r\nx\r\n").encode()
        email_id = self.import_draft(c, raw)
        r = self.submit(c, email_id, envelope={"mailFrom": {"email": USER},
                                               "rcptTo": [{"email": OTHER}]})
        self.assertEqual(r["notCreated"]["s"]["type"], "forbiddenFrom")
        self.assertEqual(r["notCreated"]["s"]["description"],
                         "From header address <bob@example.org> is not owned by user "
                         "alice@example.org")
        r = self.submit(c, email_id)  # the envelope sender derived from From is bob too
        self.assertEqual(r["notCreated"]["s"]["type"], "forbiddenMailFrom")
        self.assertEqual(self.imap_messages(OTHER, OTHER_PASSWORD), [])
        self.assertEqual(c.one("EmailSubmission/get", {})["list"], [])

    def test_no_recipients_and_invalid_recipients(self):
        c = self.jmap()
        email_id = self.import_draft(c, f"From: {USER}\r\nSubject: nobody\r\n\r\nx\r\n".encode())
        r = self.submit(c, email_id)
        self.assertEqual(r["notCreated"]["s"]["type"], "noRecipients")
        r = self.submit(c, email_id, envelope={"mailFrom": {"email": USER},
                                               "rcptTo": [{"email": "nobody@example.org"},
                                                          {"email": "not an address"}]})
        self.assertEqual(r["notCreated"]["s"]["type"], "invalidRecipients")
        self.assertEqual(r["notCreated"]["s"]["invalidRecipients"], ["not an address"])
        r = self.submit(c, email_id, envelope={"mailFrom": {"email": USER},
                                               "rcptTo": [{"email": "nobody@example.org"}]})
        self.assertEqual(r["notCreated"]["s"]["type"], "invalidRecipients")
        self.assertEqual(r["notCreated"]["s"]["invalidRecipients"], ["nobody@example.org"])
        r = self.submit(c, "Mnope")
        self.assertEqual(r["notCreated"]["s"]["type"], "invalidProperties")
        self.assertEqual(r["notCreated"]["s"]["properties"], ["emailId"])

    def test_get_changes_query_update_and_destroy(self):
        c = self.jmap()
        before = c.one("EmailSubmission/get", {"ids": []})["state"]
        e1 = self.import_draft(c, f"From: {USER}\r\nTo: {OTHER}\r\nSubject: a\r\n\r\n1\r\n".encode())
        e2 = self.import_draft(c, f"From: {USER}\r\nTo: {OTHER}\r\nSubject: b\r\n\r\n2\r\n".encode())
        s1 = self.submit(c, e1)["created"]["s"]["id"]
        s2 = self.submit(c, e2)["created"]["s"]["id"]
        ch = c.one("EmailSubmission/changes", {"sinceState": before})
        self.assertEqual((ch["created"], ch["updated"], ch["destroyed"]), ([s1, s2], [], []))
        self.assertFalse(ch["hasMoreChanges"])
        got = c.one("EmailSubmission/get", {"ids": None, "properties": ["emailId", "undoStatus"]})
        self.assertEqual(got["list"], [{"id": s1, "emailId": e1, "undoStatus": "final"},
                                       {"id": s2, "emailId": e2, "undoStatus": "final"}])
        self.assertEqual(got["notFound"], [])
        q = c.one("EmailSubmission/query", {"filter": {"emailIds": [e2]}})
        self.assertEqual(q["ids"], [s2])
        self.assertFalse(q["canCalculateChanges"])
        q = c.one("EmailSubmission/query", {"sort": [{"property": "emailId", "isAscending": False}]})
        self.assertEqual(q["ids"], sorted([s1, s2], key=lambda s: {s1: e1, s2: e2}[s], reverse=True))
        q = c.one("EmailSubmission/query", {"filter": {"undoStatus": "pending"}})
        self.assertEqual(q["ids"], [])
        q = c.one("EmailSubmission/query", {"filter": {"before": "2000-01-01T00:00:00Z"}})
        self.assertEqual(q["ids"], [])
        [(name, args, _)] = c.call(["EmailSubmission/queryChanges",
                                    {"accountId": c.account_id, "sinceQueryState": q["queryState"]},
                                    "q"])
        self.assertEqual((name, args["type"]), ("error", "cannotCalculateChanges"))
        r = c.one("EmailSubmission/set", {"update": {s1: {"undoStatus": "canceled"}}})
        self.assertEqual(r["notUpdated"][s1]["type"], "cannotUnsend")
        middle = c.one("EmailSubmission/get", {"ids": []})["state"]
        out = c.call(["EmailSubmission/set", {"accountId": c.account_id, "destroy": [s1],
                                              "onSuccessDestroyEmail": [s1]}, "d"])
        self.assertEqual([(name, cid) for name, _, cid in out],
                         [("EmailSubmission/set", "d"), ("Email/set", "d")])
        self.assertEqual(out[0][1]["destroyed"], [s1])
        self.assertEqual(out[1][1]["destroyed"], [e1])
        ch = c.one("EmailSubmission/changes", {"sinceState": middle})
        self.assertEqual((ch["created"], ch["destroyed"]), ([], [s1]))
        self.assertEqual(c.one("EmailSubmission/get", {"ids": [s1]})["notFound"], [s1])
        # onSuccessDestroyEmail destroyed the Email of s1; e2 stays.
        self.assertEqual(c.one("Email/get", {"ids": [e1, e2], "properties": []})["notFound"], [e1])


class ReadReceipts(SubmissionBase):
    def test_a_client_receipt_sent_twice_is_delivered_once(self):
        self.deliver((f"From: Bob <{OTHER}>\r\nTo: {USER}\r\nSubject: Plans\r\n"
                      f"Message-ID: <orig-1@example.org>\r\n"
                      f"Disposition-Notification-To: {OTHER}\r\n\r\nLet us meet.\r\n").encode(),
                     to=USER)
        c = self.jmap()
        receipt = (f"From: {USER}\r\nTo: {OTHER}\r\nSubject: Read: Plans\r\nMIME-Version: 1.0\r\n"
                   "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
                   ' boundary="rb"\r\n\r\n'
                   "--rb\r\nContent-Type: text/plain\r\n\r\nYour message was displayed.\r\n"
                   "--rb\r\nContent-Type: message/disposition-notification\r\n\r\n"
                   "Reporting-UA: laptop.example.org; TestClient\r\n"
                   f"Final-Recipient: rfc822; {USER}\r\n"
                   "Original-Message-ID: <orig-1@example.org>\r\n"
                   "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
                   "\r\n--rb--\r\n").encode()
        email_id = self.import_draft(c, receipt)
        envelope = {"mailFrom": {"email": ""}, "rcptTo": [{"email": OTHER}]}
        first = self.submit(c, email_id, envelope=envelope)["created"]["s"]["id"]
        second = self.submit(c, email_id, envelope=envelope)["created"]["s"]["id"]
        self.assertNotEqual(first, second)
        got = c.one("EmailSubmission/get", {"ids": [first, second],
                                            "properties": ["deliveryStatus"]})["list"]
        self.assertEqual(got[0]["deliveryStatus"][OTHER]["delivered"], "yes")
        self.assertEqual(got[1]["deliveryStatus"][OTHER], {
            "smtpReply": "250 2.0.0 not sent: dropped by the submission policy",
            "delivered": "unknown", "displayed": "unknown"})
        receipts = [m for m in self.imap_messages(OTHER, OTHER_PASSWORD)
                    if b"Original-Message-ID: <orig-1@example.org>" in m]
        self.assertEqual(len(receipts), 1)
        self.p.wait_for_log(r"status=dropped \(nothing delivered\)")


class RemoteSubmission(SubmissionBase):
    def setUp(self):
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.sink.rcpt_replies["carol@remote.test"] = "451 4.3.0 try again later"
        self.p = Postamt(services=("http", "imap"), extra_config=(
            f'[outbound]\nrelay = "127.0.0.1:{self.sink.address[1]}"\nmax_age = "1h"\n'))
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.cli("user", "add", OTHER, "--password-hash", cheap_hash(OTHER_PASSWORD),
                   check=True)
        self.p.start()

    def test_remote_recipient_is_queued_then_delivered(self):
        c = self.jmap()
        raw = (f"From: {USER}\r\nTo: carol@remote.test, {OTHER}\r\nSubject: out\r\n"
               "Message-ID: <out-1@example.org>\r\n\r\nhello remote\r\n").encode()
        email_id = self.import_draft(c, raw)
        sid = self.submit(c, email_id)["created"]["s"]["id"]
        self.p.wait_for_log(r"to=<carol@remote\.test>, .*dsn=4\.3\.0, status=deferred \(")
        listed = wait_until(
            lambda: [m for m in json.loads(self.p.cli("queue", "list", "--format", "json").out)
                     if m["attempts"] == 1] or None, what="the attempt saved in the queue file")
        self.assertEqual([r["address"] for r in listed[0]["recipients"]], ["carol@remote.test"])
        self.assertEqual(listed[0]["sender"], USER)
        status = c.one("EmailSubmission/get", {"ids": [sid],
                                               "properties": ["deliveryStatus"]})["list"][0]
        self.assertEqual(status["deliveryStatus"]["carol@remote.test"]["delivered"], "queued")
        self.assertEqual(status["deliveryStatus"][OTHER]["delivered"], "yes")
        del self.sink.rcpt_replies["carol@remote.test"]
        qid = listed[0]["id"]
        self.p.cli("queue", "retry", qid, check=True)
        [(mail_from, rcpts, data)] = self.sink.wait_for_messages(1)
        self.assertEqual((mail_from, rcpts), (USER, ["carol@remote.test"]))
        self.assertTrue(data.endswith(raw), data)
        self.p.wait_for_log(rf"{qid}: removed")

        def delivered():
            got = c.one("EmailSubmission/get", {"ids": [sid], "properties": ["deliveryStatus"]})
            return got["list"][0]["deliveryStatus"]["carol@remote.test"]["delivered"] == "yes"
        wait_until(delivered, what="deliveryStatus delivered yes")

    def test_bounce_is_listed_in_dsn_blob_ids_and_delivered_no(self):
        self.sink.rcpt_replies["bad@remote.test"] = "550 5.1.1 no such user here"
        c = self.jmap()
        raw = f"From: {USER}\r\nTo: bad@remote.test\r\nSubject: out\r\n\r\nx\r\n".encode()
        sid = self.submit(c, self.import_draft(c, raw))["created"]["s"]["id"]
        self.p.wait_for_log(r"to=<bad@remote\.test>, .*status=bounced \(")

        def bounced():
            got = c.one("EmailSubmission/get", {"ids": [sid],
                                                "properties": ["deliveryStatus", "dsnBlobIds"]})
            s = got["list"][0]
            return s if s["dsnBlobIds"] else None
        s = wait_until(bounced, what="the bounce listed")
        self.assertEqual(len(s["dsnBlobIds"]), 1)
        self.assertEqual(s["deliveryStatus"]["bad@remote.test"]["delivered"], "no")
        self.assertEqual(s["deliveryStatus"]["bad@remote.test"]["smtpReply"],
                         "550 5.1.1 delivery failed")


if __name__ == "__main__":
    unittest.main()
