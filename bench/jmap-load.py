#!/usr/bin/env python3
"""The JMAP load client of `make bench` (RFC 8620/8621): the same requests, byte for byte
apart from the account and ids each server hands out, to Postamt and to Cyrus. One
kept-alive HTTP/1.1 connection (http.client), HTTP Basic or a bearer token. Prints "key=value" lines for
bench/run; any failure exits 1 with the reason, because a bench that skipped a failed
request would report a time for work not done.

  jmap-load.py --port P --session-path PATH --user U [--password PW | --token T] [--runs N]

Each timed request counts from the first byte sent to the last byte of the response read;
JSON encoding and decoding happen outside the clock, so the client's own cost is the same
for both servers. Modes (both run, in this order, on one connection):
  query:   Email/query (inMailbox INBOX, receivedAt descending, limit 50, no total) and
           Email/get of its ids by a result reference (RFC 8620 §3.7), one request;
           query_ms = the median of N runs.
  session: a webmail's first screen and one opened message, each its own request: the
           session resource, Mailbox/get (all), Email/query+get as above with
           collapseThreads, Email/get of one message with its body values, Email/set
           keywords/$seen on it, Email/changes from the state the session began with;
           session_ms = the median of N sessions' totals (each opens the newest unread
           message, so every Email/set changes something); <step>_ms = each request's
           median over the sessions, for finding where the time goes.
"""

import argparse
import base64
import http.client
import json
import statistics
import sys
import time
import urllib.parse

USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]
LIST_PROPERTIES = ["id", "threadId", "mailboxIds", "keywords", "from", "subject",
                   "receivedAt", "preview", "hasAttachment", "size"]
# What a webmail asks for when it opens one message (RFC 8621 §4.2).
OPEN_PROPERTIES = ["id", "blobId", "threadId", "mailboxIds", "keywords", "from", "to", "cc",
                   "bcc", "replyTo", "subject", "sentAt", "receivedAt", "size", "textBody",
                   "htmlBody", "attachments", "bodyValues", "hasAttachment"]
PAGE = 50


class BenchError(Exception):
    pass


class Client:
    def __init__(self, port, user, password, token):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        if token:
            self.auth = "Bearer " + token
        else:
            raw = f"{user}:{password}".encode()
            self.auth = "Basic " + base64.b64encode(raw).decode()
        self.api_path = None
        self.account = None

    def timed(self, method, path, body=None):
        """Returns (milliseconds, decoded JSON); the clock stops before decoding."""
        headers = {"Authorization": self.auth}
        if body is not None:
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise BenchError(f"{method} {path}: HTTP {response.status}: {data[:300]!r}")
        return elapsed, json.loads(data)

    def session(self, path):
        elapsed, session = self.timed("GET", path)
        # apiUrl may be absolute (Postamt) or a path (Cyrus).
        self.api_path = urllib.parse.urlsplit(session["apiUrl"]).path
        self.account = session["primaryAccounts"]["urn:ietf:params:jmap:mail"]
        return elapsed

    def api(self, *calls):
        """Runs [name, args, id] calls; returns (ms, {call id: arguments}). A method error
        response is a failure."""
        body = json.dumps({"using": USING, "methodCalls": [list(c) for c in calls]})
        elapsed, reply = self.timed("POST", self.api_path, body.encode())
        out = {}
        for name, args, call_id in reply["methodResponses"]:
            if name == "error":
                raise BenchError(f"{call_id}: {json.dumps(args)[:300]}")
            out[call_id] = args
        return elapsed, out


def query_and_get(client, inbox, collapse_threads):
    query = {"accountId": client.account, "filter": {"inMailbox": inbox},
             "sort": [{"property": "receivedAt", "isAscending": False}],
             "limit": PAGE, "calculateTotal": False}
    if collapse_threads:
        query["collapseThreads"] = True
    get = {"accountId": client.account, "properties": LIST_PROPERTIES,
           "#ids": {"resultOf": "q", "name": "Email/query", "path": "/ids"}}
    elapsed, out = client.api(["Email/query", query, "q"], ["Email/get", get, "g"])
    ids = out["q"]["ids"]
    listed = out["g"]["list"]
    if len(ids) != PAGE or len(listed) != PAGE:
        raise BenchError(f"Email/query+get: {len(ids)} ids, {len(listed)} emails, want {PAGE}")
    if [e["id"] for e in listed] != ids:
        raise BenchError("Email/get did not return the queried ids in order")
    for e in listed:
        if not e.get("subject") or not e.get("preview") or e.get("size", 0) <= 0:
            raise BenchError(f"Email/get: incomplete email {json.dumps(e)[:300]}")
    return elapsed, listed, out["g"]["state"]


def find_inbox(client):
    _, out = client.api(["Mailbox/get", {"accountId": client.account, "ids": None}, "m"])
    for mailbox in out["m"]["list"]:
        if mailbox.get("role") == "inbox":
            return mailbox["id"]
    raise BenchError("no mailbox with role inbox")


STEPS = ["resource", "mailboxes", "list", "open", "seen", "changes"]


def webmail_session(client, session_path):
    """Milliseconds of each of STEPS in one session; opens the newest unread message."""
    times = [client.session(session_path)]
    ms, out = client.api(["Mailbox/get", {"accountId": client.account, "ids": None}, "m"])
    times.append(ms)
    inbox = next((m["id"] for m in out["m"]["list"] if m.get("role") == "inbox"), None)
    if inbox is None:
        raise BenchError("Mailbox/get: no inbox")
    ms, listed, state = query_and_get(client, inbox, collapse_threads=True)
    times.append(ms)
    # An unread one, so that Email/set changes something in every session and every run.
    target = next((e["id"] for e in listed if not e["keywords"].get("$seen")), None)
    if target is None:
        raise BenchError("no unread email among the newest")
    ms, out = client.api(["Email/get", {
        "accountId": client.account, "ids": [target], "properties": OPEN_PROPERTIES,
        "fetchHTMLBodyValues": True, "fetchTextBodyValues": True}, "o"])
    times.append(ms)
    [opened] = out["o"]["list"]
    if not opened.get("bodyValues"):
        raise BenchError("Email/get: no bodyValues")
    ms, out = client.api(["Email/set", {
        "accountId": client.account, "update": {target: {"keywords/$seen": True}}}, "s"])
    times.append(ms)
    if target not in (out["s"].get("updated") or {}):
        raise BenchError(f"Email/set: not updated: {json.dumps(out['s'])[:300]}")
    ms, out = client.api(["Email/changes", {"accountId": client.account,
                                            "sinceState": state}, "c"])
    times.append(ms)
    changed = (out["c"].get("updated") or []) + (out["c"].get("created") or [])
    if target not in changed:
        raise BenchError(f"Email/changes: {target} missing: {json.dumps(out['c'])[:300]}")
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--session-path", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", default="bench-password")
    parser.add_argument("--token")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    client = Client(options.port, options.user, options.password, options.token)
    try:
        client.session(options.session_path)
        inbox = find_inbox(client)
        runs = [query_and_get(client, inbox, collapse_threads=False)[0]
                for _ in range(options.runs)]
        print("query_ms=%.1f query_runs_ms=%s" % (
            statistics.median(runs), ",".join("%.1f" % r for r in runs)))
        sessions = [webmail_session(client, options.session_path)
                    for k in range(options.runs)]
        totals = [sum(steps) for steps in sessions]
        print("session_ms=%.1f session_runs_ms=%s" % (
            statistics.median(totals), ",".join("%.1f" % t for t in totals)))
        print(" ".join("%s_ms=%.1f" % (name, statistics.median(s[i] for s in sessions))
                       for i, name in enumerate(STEPS)))
    except (BenchError, OSError, http.client.HTTPException, KeyError, ValueError) as e:
        print(f"jmap-load: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
