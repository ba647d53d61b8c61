"""Read receipts over JMAP (RFC 9007 MDN/send and MDN/parse) against the real binary,
together with the other ways a receipt leaves Postamt (docs/read-receipts.md): at most one
receipt per message and recipient, whether the server sent it on download, the user's
mail client submitted it over SMTP, or the user's JMAP client asked for it.

Bob (a local user) sends alice mail asking for a receipt (`postamt deliver --from bob`, so
Return-Path is bob); what reaches bob's INBOX is read over IMAP with BODY.PEEK."""

import email
import email.policy
import imaplib
import json
import smtplib
import subprocess
import unittest

from harness import BIN, Postamt
from jmap_client import CAPS
from test_imap_commands import OTHER, OTHER_PASSWORD, PASSWORD, USER, cheap_hash
from test_jmap import Base

MDN = "urn:ietf:params:jmap:mdn"
USING = CAPS + [MDN]
_counter = [0]


def new_message_id():
    _counter[0] += 1
    return f"<mdn-{_counter[0]}@example.org>"


def original(message_id, subject="World domination", dnt="Bob <bob@example.org>", extra=""):
    dnt_field = f"Disposition-Notification-To: {dnt}\r\n" if dnt else ""
    return (f"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: {subject}\r\n"
            f"Message-ID: {message_id}\r\n{dnt_field}{extra}\r\nLet us meet.\r\n").encode()


def client_receipt(message_id):
    """An RFC 8098 receipt as a mail client writes it for alice."""
    return ("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: Read: Plans\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
            ' boundary="rb"\r\n\r\n'
            "--rb\r\nContent-Type: text/plain\r\n\r\nYour message was displayed.\r\n"
            "--rb\r\nContent-Type: message/disposition-notification\r\n\r\n"
            "Reporting-UA: laptop.example.org; TestClient\r\n"
            "Final-Recipient: rfc822; alice@example.org\r\n"
            f"Original-Message-ID: {message_id}\r\n"
            "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
            "\r\n--rb--\r\n").encode()


def rfc_example(email_id):
    """The MDN/send call of RFC 9007 §3.1, for `email_id` (its "extension" spelling too)."""
    return ["MDN/send", {
        "identityId": None,  # filled in by the caller
        "send": {
            "k1546": {
                "forEmailId": email_id,
                "subject": "Read receipt for: World domination",
                "textBody": "This receipt shows that the email has been displayed on your "
                            "recipient's computer.  There is no guarantee it has been read "
                            "or understood.",
                "reportingUA": "joes-pc.cs.example.com; Foomail 97.1",
                "disposition": {"actionMode": "manual-action",
                                "sendingMode": "mdn-sent-manually",
                                "type": "displayed"},
                "extension": {"EXTENSION-EXAMPLE": "example.com"},
            }
        },
        "onSuccessUpdateEmail": {"#k1546": {"keywords/$mdnsent": True}},
    }, "0"]


class MdnBase(Base):
    services = ("http", "imap", "submission")
    receipts_config = ""

    def setUp(self):
        self.p = Postamt(services=self.services, extra_config=self.receipts_config)
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.cli("user", "add", OTHER, "--password-hash", cheap_hash(OTHER_PASSWORD),
                   check=True)
        self.p.start()
        self.c = self.jmap()

    def send_original(self, message_id, sender="bob@example.org", **kw):
        proc = subprocess.run([BIN, "--config", self.p.config, "deliver", "--from", sender, USER],
                              input=original(message_id, **kw), capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return self.email_of(message_id)

    def email_of(self, message_id, c=None):
        c = c or self.c
        ids = c.one("Email/query", {})["ids"]
        got = c.one("Email/get", {"ids": ids, "properties": ["messageId", "keywords", "blobId"]})
        found = [e for e in got["list"] if e["messageId"] == [message_id.strip("<>")]]
        self.assertEqual(len(found), 1, got)
        return found[0]

    def identity(self):
        return "I" + self.c.account_id[1:]

    def mdn_send(self, email_id, update=True, **mdn):
        body = {"forEmailId": email_id,
                "disposition": {"actionMode": "manual-action", "sendingMode": "mdn-sent-manually",
                                "type": "displayed"}}
        body.update(mdn)
        args = {"accountId": self.c.account_id, "identityId": self.identity(),
                "send": {"m1": body}}
        if update:
            args["onSuccessUpdateEmail"] = {"#m1": {"keywords/$mdnsent": True}}
        return self.c.call(["MDN/send", args, "s"], using=USING)

    def receipts_for(self, message_id):
        """Receipts in bob's INBOX about `message_id` (BODY.PEEK: no download reported)."""
        c = imaplib.IMAP4(*self.p.address("imap"))
        c.login(OTHER, OTHER_PASSWORD)
        c.select("INBOX")
        found = []
        for uid in c.uid("SEARCH", None, "ALL")[1][0].split():
            raw = c.uid("FETCH", uid, "(BODY.PEEK[])")[1][0][1]
            if f"Original-Message-ID: {message_id}\r\n".encode() in raw:
                found.append(raw)
        c.logout()
        return found

    def submit_client_receipt(self, message_id):
        host, port = self.p.address("submission")
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.login(USER, PASSWORD)
            return s.sendmail(USER, [OTHER], client_receipt(message_id))

    def ledger(self):
        out = self.p.cli("receipts", "list", "--user", USER, "--format", "json", check=True).out
        return json.loads(out)

    def assert_already_sent(self, email_id, description):
        out = self.mdn_send(email_id)
        self.assertEqual(out, [["MDN/send", {
            "accountId": self.c.account_id, "sent": None,
            "notSent": {"m1": {"type": "mdnAlreadySent", "description": description}}}, "s"]])


class MdnSend(MdnBase):
    def test_session_advertises_the_capability(self):
        s = self.c.session()
        self.assertEqual(s["capabilities"][MDN], {})
        self.assertEqual(s["accounts"][self.c.account_id]["accountCapabilities"][MDN], {})
        self.assertEqual(s["primaryAccounts"][MDN], self.c.account_id)

    def test_rfc_example_sends_one_receipt_to_the_local_sender(self):
        mid = new_message_id()
        e = self.send_original(mid)
        call = rfc_example(e["id"])
        call[1]["accountId"] = self.c.account_id
        call[1]["identityId"] = self.identity()
        out = self.c.call(call, using=USING)
        self.assertEqual(out[0], ["MDN/send", {
            "accountId": self.c.account_id,
            "sent": {"k1546": {"finalRecipient": "rfc822; alice@example.org",
                               "originalMessageId": mid}},
            "notSent": None}, "0"])
        self.assertEqual(out[1][0], "Email/set")
        self.assertEqual(out[1][2], "0")
        self.assertEqual(out[1][1]["updated"], {e["id"]: None})
        self.assertEqual(len(out), 2)
        self.assertEqual(self.email_of(mid)["keywords"], {"$mdnsent": True})

        [raw] = self.receipts_for(mid)
        m = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(m.get_content_type(), "multipart/report")
        self.assertEqual(m.get_param("report-type"), "disposition-notification")
        self.assertEqual(m["From"], "alice@example.org")
        self.assertEqual(m["To"], "bob@example.org")
        self.assertEqual(m["Subject"], "Read receipt for: World domination")
        self.assertIsNone(m["Auto-Submitted"])
        self.assertIn(b"Return-Path: <>\r\n", raw)
        parts = list(m.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts],
                         ["text/plain", "message/disposition-notification"])
        self.assertEqual(parts[0].get_content().strip(),
                         call[1]["send"]["k1546"]["textBody"])
        self.assertIn(b"Reporting-UA: joes-pc.cs.example.com; Foomail 97.1\r\n"
                      b"Final-Recipient: rfc822; alice@example.org\r\n"
                      b"Original-Message-ID: " + mid.encode() + b"\r\n"
                      b"Disposition: manual-action/MDN-sent-manually; displayed\r\n"
                      b"EXTENSION-EXAMPLE: example.com\r\n", raw)

        # The same MDN/send again: refused, no Email/set, bob still has exactly one.
        out = self.c.call(call, using=USING)
        self.assertEqual(out, [["MDN/send", {
            "accountId": self.c.account_id, "sent": None,
            "notSent": {"k1546": {"type": "mdnAlreadySent",
                                  "description": "$mdnsent keyword is already present"}}},
            "0"]])
        self.assertEqual(len(self.receipts_for(mid)), 1)
        [record] = self.ledger()["sent"]
        self.assertEqual((record["path"], record["message_id"], record["requester"]),
                         ("jmap", mid, "bob@example.org"))

    def test_server_fills_in_what_the_client_left_out(self):
        mid = new_message_id()
        e = self.send_original(mid, subject="Plans")
        out = self.mdn_send(e["id"], update=False)
        self.assertEqual(out, [["MDN/send", {
            "accountId": self.c.account_id,
            "sent": {"m1": {
                "subject": "Read receipt (displayed): Plans",
                "textBody": "This is a receipt for the message you sent to "
                            "alice@example.org.\n\nSubject: Plans\nMessage-ID: " + mid +
                            "\n\nThe message was handed to the recipient's mail program to be "
                            "displayed. This is no guarantee that it has been read or "
                            "understood.\n",
                "reportingUA": "mail.example.test; Postamt",
                "finalRecipient": "rfc822; alice@example.org",
                "originalMessageId": mid}},
            "notSent": None}, "s"]])
        # Recording the receipt sets the keyword even without onSuccessUpdateEmail.
        self.assertEqual(self.email_of(mid)["keywords"], {"$mdnsent": True})

    def test_smtp_receipt_first_then_jmap_is_already_sent(self):
        mid = new_message_id()
        e = self.send_original(mid)
        self.assertEqual(self.submit_client_receipt(mid), {})
        self.assert_already_sent(e["id"], "$mdnsent keyword is already present")
        [raw] = self.receipts_for(mid)
        self.assertIn(b"Reporting-UA: laptop.example.org; TestClient\r\n", raw)
        [record] = self.ledger()["sent"]
        self.assertEqual(record["path"], "client_submission")

    def test_jmap_first_then_smtp_receipt_is_dropped_or_rejected(self):
        mid = new_message_id()
        e = self.send_original(mid)
        self.assertEqual(self.mdn_send(e["id"])[0][1]["notSent"], None)
        self.assertEqual(self.submit_client_receipt(mid), {})  # duplicates = "drop": 250
        [raw] = self.receipts_for(mid)
        self.assertIn(b"Disposition: manual-action/MDN-sent-manually; displayed\r\n", raw)
        self.assertNotIn(b"TestClient", raw)
        self.p.cli("receipts", "policy", "set", "--user", USER, "duplicates", "reject",
                   check=True)
        with self.assertRaises(smtplib.SMTPDataError) as refused:
            self.submit_client_receipt(mid)
        self.assertEqual(refused.exception.smtp_code, 550)
        self.assertIn(f"A read receipt was already sent for {mid}".encode(),
                      refused.exception.smtp_error)
        self.assertEqual(len(self.receipts_for(mid)), 1)
        self.assertEqual([r["path"] for r in self.ledger()["sent"]], ["jmap"])

    def test_rfc8098_rules_refuse_and_send_nothing(self):
        cases = [
            ({"sender": "mallory@remote.test"}, "forbidden",
             "no read receipt may be sent for this message (return-path-mismatch)"),
            ({"extra": "List-Id: <plans.example.org>\r\n"}, "forbidden",
             "no read receipt may be sent for this message (list-mail)"),
            ({"extra": "Auto-Submitted: auto-generated\r\n"}, "forbidden",
             "no read receipt may be sent for this message (auto-submitted)"),
            ({"dnt": "bob@example.org, carol@example.org"}, "forbidden",
             "no read receipt may be sent for this message (several-addresses)"),
            ({"dnt": None}, "notFound",
             "the message has no valid Disposition-Notification-To (no-request)"),
        ]
        for kw, kind, description in cases:
            mid = new_message_id()
            e = self.send_original(mid, **kw)
            out = self.mdn_send(e["id"])
            self.assertEqual(out, [["MDN/send", {
                "accountId": self.c.account_id, "sent": None,
                "notSent": {"m1": {"type": kind, "description": description}}}, "s"]], kw)
            self.assertEqual(self.email_of(mid)["keywords"], {}, kw)
            self.assertEqual(self.receipts_for(mid), [], kw)
        self.assertEqual(self.ledger()["sent"], [])

    def test_bad_arguments_and_properties(self):
        mid = new_message_id()
        e = self.send_original(mid)
        out = self.c.call(["MDN/send", {"accountId": self.c.account_id, "identityId": "I999",
                                        "send": {}}, "s"], using=USING)
        self.assertEqual(out[0][0], "error")
        self.assertEqual(out[0][1]["type"], "invalidArguments")
        out = self.c.call(["MDN/send", {"accountId": self.c.account_id,
                                        "identityId": self.identity(), "send": {}}, "s"],
                          using=CAPS)
        self.assertEqual(out[0][1]["type"], "unknownMethod")
        cases = [
            ({"forEmailId": "Mnope"}, "notFound", ["forEmailId"]),
            ({"disposition": {"actionMode": "Manual-Action", "sendingMode": "mdn-sent-manually",
                              "type": "displayed"}}, "invalidProperties", ["disposition"]),
            ({"originalMessageId": "<x@y>"}, "invalidProperties", ["originalMessageId"]),
            ({"reportingUA": "ua\r\nBcc: eve@example.org"}, "invalidProperties", None),
            ({"extensionFields": {"Disposition": "x"}}, "invalidProperties", None),
            ({"finalRecipient": "rfc822; bob@example.org"}, "forbiddenFrom", ["finalRecipient"]),
        ]
        for mdn, kind, properties in cases:
            out = self.mdn_send(e["id"], **mdn)
            error = out[0][1]["notSent"]["m1"]
            self.assertEqual(error["type"], kind, mdn)
            if properties:
                self.assertEqual(error["properties"], properties, mdn)
        self.assertEqual(self.receipts_for(mid), [])
        self.assertEqual(self.email_of(mid)["keywords"], {})


class MdnParse(MdnBase):
    def test_parse_a_received_receipt(self):
        mid = new_message_id()
        e = self.send_original(mid)
        self.mdn_send(e["id"], reportingUA="joes-pc; Foomail", extensionFields={"X-A": "b"})
        bob = self.jmap(OTHER, OTHER_PASSWORD)
        ids = bob.one("Email/query", {})["ids"]
        [receipt] = bob.one("Email/get", {"ids": ids, "properties": ["blobId"]})["list"]
        out = bob.call(["MDN/parse", {"accountId": bob.account_id,
                                      "blobIds": [receipt["blobId"], "Bnope", e["blobId"]]},
                        "p"], using=USING)
        self.assertEqual(out, [["MDN/parse", {
            "accountId": bob.account_id,
            "parsed": {receipt["blobId"]: {
                "forEmailId": None,
                "subject": "Read receipt (displayed): World domination",
                "textBody": "This is a receipt for the message you sent to alice@example.org."
                            "\n\nSubject: World domination\nMessage-ID: " + mid +
                            "\n\nThe message was handed to the recipient's mail program to be "
                            "displayed. This is no guarantee that it has been read or "
                            "understood.",
                "includeOriginalMessage": False,
                "reportingUA": "joes-pc; Foomail",
                "disposition": {"actionMode": "manual-action",
                                "sendingMode": "mdn-sent-manually", "type": "displayed"},
                "mdnGateway": None,
                "originalRecipient": None,
                "finalRecipient": "rfc822; alice@example.org",
                "originalMessageId": mid,
                "error": None,
                "extensionFields": {"X-A": "b"}}},
            "notParsable": None,
            # alice's message is not bob's to read.
            "notFound": ["Bnope", e["blobId"]]}, "p"]])
        # Alice may read her message, which is no receipt.
        out = self.c.call(["MDN/parse", {"accountId": self.c.account_id,
                                         "blobIds": [e["blobId"]]}, "p"], using=USING)
        self.assertEqual(out[0][1], {"accountId": self.c.account_id, "parsed": None,
                                     "notParsable": [e["blobId"]], "notFound": None})

    def test_parse_finds_the_email_and_the_original_part(self):
        mid = new_message_id()
        e = self.send_original(mid)
        self.mdn_send(e["id"], includeOriginalMessage=True)
        bob = self.jmap(OTHER, OTHER_PASSWORD)
        ids = bob.one("Email/query", {})["ids"]
        [receipt] = bob.one("Email/get", {"ids": ids, "properties": ["blobId"]})["list"]
        [raw] = self.receipts_for(mid)
        self.assertIn(b"Content-Type: message/rfc822\r\n", raw)
        # Alice imports the receipt: now its Original-Message-ID names one of her Emails.
        proc = subprocess.run([BIN, "--config", self.p.config, "deliver", "--from", OTHER, USER],
                              input=raw, capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        ids = self.c.one("Email/query", {})["ids"]
        blobs = [x["blobId"] for x in self.c.one("Email/get", {"ids": ids,
                                                               "properties": ["blobId"]})["list"]]
        blobs.remove(e["blobId"])
        out = self.c.call(["MDN/parse", {"accountId": self.c.account_id, "blobIds": blobs}, "p"],
                          using=USING)[0][1]
        [parsed] = out["parsed"].values()
        self.assertEqual(parsed["forEmailId"], e["id"])
        self.assertTrue(parsed["includeOriginalMessage"])


class ServerReceiptOnDownload(MdnBase):
    receipts_config = '[receipts]\non_download = "displayed"\n'

    def test_email_get_of_the_body_sends_the_server_receipt_then_mdn_send_is_refused(self):
        mid = new_message_id()
        e = self.send_original(mid)
        # Reading without body values reports no download.
        self.c.one("Email/get", {"ids": [e["id"]], "properties": ["subject"]})
        mark = len(self.p.log_lines)
        got = self.c.one("Email/get", {"ids": [e["id"]], "properties": ["bodyValues"],
                                       "fetchTextBodyValues": True})
        self.assertEqual(got["list"][0]["bodyValues"]["1"]["value"], "Let us meet.\n")
        self.p.wait_for_log(r"postamt/mdn\[\d+\]: account=alice@example\.org uid=\d+ "
                            rf"message_id={mid} requester=bob@example\.org receipt on "
                            r"download: sent \(delivered locally\)", start=mark)
        [raw] = self.receipts_for(mid)
        self.assertIn(b"Disposition: automatic-action/MDN-sent-automatically; displayed\r\n",
                      raw)
        self.assert_already_sent(e["id"], "$mdnsent keyword is already present")
        self.assertEqual(len(self.receipts_for(mid)), 1)
        [record] = self.ledger()["sent"]
        self.assertEqual((record["path"], record["message_id"]), ("server_on_download", mid))
        listed = self.p.cli("receipts", "list", "--user", USER, check=True).out
        self.assertEqual(len(listed.splitlines()), 1, listed)

    def test_mdn_send_first_then_download_sends_nothing(self):
        mid = new_message_id()
        e = self.send_original(mid)
        self.assertEqual(self.mdn_send(e["id"])[0][1]["notSent"], None)
        mark = len(self.p.log_lines)
        self.c.one("Email/get", {"ids": [e["id"]], "properties": ["bodyValues"],
                                 "fetchTextBodyValues": True})
        self.p.wait_for_log(r"receipt on download: suppressed duplicate \(already sent\)",
                            start=mark)
        self.assertEqual(len(self.receipts_for(mid)), 1)
        self.assertEqual([r["path"] for r in self.ledger()["sent"]], ["jmap"])


if __name__ == "__main__":
    unittest.main()
