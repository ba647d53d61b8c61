"""A small JMAP client over Python's http.client for the integration tests: HTTP Basic or
bearer credentials, the session resource, API calls, upload and download."""

import base64
import http.client
import json
import ssl

from harness import unverified_context

CAPS = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail",
        "urn:ietf:params:jmap:submission"]


class Jmap:
    def __init__(self, address, user=None, password=None, token=None, tls=False):
        host, port = address
        if tls:
            self.conn = http.client.HTTPSConnection(host, port, timeout=30,
                                                    context=unverified_context())
        else:
            self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.headers = {}
        if token is not None:
            self.headers["Authorization"] = "Bearer " + token
        elif user is not None:
            raw = f"{user}:{password}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
        self.account_id = None

    def close(self):
        self.conn.close()

    def request(self, method, path, body=None, headers=None):
        """Returns (status, headers dict with lowercase names, body bytes)."""
        h = dict(self.headers)
        h.update(headers or {})
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def session(self):
        status, headers, body = self.request("GET", "/jmap/session")
        assert status == 200, (status, body)
        s = json.loads(body)
        self.account_id = s["primaryAccounts"]["urn:ietf:params:jmap:mail"]
        return s

    def api_raw(self, payload):
        body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
        return self.request("POST", "/jmap/api", body=body,
                            headers={"Content-Type": "application/json"})

    def call(self, *calls, using=CAPS, created_ids=None):
        """Runs method calls [name, args, id]; returns the methodResponses list."""
        payload = {"using": using, "methodCalls": [list(c) for c in calls]}
        if created_ids is not None:
            payload["createdIds"] = created_ids
        status, headers, body = self.api_raw(payload)
        assert status == 200, (status, body)
        assert headers["content-type"] == "application/json", headers
        return json.loads(body)["methodResponses"]

    def one(self, name, args):
        """One call; returns its response arguments (fails on an error response)."""
        args = dict(args)
        args.setdefault("accountId", self.account_id)
        [(rname, rargs, cid)] = self.call([name, args, "c0"])
        assert rname == name, (rname, rargs)
        return rargs
