"""Read receipts refused to senders that failed DMARC, against the real binary
(docs/read-receipts.md, "Receipts refused to forged senders"; RFC 8098 §6.1).

A message for alice arrives through `postamt deliver` (which neither strips nor adds
Authentication-Results fields; the MX does both) carrying a field with the server's own
authserv-id (`hostname` = mail.example.test). It asks for a receipt to bob, who is also
its envelope sender, so the request itself is one the server may answer. With
`on_download = "displayed"` alice downloads it over POP3 or IMAP: for dmarc=fail under
p=quarantine or p=reject no receipt reaches bob and the ledger shows the refusal; for
dmarc=pass, or a dmarc=fail written by another host, the receipt is sent.
"""

import imaplib
import json
import poplib
import re
import smtplib
import unittest

from harness import Postamt

PASSWORD = "pw"
OWN_ID = "mail.example.test"


def original(message_id, auth_results):
    return (f"{auth_results}"
            "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Invoice\r\n"
            f"Message-ID: {message_id}\r\nDisposition-Notification-To: bob@example.org\r\n"
            "\r\nPlease pay.\r\n")


def client_receipt(message_id):
    return ("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: Read: Invoice\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
            ' boundary="rb"\r\n\r\n'
            "--rb\r\nContent-Type: text/plain\r\n\r\nDisplayed.\r\n"
            "--rb\r\nContent-Type: message/disposition-notification\r\n\r\n"
            "Reporting-UA: laptop.example.org; TestClient\r\n"
            "Final-Recipient: rfc822; alice@example.org\r\n"
            f"Original-Message-ID: {message_id}\r\n"
            "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
            "\r\n--rb--\r\n").encode()


class ReceiptsDmarcTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = Postamt(services=("submission", "pop3", "imap"),
                        extra_config='[receipts]\non_download = "displayed"\n')
        p = cls.p
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

    def deliver(self, message_id, auth_results):
        r = self.p.cli("deliver", "--from", "bob@example.org", "alice@example.org",
                       input=original(message_id, auth_results))
        self.assertEqual(r.code, 0, r)

    def download(self, transport, message_id):
        """RETR (POP3) or FETCH BODY[] (IMAP) of the message; returns the engine's line."""
        mark = len(self.p.log_lines)
        needle = f"Message-ID: {message_id}".encode()
        if transport == "pop3":
            c = poplib.POP3(*self.p.address("pop3"), timeout=20)
            c.user("alice@example.org")
            c.pass_(PASSWORD)
            wanted = [i for i in range(1, c.stat()[0] + 1) if needle in b"\n".join(c.top(i, 0)[1])]
            self.assertEqual(len(wanted), 1)
            self.assertIn(needle, b"\n".join(c.retr(wanted[0])[1]))
            c.quit()
        else:
            c = imaplib.IMAP4(*self.p.address("imap"))
            c.login("alice@example.org", PASSWORD)
            c.select("INBOX")
            typ, data = c.uid("SEARCH", None, "HEADER", "Message-ID", message_id)
            uids = data[0].split()
            self.assertEqual(len(uids), 1)
            typ, parts = c.uid("FETCH", uids[0], "(BODY[])")
            self.assertEqual(typ, "OK")
            self.assertIn(needle, parts[0][1])
            c.logout()
        return self.p.wait_for_log(
            rf"postamt/mdn\[\d+\]: account=alice@example\.org uid=\d+ "
            rf"message_id={re.escape(message_id)} .*receipt on download: ", start=mark)

    def receipts_for_bob(self, message_id):
        """Receipts in bob's INBOX about `message_id` (read with BODY.PEEK)."""
        c = imaplib.IMAP4(*self.p.address("imap"))
        c.login("bob@example.org", PASSWORD)
        c.select("INBOX")
        typ, data = c.uid("SEARCH", None, "ALL")
        found = []
        for uid in data[0].split():
            typ, parts = c.uid("FETCH", uid, "(BODY.PEEK[])")
            if f"Original-Message-ID: {message_id}\r\n".encode() in parts[0][1]:
                found.append(parts[0][1])
        c.logout()
        return found

    def ledger(self):
        out = self.p.cli("receipts", "list", "--user", "alice@example.org", "--format", "json",
                         check=True).out
        return json.loads(out)

    def refusals(self, message_id):
        return [{k: v for k, v in r.items() if k != "time"}
                for r in self.ledger()["refused"] if r["message_id"] == message_id]

    def test_quarantine_policy_refuses_the_download_receipt_and_the_clients(self):
        mid = "<dmarc-quarantine@example.org>"
        self.deliver(mid, f"Authentication-Results: {OWN_ID};\r\n"
                          " dmarc=fail (p=quarantine dis=quarantine) header.from=example.org\r\n")
        line = self.download("pop3", mid)
        self.assertTrue(line.endswith(
            "requester=bob@example.org receipt on download: refused "
            "(sender failed DMARC (p=quarantine))"), line)
        self.assertEqual(self.receipts_for_bob(mid), [])
        refusal = {"account": "alice@example.org", "requester": "bob@example.org",
                   "message_id": mid, "path": "server_on_download",
                   "reason": "sender failed DMARC (p=quarantine)"}
        self.assertEqual(self.refusals(mid), [refusal])
        self.assertEqual([r for r in self.ledger()["sent"] if r["message_id"] == mid], [])
        text = self.p.cli("receipts", "list", "--user", "alice@example.org", check=True).out
        self.assertRegex(text, r"(?m)^refused  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ alice@example\.org "
                               r"-> bob@example\.org <dmarc-quarantine@example\.org> "
                               r"server_on_download sender failed DMARC \(p=quarantine\)$")

        # Downloading again refuses again; the ledger keeps one record.
        self.download("pop3", mid)
        self.assertEqual(len(self.refusals(mid)), 1)

        # Alice's client answers by itself: accepted (250), dropped, recorded as refused.
        mark = len(self.p.log_lines)
        host, port = self.p.address("submission")
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.login("alice@example.org", PASSWORD)
            self.assertEqual(s.sendmail("alice@example.org", ["bob@example.org"],
                                        client_receipt(mid)), {})
        self.p.wait_for_log(
            r"postamt/mdn\[\d+\]: account=alice@example\.org "
            r"message_id=<dmarc-quarantine@example\.org> to=bob@example\.org "
            r"matched_by=original-message-id client receipt: refused \(dropped\), "
            r"sender failed DMARC \(p=quarantine\)$", start=mark)
        self.assertEqual(self.receipts_for_bob(mid), [])
        self.assertEqual(self.refusals(mid),
                         [refusal, dict(refusal, path="client_submission")])

    def test_reject_policy_refuses_the_imap_download_receipt(self):
        mid = "<dmarc-reject@example.org>"
        self.deliver(mid, f"Authentication-Results: {OWN_ID.upper()}; "
                          "dmarc=fail (P=Reject) header.from=example.org\r\n")
        line = self.download("imap", mid)
        self.assertTrue(line.endswith("refused (sender failed DMARC (p=reject))"), line)
        self.assertEqual(self.receipts_for_bob(mid), [])
        self.assertEqual([r["reason"] for r in self.refusals(mid)],
                         ["sender failed DMARC (p=reject)"])

    def test_dmarc_pass_gets_its_receipt(self):
        mid = "<dmarc-pass@example.org>"
        self.deliver(mid, f"Authentication-Results: {OWN_ID}; dmarc=pass header.from=example.org\r\n")
        line = self.download("imap", mid)
        self.assertTrue(line.endswith("receipt on download: sent (delivered locally)"), line)
        self.assertEqual(len(self.receipts_for_bob(mid)), 1)
        self.assertEqual(self.refusals(mid), [])

    def test_a_dmarc_fail_written_by_another_host_is_ignored(self):
        mid = "<dmarc-forged@example.org>"
        self.deliver(mid, "Authentication-Results: forger.example; "
                          "dmarc=fail (p=reject) header.from=example.org\r\n")
        line = self.download("pop3", mid)
        self.assertTrue(line.endswith("receipt on download: sent (delivered locally)"), line)
        self.assertEqual(len(self.receipts_for_bob(mid)), 1)
        self.assertEqual(self.refusals(mid), [])


if __name__ == "__main__":
    unittest.main()
