"""JMAP (RFC 8620, RFC 8621) against the real binary with Python's http.client and curl:
the session resource, both kinds of credentials, the request loop's errors and result
references, Mailbox and Email reads and writes, and one account seen over IMAP and JMAP
at once."""

import json
import re
import subprocess
import unittest

from harness import BIN, Postamt
from imap_wire import Wire
from jmap_client import CAPS, Jmap
from test_imap_commands import ATTACHMENT, ENCODED, OTHER, OTHER_PASSWORD, PASSWORD, PLAIN, USER, \
    cheap_hash


class Base(unittest.TestCase):
    services = ("http", "https", "imap")

    def setUp(self):
        self.p = Postamt(services=self.services)
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.cli("user", "add", OTHER, "--password-hash", cheap_hash(OTHER_PASSWORD),
                   check=True)
        self.p.start()

    def deliver(self, message, to=USER):
        proc = subprocess.run([BIN, "--config", self.p.config, "deliver", "--from",
                               "bob@example.org", to], input=message, capture_output=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def client(self, user=USER, password=PASSWORD, **kw):
        c = Jmap(self.p.address("http"), user=user, password=password, **kw)
        self.addCleanup(c.close)
        return c

    def jmap(self, user=USER, password=PASSWORD):
        c = self.client(user, password)
        c.session()
        return c

    def mailboxes(self, c):
        got = c.one("Mailbox/get", {"ids": None})
        return {m["name"]: m for m in got["list"]}


class Session(Base):
    def test_well_known_redirects_and_session_names_the_urls(self):
        c = self.client()
        status, headers, _ = c.request("GET", "/.well-known/jmap")
        self.assertEqual(status, 307)
        self.assertEqual(headers["location"], "/jmap/session")
        s = c.session()
        port = self.p.address("http")[1]
        base = f"http://127.0.0.1:{port}"
        self.assertEqual(s["apiUrl"], base + "/jmap/api")
        self.assertEqual(s["uploadUrl"], base + "/jmap/upload/{accountId}/")
        self.assertEqual(s["downloadUrl"],
                         base + "/jmap/download/{accountId}/{blobId}/{name}?accept={type}")
        self.assertEqual(s["username"], USER)
        account = s["primaryAccounts"]["urn:ietf:params:jmap:mail"]
        self.assertRegex(account, r"^A[1-9][0-9]*$")
        self.assertEqual(s["accounts"][account]["name"], USER)
        self.assertTrue(s["accounts"][account]["isPersonal"])
        core = s["capabilities"]["urn:ietf:params:jmap:core"]
        self.assertEqual(core["maxCallsInRequest"], 32)
        self.assertEqual(core["maxObjectsInGet"], 500)
        self.assertEqual(core["maxSizeRequest"], 10000000)
        self.assertEqual(core["collationAlgorithms"], ["i;unicode-casemap"])

    def test_security_headers_on_every_response(self):
        c = self.client()
        status, headers, _ = c.request("GET", "/jmap/session")
        self.assertEqual(status, 200)
        self.assertEqual(headers["cache-control"], "no-store")
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertEqual(headers["content-type"], "application/json")

    def test_missing_and_wrong_credentials_get_401_and_the_fail2ban_line(self):
        c = self.client(user=None)
        status, headers, body = c.request("GET", "/jmap/session")
        self.assertEqual(status, 401)
        self.assertIn("Bearer", headers["www-authenticate"])
        self.assertEqual(json.loads(body)["status"], 401)
        bad = self.client(password="wrong")
        status, headers, _ = bad.request("GET", "/jmap/session")
        self.assertEqual(status, 401)
        self.p.wait_for_log(r"auth failed: service=http user=<alice@example\.org> "
                            r"rip=127\.0\.0\.1 mechanism=basic")

    def test_bearer_token_works_until_revoked(self):
        made = self.p.cli("token", "create", USER, "--name", "laptop", check=True)
        token = made.out.strip()
        self.assertRegex(token, r"^pat_[A-Za-z0-9_-]{43}$")
        listed = self.p.cli("token", "list", USER, check=True)
        self.assertRegex(listed.out, r"^laptop created \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$")
        c = Jmap(self.p.address("http"), token=token)
        self.addCleanup(c.close)
        self.assertEqual(c.session()["username"], USER)
        self.p.cli("token", "revoke", USER, "--name", "laptop", check=True)
        status, _, _ = c.request("GET", "/jmap/session")
        self.assertEqual(status, 401)
        again = self.p.cli("token", "revoke", USER, "--name", "laptop")
        self.assertNotEqual(again.code, 0)

    def test_https_and_curl(self):
        port = self.p.address("https")[1]
        proc = subprocess.run(["curl", "-sk", "-u", f"{USER}:{PASSWORD}",
                               f"https://127.0.0.1:{port}/jmap/session"],
                              capture_output=True, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        s = json.loads(proc.stdout)
        self.assertEqual(s["apiUrl"], f"https://127.0.0.1:{port}/jmap/api")
        self.assertEqual(s["username"], USER)


class Requests(Base):
    def test_echo_and_request_level_errors(self):
        c = self.jmap()
        out = c.call(["Core/echo", {"hello": True, "n": [1, 2]}, "e1"])
        self.assertEqual(out, [["Core/echo", {"hello": True, "n": [1, 2]}, "e1"]])
        status, headers, body = c.api_raw(b"{not json")
        self.assertEqual(status, 400)
        self.assertEqual(headers["content-type"], "application/problem+json")
        self.assertEqual(json.loads(body)["type"], "urn:ietf:params:jmap:error:notJSON")
        status, _, body = c.api_raw({"using": ["urn:example:nope"], "methodCalls": []})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["type"], "urn:ietf:params:jmap:error:unknownCapability")
        status, _, body = c.api_raw({"using": CAPS, "methodCalls": [["Core/echo", {}, "a"]] * 33})
        self.assertEqual(status, 400)
        problem = json.loads(body)
        self.assertEqual(problem["type"], "urn:ietf:params:jmap:error:limit")
        self.assertEqual(problem["limit"], "maxCallsInRequest")

    def test_method_errors(self):
        c = self.jmap()
        out = c.call(["Nope/get", {}, "a"],
                     ["Mailbox/get", {"accountId": "A999"}, "b"],
                     ["Mailbox/get", {"accountId": c.account_id, "ids": 5}, "c"],
                     ["Mailbox/get", {"accountId": c.account_id, "properties": ["x"]}, "d"],
                     ["Email/changes", {"accountId": c.account_id, "sinceState": "999999"}, "e"],
                     ["Mailbox/get", {"accountId": c.account_id}, "f"],
                     using=["urn:ietf:params:jmap:core"])
        self.assertEqual([r[1]["type"] for r in out],
                         ["unknownMethod"] * 6)
        out = c.call(["Mailbox/get", {"accountId": "A999"}, "b"],
                     ["Mailbox/get", {"accountId": c.account_id, "ids": 5}, "c"],
                     ["Mailbox/get", {"accountId": c.account_id, "properties": ["x"]}, "d"],
                     ["Email/changes", {"accountId": c.account_id, "sinceState": "999999"}, "e"],
                     ["Email/query", {"accountId": c.account_id,
                                      "sort": [{"property": "color"}]}, "f"],
                     ["Email/query", {"accountId": c.account_id,
                                      "filter": {"color": "red"}}, "g"])
        self.assertEqual([(r[0], r[1]["type"], r[2]) for r in out],
                         [("error", "accountNotFound", "b"), ("error", "invalidArguments", "c"),
                          ("error", "invalidArguments", "d"),
                          ("error", "cannotCalculateChanges", "e"),
                          ("error", "unsupportedSort", "f"), ("error", "unsupportedFilter", "g")])

    def test_result_references_chain(self):
        # RFC 8620 §3.7's example shape: query -> get -> thread -> get.
        self.deliver(PLAIN)
        self.deliver(ENCODED)
        c = self.jmap()
        a = c.account_id
        out = c.call(
            ["Email/query", {"accountId": a, "sort": [{"property": "receivedAt",
                                                         "isAscending": False}]}, "t0"],
            ["Email/get", {"accountId": a, "#ids": {"resultOf": "t0", "name": "Email/query",
                                                    "path": "/ids"},
                           "properties": ["threadId"]}, "t1"],
            ["Thread/get", {"accountId": a, "#ids": {"resultOf": "t1", "name": "Email/get",
                                                     "path": "/list/*/threadId"}}, "t2"],
            ["Email/get", {"accountId": a, "#ids": {"resultOf": "t2", "name": "Thread/get",
                                                    "path": "/list/*/emailIds"},
                           "properties": ["subject"]}, "t3"],
            ["Email/get", {"accountId": a, "#ids": {"resultOf": "t9", "name": "Email/get",
                                                    "path": "/ids"}}, "t4"])
        self.assertEqual([r[0] for r in out],
                         ["Email/query", "Email/get", "Thread/get", "Email/get", "error"])
        self.assertEqual(out[4][1]["type"], "invalidResultReference")
        self.assertEqual(len(out[0][1]["ids"]), 2)
        self.assertEqual(sorted(e["subject"] for e in out[3][1]["list"]),
                         ["Grüße aus Köln", "plain one"])


class Limits(Base):
    """[http] limits, each hit: maxSizeRequest (413 before the body is read),
    maxObjectsInGet and maxObjectsInSet (requestTooLarge), the upload size (413)."""

    def setUp(self):
        self.p = Postamt(services=self.services, extra_config=(
            "[http]\nmax_size_request = 2048\nmax_size_upload = 1024\n"
            "max_objects_in_get = 2\nmax_objects_in_set = 1\n"))
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.start()

    def test_limits(self):
        c = self.jmap()
        self.assertEqual(c.session()["capabilities"]["urn:ietf:params:jmap:core"]["maxSizeRequest"],
                         2048)
        status, _, _ = c.api_raw({"using": CAPS, "methodCalls": [["Core/echo", {"x": "y" * 2100}, "a"]]})
        self.assertEqual(status, 413)
        c = self.jmap()  # the 413 closed the connection
        out = c.call(["Mailbox/get", {"accountId": c.account_id, "ids": ["F1", "F2", "F3"]}, "g"],
                     ["Email/set", {"accountId": c.account_id, "destroy": ["M1", "M2"]}, "s"])
        self.assertEqual([(r[0], r[1]["type"]) for r in out],
                         [("error", "requestTooLarge"), ("error", "requestTooLarge")])
        status, _, _ = c.request("POST", f"/jmap/upload/{c.account_id}/", body=b"x" * 1025,
                                 headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(status, 413)


class Mail(Base):
    def test_mailboxes_with_roles_and_counts(self):
        self.deliver(PLAIN)
        c = self.jmap()
        boxes = self.mailboxes(c)
        self.assertEqual(sorted(boxes), ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"])
        inbox = boxes["INBOX"]
        self.assertEqual(inbox["role"], "inbox")
        self.assertIsNone(inbox["parentId"])
        self.assertEqual((inbox["totalEmails"], inbox["unreadEmails"], inbox["totalThreads"],
                          inbox["unreadThreads"]), (1, 1, 1, 1))
        self.assertFalse(inbox["myRights"]["mayDelete"])
        self.assertEqual(boxes["Trash"]["role"], "trash")

    def test_mailbox_set_create_rename_destroy(self):
        c = self.jmap()
        r = c.one("Mailbox/set", {"create": {"p": {"name": "Projects", "parentId": None},
                                             "c": {"name": "2026", "parentId": "#p"}}})
        pid, cid = r["created"]["p"]["id"], r["created"]["c"]["id"]
        self.assertEqual(r["created"]["c"]["totalEmails"], 0)
        boxes = self.mailboxes(c)
        self.assertEqual(boxes["2026"]["parentId"], pid)
        r = c.one("Mailbox/set", {"destroy": [pid]})
        self.assertEqual(r["notDestroyed"][pid]["type"], "mailboxHasChild")
        r = c.one("Mailbox/set", {"update": {cid: {"name": "2027"}}})
        self.assertEqual(r["updated"], {cid: None})
        w = Wire(self.p.address("imap"))
        self.addCleanup(w.close)
        w.login(USER, PASSWORD)
        self.assertIn(b'* LIST (\\HasNoChildren) "/" Projects/2027', w.command(b'LIST "" "Projects/*"'))
        r = c.one("Mailbox/set", {"destroy": [cid, pid]})
        self.assertEqual(r["destroyed"], [cid, pid])
        r = c.one("Mailbox/set", {"create": {"x": {"name": "a/b"}}})
        self.assertEqual(r["notCreated"]["x"]["type"], "invalidProperties")

    def test_email_get_query_and_bodies(self):
        self.deliver(PLAIN)
        self.deliver(ENCODED)
        self.deliver(ATTACHMENT)
        c = self.jmap()
        inbox = self.mailboxes(c)["INBOX"]["id"]
        q = c.one("Email/query", {"filter": {"inMailbox": inbox},
                                  "sort": [{"property": "subject"}], "calculateTotal": True})
        self.assertEqual(q["total"], 3)
        got = c.one("Email/get", {"ids": q["ids"], "properties": ["subject", "from", "mailboxIds",
                                                                 "keywords", "hasAttachment",
                                                                 "bodyValues", "textBody"],
                                  "fetchTextBodyValues": True})
        subjects = [e["subject"] for e in got["list"]]
        self.assertEqual(subjects, ["binary", "Grüße aus Köln", "plain one"])
        plain = got["list"][2]
        self.assertEqual(plain["from"], [{"name": "Bob", "email": "bob@example.org"}])
        self.assertEqual(plain["mailboxIds"], {inbox: True})
        self.assertEqual(plain["keywords"], {})
        self.assertFalse(plain["hasAttachment"])
        part = plain["textBody"][0]["partId"]
        self.assertEqual(plain["bodyValues"][part]["value"], "first line\nsecond line\n")
        self.assertTrue(got["list"][0]["hasAttachment"])
        encoded = got["list"][1]
        part = encoded["textBody"][0]["partId"]
        self.assertEqual(encoded["bodyValues"][part]["value"], "Straße und Fluß\n")
        q = c.one("Email/query", {"filter": {"operator": "OR", "conditions": [
            {"subject": "köln"}, {"body": "second line"}]}, "sort": [{"property": "size"}]})
        self.assertEqual(len(q["ids"]), 2)
        q = c.one("Email/query", {"filter": {"hasAttachment": True}})
        self.assertEqual(q["ids"], [got["list"][0]["id"]])
        q = c.one("Email/query", {"position": 1, "limit": 1})
        self.assertEqual((q["position"], len(q["ids"])), (1, 1))

    def test_header_sorts_across_mailboxes(self):
        # Subjects and senders of messages in two mailboxes sort together (mail/sort.h
        # values compare across mailboxes); equal subjects fall through to the next key.
        self.deliver(PLAIN)
        self.deliver(ENCODED)
        c = self.jmap()
        archive = self.mailboxes(c)["Archive"]["id"]
        status, _, body = c.request("POST", f"/jmap/upload/{c.account_id}/",
                                    body=ATTACHMENT.replace(b"Subject: binary", b"Subject: Re: Plain one"))
        self.assertEqual(status, 201)
        c.one("Email/import", {"emails": {"a": {"blobId": json.loads(body)["blobId"],
                                                "mailboxIds": {archive: True}}}})
        got = lambda ids: [e["subject"] for e in c.one("Email/get", {"ids": ids, "properties": ["subject"]})["list"]]
        q = c.one("Email/query", {"sort": [{"property": "subject"}, {"property": "size", "isAscending": False}]})
        self.assertEqual(got(q["ids"]), ["Grüße aus Köln", "Re: Plain one", "plain one"])
        q = c.one("Email/query", {"sort": [{"property": "from", "isAscending": False}]})
        self.assertEqual(got(q["ids"])[0], "Grüße aus Köln")  # carol@ after bob@

    def test_query_changes_splice_to_the_new_results(self):
        # RFC 8620 §5.6: splicing out `removed` and in `added` turns the cached old
        # results into the new ones, for a mutable filter (notKeyword $seen) and sort.
        for i in range(6):
            self.deliver(PLAIN.replace(b"p1@", b"p%d@" % i).replace(b"plain one", b"m%d" % i))
        c = self.jmap()
        args = {"filter": {"notKeyword": "$seen"},
                "sort": [{"property": "subject", "isAscending": False}]}
        q = c.one("Email/query", args)
        self.assertTrue(q["canCalculateChanges"])
        old, state = q["ids"], q["queryState"]
        self.assertEqual(len(old), 6)
        c.one("Email/set", {"update": {old[1]: {"keywords/$seen": True}},
                            "destroy": [old[4]]})
        self.deliver(PLAIN.replace(b"p1@", b"p9@").replace(b"plain one", b"m9"))
        ch = c.one("Email/queryChanges", dict(args, sinceQueryState=state, calculateTotal=True))
        self.assertEqual(ch["oldQueryState"], state)
        cached = [i for i in old if i not in ch["removed"]]
        for item in ch["added"]:
            cached.insert(item["index"], item["id"])
        now = c.one("Email/query", args)
        self.assertEqual(cached, now["ids"])
        self.assertEqual(ch["newQueryState"], now["queryState"])
        self.assertEqual(ch["total"], 5)  # 6 - one read - one destroyed + one new
        out = c.call(["Email/queryChanges", dict(args, accountId=c.account_id,
                                                 sinceQueryState=state, maxChanges=1), "x"])
        self.assertEqual(out[0][1]["type"], "tooManyChanges")

    def test_keywords_cross_protocol_and_mdnsent_latch(self):
        self.deliver(PLAIN)
        c = self.jmap()
        [eid] = c.one("Email/query", {})["ids"]
        state = c.one("Email/get", {"ids": [eid], "properties": ["keywords"]})["state"]
        r = c.one("Email/set", {"update": {eid: {"keywords/$seen": True,
                                                 "keywords/$mdnsent": True}}})
        self.assertEqual(r["updated"], {eid: None})
        w = Wire(self.p.address("imap"))
        self.addCleanup(w.close)
        w.login(USER, PASSWORD)
        w.command(b"SELECT INBOX")
        self.assertEqual(w.command(b"FETCH 1 FLAGS"), [b"* 1 FETCH (FLAGS (\\Seen \\Recent $MDNSent))"])
        # An IMAP change shows in Email/changes.
        w.command(b"STORE 1 +FLAGS (\\Flagged)")
        ch = c.one("Email/changes", {"sinceState": state})
        self.assertEqual((ch["created"], ch["updated"], ch["destroyed"]), ([], [eid], []))
        # $MDNSent is a one-way latch (RFC 3503): replacing keywords keeps it.
        c.one("Email/set", {"update": {eid: {"keywords": {}}}})
        got = c.one("Email/get", {"ids": [eid], "properties": ["keywords"]})
        self.assertEqual(got["list"][0]["keywords"], {"$mdnsent": True})

    def test_move_destroy_and_changes(self):
        self.deliver(PLAIN)
        c = self.jmap()
        boxes = self.mailboxes(c)
        inbox, archive = boxes["INBOX"]["id"], boxes["Archive"]["id"]
        [eid] = c.one("Email/query", {})["ids"]
        state = c.one("Mailbox/get", {"ids": [inbox]})["state"]
        r = c.one("Email/set", {"update": {eid: {"mailboxIds": {archive: True}}}})
        self.assertEqual(r["updated"], {eid: None})
        got = c.one("Email/get", {"ids": [eid], "properties": ["mailboxIds"]})
        self.assertEqual(got["list"][0]["mailboxIds"], {archive: True})
        mc = c.one("Mailbox/changes", {"sinceState": state})
        self.assertEqual(sorted(mc["updated"]), sorted([inbox, archive]))
        self.assertEqual(mc["updatedProperties"],
                         ["totalEmails", "unreadEmails", "totalThreads", "unreadThreads"])
        ec = c.one("Email/changes", {"sinceState": state})
        self.assertEqual((ec["created"], ec["updated"], ec["destroyed"]), ([], [eid], []))
        r = c.one("Email/set", {"destroy": [eid]})
        self.assertEqual(r["destroyed"], [eid])
        ec = c.one("Email/changes", {"sinceState": r["oldState"]})
        self.assertEqual(ec["destroyed"], [eid])
        self.assertEqual(c.one("Email/query", {})["ids"], [])
        out = c.call(["Email/set", {"accountId": c.account_id, "ifInState": "1",
                                    "destroy": [eid]}, "s"])
        self.assertEqual(out, [["error", {"type": "stateMismatch"}, "s"]])

    def test_upload_import_download_and_other_accounts_blobs(self):
        c = self.jmap()
        inbox = self.mailboxes(c)["INBOX"]["id"]
        status, _, body = c.request("POST", f"/jmap/upload/{c.account_id}/", body=PLAIN,
                                    headers={"Content-Type": "message/rfc822"})
        self.assertEqual(status, 201, body)
        up = json.loads(body)
        self.assertEqual((up["type"], up["size"]), ("message/rfc822", len(PLAIN)))
        r = c.one("Email/import", {"emails": {"i": {"blobId": up["blobId"],
                                                    "mailboxIds": {inbox: True},
                                                    "keywords": {"$seen": True}}}})
        created = r["created"]["i"]
        self.assertEqual(created["size"], len(PLAIN))
        status, headers, data = c.request(
            "GET", f"/jmap/download/{c.account_id}/{created['blobId']}/m.eml?accept=message/rfc822")
        self.assertEqual(status, 200)
        self.assertEqual(data, PLAIN)
        self.assertEqual(headers["content-type"], "message/rfc822")
        self.assertEqual(headers["content-disposition"], 'attachment; filename="m.eml"')
        # Another account can neither download nor import the blob.
        other = self.jmap(OTHER, OTHER_PASSWORD)
        status, _, _ = other.request(
            "GET", f"/jmap/download/{other.account_id}/{created['blobId']}/m.eml")
        self.assertEqual(status, 404)
        other_inbox = self.mailboxes(other)["INBOX"]["id"]
        r = other.one("Email/import", {"emails": {"i": {"blobId": up["blobId"],
                                                        "mailboxIds": {other_inbox: True}}}})
        self.assertEqual(r["notCreated"]["i"]["type"], "blobNotFound")


if __name__ == "__main__":
    unittest.main()
