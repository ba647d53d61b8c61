"""VacationResponse (RFC 8621 §8) with the server's auto-responder (RFC 5230, RFC 3834),
SearchSnippet/get (§5), Email/parse (§4.9), and the /copy methods that Postamt's one
account per user turns into errors (RFC 8620 §5.4, §6.3), against the real binary."""

import email
import email.policy
import smtplib
import time
import unittest

from harness import Postamt
from jmap_client import CAPS
from smtp_sink import Sink
from test_imap_commands import OTHER, OTHER_PASSWORD, PASSWORD, USER, cheap_hash
from test_jmap import Base

VACATION = "urn:ietf:params:jmap:vacationresponse"
USING = CAPS + [VACATION]


def vacation_call(c, name, args):
    args = dict(args)
    args.setdefault("accountId", c.account_id)
    [(rname, rargs, _)] = c.call([name, args, "v"], using=USING)
    return rname, rargs


class Vacation(Base):
    services = ("http", "smtp")

    def setUp(self):
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.p = Postamt(services=self.services, extra_config=(
            f'[outbound]\nrelay = "127.0.0.1:{self.sink.address[1]}"\nmax_age = "30s"\n'))
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.cli("user", "add", OTHER, "--password-hash", cheap_hash(OTHER_PASSWORD),
                   check=True)
        self.p.start()

    def send(self, sender, body, to=USER):
        host, port = self.p.address("smtp")
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.ehlo("remote.test")
            self.assertEqual(s.sendmail(sender, [to], body), {})

    def enable(self, c, **extra):
        update = {"isEnabled": True, "textBody": "I am away until Monday.", **extra}
        name, r = vacation_call(c, "VacationResponse/set", {"update": {"singleton": update}})
        self.assertEqual(name, "VacationResponse/set", r)
        self.assertEqual(r["updated"], {"singleton": None})

    def test_session_names_the_capability(self):
        c = self.jmap()
        s = c.session()
        self.assertEqual(s["capabilities"][VACATION], {})
        self.assertEqual(s["primaryAccounts"][VACATION], c.account_id)
        self.assertEqual(s["accounts"][c.account_id]["accountCapabilities"][VACATION], {})

    def test_get_and_set_round_trip(self):
        c = self.jmap()
        name, got = vacation_call(c, "VacationResponse/get", {"ids": None})
        self.assertEqual(got["list"], [{"id": "singleton", "isEnabled": False, "fromDate": None,
                                        "toDate": None, "subject": None, "textBody": None,
                                        "htmlBody": None}])
        self.assertEqual(got["notFound"], [])
        state = got["state"]
        name, r = vacation_call(c, "VacationResponse/set", {
            "ifInState": state,
            "update": {"singleton": {"isEnabled": True, "fromDate": "2026-01-01T00:00:00Z",
                                     "toDate": "2099-01-01T00:00:00Z", "subject": "Away",
                                     "htmlBody": "<p>Away</p>"}}})
        self.assertEqual(r["oldState"], state)
        self.assertNotEqual(r["newState"], state)
        self.assertEqual(r["updated"], {"singleton": None})
        name, got = vacation_call(c, "VacationResponse/get",
                                  {"ids": ["singleton", "other"], "properties": ["isEnabled", "toDate"]})
        self.assertEqual(got["list"], [{"id": "singleton", "isEnabled": True,
                                        "toDate": "2099-01-01T00:00:00Z"}])
        self.assertEqual(got["notFound"], ["other"])
        self.assertEqual(got["state"], r["newState"])
        # A stale ifInState, create, destroy, unknown ids and bad values.
        name, r2 = vacation_call(c, "VacationResponse/set", {"ifInState": state, "update": {}})
        self.assertEqual((name, r2["type"]), ("error", "stateMismatch"))
        name, r3 = vacation_call(c, "VacationResponse/set", {
            "create": {"x": {"isEnabled": True}}, "destroy": ["singleton"],
            "update": {"nope": {"isEnabled": False},
                       "singleton": {"fromDate": "2026-01-01T00:00:00+01:00", "isEnabled": None}}})
        self.assertEqual(r3["notCreated"]["x"]["type"], "singleton")
        self.assertEqual(r3["notDestroyed"]["singleton"]["type"], "singleton")
        self.assertEqual(r3["notUpdated"]["nope"]["type"], "notFound")
        self.assertEqual(r3["notUpdated"]["singleton"]["type"], "invalidProperties")
        self.assertEqual(r3["notUpdated"]["singleton"]["properties"], ["isEnabled"])
        self.assertEqual(r3["oldState"], r3["newState"])
        name, r4 = vacation_call(c, "VacationResponse/set", {
            "update": {"singleton": {"fromDate": "2026-01-01T00:00:00+01:00", "subject": 5}}})
        self.assertEqual(r4["notUpdated"]["singleton"]["properties"], ["fromDate", "subject"])
        # Without the capability in "using" the method is unknown.
        [(name, r5, _)] = c.call(["VacationResponse/get", {"accountId": c.account_id}, "0"])
        self.assertEqual((name, r5["type"]), ("error", "unknownMethod"))

    def test_one_reply_per_sender_and_none_to_automated_mail(self):
        c = self.jmap()
        self.enable(c)
        original = (b"From: Carol <carol@remote.test>\r\nTo: alice@example.org\r\n"
                    b"Subject: Lunch?\r\nMessage-ID: <lunch-1@remote.test>\r\n\r\nTuesday?\r\n")
        self.send("carol@remote.test", original)
        (mail_from, rcpts, data), = self.sink.wait_for_messages(1)
        self.assertEqual((mail_from, rcpts), ("", ["carol@remote.test"]))
        reply = email.message_from_bytes(data, policy=email.policy.default)
        self.assertEqual(reply["Subject"], "Auto: Lunch?")
        self.assertEqual(reply["Auto-Submitted"], "auto-replied")
        self.assertEqual(reply["In-Reply-To"], "<lunch-1@remote.test>")
        self.assertEqual(reply["References"], "<lunch-1@remote.test>")
        self.assertEqual(reply["From"], "alice@example.org")
        self.assertEqual(reply["To"], "carol@remote.test")
        self.assertTrue(data.endswith(b"\r\n\r\nI am away until Monday.\r\n"), data)

        # Same sender again; then each kind of mail that must get no reply.
        self.send("carol@remote.test", original.replace(b"lunch-1", b"lunch-2"))
        plain = b"From: x@remote.test\r\nTo: alice@example.org\r\nSubject: s\r\n"
        self.send("news@remote.test", plain + b"Precedence: bulk\r\n\r\nx\r\n")
        self.send("list@remote.test", plain + b"List-Id: <l.remote.test>\r\n\r\nx\r\n")
        self.send("robot@remote.test", plain + b"Auto-Submitted: auto-generated\r\n\r\nx\r\n")
        self.send("", plain + b"\r\nbounce\r\n")
        self.send("owner-x@remote.test", plain + b"\r\nx\r\n")
        self.send("dan@remote.test", b"From: dan@remote.test\r\nTo: other@remote.test\r\n"
                                     b"Subject: bcc'd\r\n\r\nx\r\n")
        # A control that must be answered: once its reply arrives, the others were judged.
        self.send("erin@remote.test", plain.replace(b"x@", b"erin@") + b"\r\nhi\r\n")
        got = self.sink.wait_for_messages(2)
        time.sleep(1.0)
        got = list(self.sink.messages)
        self.assertEqual([m[1] for m in got], [["carol@remote.test"], ["erin@remote.test"]])
        self.assertEqual(len(c.one("Email/query", {})["ids"]), 9)

    def test_disabled_or_out_of_dates_sends_nothing(self):
        c = self.jmap()
        self.enable(c, toDate="2020-01-01T00:00:00Z")
        self.send("carol@remote.test", b"From: carol@remote.test\r\nTo: alice@example.org\r\n"
                                       b"Subject: s\r\n\r\nx\r\n")
        self.enable(c, toDate=None)
        self.send("erin@remote.test", b"From: erin@remote.test\r\nTo: alice@example.org\r\n"
                                      b"Subject: s\r\n\r\nx\r\n")
        self.sink.wait_for_messages(1)
        time.sleep(1.0)
        self.assertEqual([m[1] for m in self.sink.messages], [["erin@remote.test"]])


ATTACHED = (b"From: bob@example.org\r\nTo: alice@example.org\r\nSubject: fwd\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
            b"--o\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
            b"--o\r\nContent-Type: message/rfc822\r\n\r\n"
            b"From: Carol <carol@remote.test>\r\nTo: bob@example.org\r\nSubject: inner one\r\n"
            b"Message-ID: <inner@remote.test>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/alternative; boundary=\"i\"\r\n\r\n"
            b"--i\r\nContent-Type: text/plain\r\n\r\ninner text\r\n"
            b"--i\r\nContent-Type: text/html\r\n\r\n<p>inner <b>html</b></p>\r\n"
            b"--i--\r\n"
            b"--o--\r\n")


class Extras(Base):
    services = ("http",)

    def test_search_snippet_marks_matches_escaped(self):
        self.deliver(b"From: bob@example.org\r\nTo: alice@example.org\r\n"
                     b"Subject: Fish & <Chips> on FRIDAY\r\n\r\n"
                     + b"filler " * 40 + b"we eat fish on Friday, see you\r\nbye\r\n")
        self.deliver(b"From: bob@example.org\r\nTo: alice@example.org\r\nSubject: other\r\n\r\n"
                     b"nothing here\r\n")
        c = self.jmap()
        ids = c.one("Email/query", {"sort": [{"property": "subject"}]})["ids"]
        r = c.one("SearchSnippet/get", {"filter": {"text": "friday"},
                                        "emailIds": ids + ["Mnope"]})
        by_id = {s["emailId"]: s for s in r["list"]}
        self.assertEqual(by_id[ids[0]]["subject"], "Fish &amp; &lt;Chips&gt; on <mark>FRIDAY</mark>")
        self.assertEqual(by_id[ids[0]]["preview"],
                         "filler filler we eat fish on <mark>Friday</mark>, "
                         "see you bye")
        self.assertEqual(by_id[ids[1]], {"emailId": ids[1], "subject": None, "preview": None})
        self.assertEqual(r["notFound"], ["Mnope"])
        # Body terms mark only the preview, subject terms only the subject; NOT marks nothing.
        r = c.one("SearchSnippet/get", {"filter": {"operator": "AND", "conditions": [
            {"body": "FISH"}, {"operator": "NOT", "conditions": [{"subject": "other"}]}]},
            "emailIds": [ids[0]]})
        self.assertIsNone(r["list"][0]["subject"])
        self.assertEqual(r["list"][0]["preview"],
                         "filler filler filler we eat <mark>fish</mark> on Friday, "
                         "see you bye")
        self.assertIsNone(r["notFound"])
        [(name, err, _)] = c.call(["SearchSnippet/get", {"accountId": c.account_id,
                                                         "filter": {"bogus": 1}, "emailIds": []}, "0"])
        self.assertEqual((name, err["type"]), ("error", "unsupportedFilter"))

    def test_preview_stays_within_255_octets(self):
        self.deliver(b"From: bob@example.org\r\nTo: alice@example.org\r\nSubject: s\r\n\r\n"
                     + b"<&> " * 200 + b"target " + b"x&y " * 200 + b"\r\n")
        c = self.jmap()
        [eid] = c.one("Email/query", {})["ids"]
        [s] = c.one("SearchSnippet/get", {"filter": {"body": "target"}, "emailIds": [eid]})["list"]
        self.assertLessEqual(len(s["preview"].encode()), 255)
        self.assertIn("<mark>target</mark>", s["preview"])
        self.assertTrue(s["preview"].startswith("&lt;&amp;&gt;"), s["preview"])
        self.assertNotIn("<&", s["preview"])

    def test_email_parse_of_an_attached_message(self):
        self.deliver(ATTACHED)
        c = self.jmap()
        [eid] = c.one("Email/query", {})["ids"]
        [e] = c.one("Email/get", {"ids": [eid], "properties": ["attachments"]})["list"]
        [att] = e["attachments"]
        self.assertEqual(att["type"], "message/rfc822")
        r = c.one("Email/parse", {"blobIds": [att["blobId"], "Bnope", e["id"]],
                                  "fetchTextBodyValues": True,
                                  "properties": ["subject", "from", "messageId", "id", "size",
                                                 "blobId", "textBody", "htmlBody", "bodyValues"]})
        parsed = r["parsed"][att["blobId"]]
        self.assertEqual(parsed["subject"], "inner one")
        self.assertEqual(parsed["from"], [{"name": "Carol", "email": "carol@remote.test"}])
        self.assertEqual(parsed["messageId"], ["inner@remote.test"])
        self.assertIsNone(parsed["id"])
        self.assertEqual(parsed["blobId"], att["blobId"])
        self.assertEqual(parsed["size"], att["size"])
        [text] = parsed["textBody"]
        self.assertEqual(parsed["bodyValues"][text["partId"]]["value"], "inner text")
        # The inner parts' blob ids are sections of the stored message (RFC 9051 §6.4.5).
        self.assertEqual(text["blobId"], att["blobId"].replace("_2", "_2-1"))
        [html] = parsed["htmlBody"]
        status, _, body = c.request(
            "GET", f"/jmap/download/{c.account_id}/{html['blobId']}/x.html?accept=text/html")
        self.assertEqual((status, body), (200, b"<p>inner <b>html</b></p>"))
        self.assertEqual(sorted(r["notFound"]), sorted(["Bnope", e["id"]]))
        self.assertIsNone(r["notParsable"])
        # A part that is not a message has no header fields: notParsable.
        [e2] = c.one("Email/get", {"ids": [eid], "properties": ["textBody"]})["list"]
        r = c.one("Email/parse", {"blobIds": [e2["textBody"][0]["blobId"]]})
        self.assertEqual(r["notParsable"], [e2["textBody"][0]["blobId"]])
        self.assertIsNone(r["parsed"])

    def test_copies_between_accounts_are_refused(self):
        c = self.jmap()
        for method, using in (("Email/copy", CAPS), ("Blob/copy", CAPS)):
            [(name, err, _)] = c.call([method, {"accountId": c.account_id,
                                                "fromAccountId": "A999", "create": {}}, "0"],
                                      using=using)
            self.assertEqual((name, err["type"]), ("error", "fromAccountNotFound"), method)
            [(name, err, _)] = c.call([method, {"accountId": c.account_id,
                                                "fromAccountId": c.account_id}, "0"], using=using)
            self.assertEqual((name, err["type"]), ("error", "invalidArguments"), method)
            [(name, err, _)] = c.call([method, {"accountId": "A999",
                                                "fromAccountId": c.account_id}, "0"], using=using)
            self.assertEqual((name, err["type"]), ("error", "accountNotFound"), method)


if __name__ == "__main__":
    unittest.main()
