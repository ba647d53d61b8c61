"""The webmail's server side against the real binary with http.client: the embedded
client (index page, hashed assets, gzip, validators, client routes), sign-in with a
session cookie, the CSRF rule on every changing request (webmail and JMAP), the
settings, signing out (here and everywhere), idle expiry, and the plaintext rule."""

import gzip
import http.client
import json
import re
import time
import unittest

from harness import Postamt, unverified_context
from test_imap_commands import OTHER, OTHER_PASSWORD, PASSWORD, USER, cheap_hash

CLIENT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https: http:; media-src 'self' blob:; font-src 'self'; "
    "connect-src 'self'; frame-src 'self' blob:; child-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
COOKIE_RE = re.compile(r"^postamt_session=([A-Za-z0-9_-]{43}); Path=/; HttpOnly; SameSite=Strict$")
JMAP_USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]


class Browser:
    """What a browser does with one origin: keeps the session cookie, sends it back."""

    def __init__(self, address, tls=False):
        host, port = address
        if tls:
            self.conn = http.client.HTTPSConnection(host, port, timeout=30,
                                                    context=unverified_context())
        else:
            self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookie = None
        self.csrf = None

    def close(self):
        self.conn.close()

    def request(self, method, path, body=None, headers=None, csrf=True):
        h = dict(headers or {})
        if self.cookie is not None:
            h["Cookie"] = "theme=dark; postamt_session=" + self.cookie
        if csrf and self.csrf is not None and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        headers = {}
        for k, v in r.getheaders():
            headers.setdefault(k.lower(), v)
        return r.status, headers, data

    def login(self, user=USER, password=PASSWORD):
        status, headers, body = self.request(
            "POST", "/webmail/login", {"username": user, "password": password})
        if status == 200:
            m = COOKIE_RE.match(headers["set-cookie"])
            assert m, headers["set-cookie"]
            self.cookie = m.group(1)
            self.csrf = json.loads(body)["csrfToken"]
        return status, headers, body

    def api(self, calls, csrf=True):
        return self.request("POST", "/jmap/api", {"using": JMAP_USING, "methodCalls": calls},
                            csrf=csrf)


class Base(unittest.TestCase):
    services = ("http",)
    extra_config = ""
    plaintext = "loopback"

    def setUp(self):
        self.p = Postamt(services=self.services, extra_config=self.extra_config,
                         auth_plaintext=self.plaintext)
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.cli("user", "add", OTHER, "--password-hash", cheap_hash(OTHER_PASSWORD),
                   check=True)
        self.p.start()

    def browser(self, service="http"):
        b = Browser(self.p.address(service), tls=service == "https")
        self.addCleanup(b.close)
        return b


class Client(Base):
    def test_index_page_with_its_policy_validator_and_gzip(self):
        b = self.browser()
        status, headers, page = b.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "text/html; charset=utf-8")
        self.assertEqual(headers["content-security-policy"], CLIENT_CSP)
        self.assertEqual(headers["cache-control"], "no-cache")
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertNotIn("content-encoding", headers)
        self.assertIn(b"<html", page)
        etag = headers["etag"]
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')

        status, headers, packed = b.request("GET", "/", headers={"Accept-Encoding": "br, gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-encoding"], "gzip")
        self.assertEqual(headers["vary"], "Accept-Encoding")
        self.assertEqual(gzip.decompress(packed), page)
        status, headers, _ = b.request("GET", "/", headers={"Accept-Encoding": "gzip;q=0"})
        self.assertNotIn("content-encoding", headers)

        status, headers, body = b.request("GET", "/", headers={"If-None-Match": etag})
        self.assertEqual(status, 304)
        self.assertEqual(body, b"")
        self.assertEqual(headers["etag"], etag)
        status, _, _ = b.request("GET", "/", headers={"If-None-Match": '"other"'})
        self.assertEqual(status, 200)

    def test_hashed_assets_are_cached_for_a_year(self):
        b = self.browser()
        _, _, page = b.request("GET", "/index.html")
        scripts = re.findall(rb'src="(/assets/[^"]+\.js)"', page)
        self.assertTrue(scripts, page)
        status, headers, body = b.request("GET", scripts[0].decode(),
                                          headers={"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "text/javascript; charset=utf-8")
        self.assertEqual(headers["cache-control"], "public, max-age=31536000, immutable")
        self.assertEqual(headers["content-encoding"], "gzip")
        self.assertGreater(len(gzip.decompress(body)), len(body))

    def test_client_routes_get_the_page_and_other_paths_do_not(self):
        b = self.browser()
        _, _, page = b.request("GET", "/")
        status, headers, body = b.request("GET", "/mail/inbox/M12")
        self.assertEqual((status, body), (200, page))
        status, headers, body = b.request("GET", "/missing.js")
        self.assertEqual((status, body), (404, b"Not found\n"))
        self.assertEqual(b.request("GET", "/assets/missing")[0], 404)
        status, headers, _ = b.request("POST", "/")
        self.assertEqual(status, 405)
        self.assertEqual(headers["allow"], "GET, HEAD")
        # JMAP keeps its own paths.
        self.assertEqual(b.request("GET", "/jmap/session")[0], 401)
        self.assertEqual(b.request("GET", "/webmail/nothing")[0], 404)


class SignIn(Base):
    def test_sign_in_sets_a_strict_cookie_and_jmap_accepts_it(self):
        b = self.browser()
        status, headers, body = b.login()
        self.assertEqual(status, 200)
        self.assertEqual(headers["cache-control"], "no-store")
        got = json.loads(body)
        self.assertEqual(sorted(got), ["accountId", "csrfToken", "username"])
        self.assertEqual(got["username"], USER)
        self.assertRegex(got["csrfToken"], r"^[A-Za-z0-9_-]{32}$")

        status, _, body = b.request("GET", "/jmap/session")
        self.assertEqual(status, 200)
        session = json.loads(body)
        self.assertEqual(session["username"], USER)
        self.assertEqual(session["primaryAccounts"]["urn:ietf:params:jmap:mail"],
                         got["accountId"])
        status, _, body = b.request("GET", "/webmail/session")
        self.assertEqual((status, json.loads(body)), (200, got))

        calls = [["Mailbox/get", {"accountId": got["accountId"], "ids": None,
                                  "properties": ["name"]}, "0"]]
        status, _, body = b.api(calls, csrf=False)
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(body)["detail"], "a missing or wrong X-CSRF-Token header")
        status, _, body = b.api(calls)
        self.assertEqual(status, 200, body)
        names = [m["name"] for m in json.loads(body)["methodResponses"][0][1]["list"]]
        self.assertIn("INBOX", names)
        saved = b.csrf
        b.csrf = saved[:-1] + ("A" if saved[-1] != "A" else "B")
        self.assertEqual(b.api(calls)[0], 403)
        b.csrf = saved
        # An upload changes something too.
        status, _, _ = b.request("POST", f"/jmap/upload/{got['accountId']}/", body=b"hello",
                                 csrf=False)
        self.assertEqual(status, 403)

    def test_wrong_password_is_refused_logged_and_sets_no_cookie(self):
        b = self.browser()
        start = len(self.p.log_lines)
        status, headers, body = b.login(password="wrong")
        self.assertEqual(status, 401)
        self.assertNotIn("set-cookie", headers)
        self.assertEqual(json.loads(body)["detail"], "wrong address or password")
        self.p.wait_for_log(r"auth failed: service=http user=<alice@example\.org> "
                            r"rip=127\.0\.0\.1 mechanism=webmail", start=start)
        self.assertEqual(b.login(user="nobody@example.org")[0], 401)

    def test_malformed_sign_ins(self):
        b = self.browser()
        status, _, body = b.request("POST", "/webmail/login", body=b"username=a&password=b",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 415)
        for payload in (b"{", b"[]", b'{"username":"a"}', b'{"username":"","password":"x"}',
                        b'{"username":1,"password":"x"}'):
            status, _, _ = b.request("POST", "/webmail/login", body=payload,
                                     headers={"Content-Type": "application/json"})
            self.assertEqual(status, 400, payload)
        self.assertEqual(b.request("GET", "/webmail/login")[0], 405)
        status, _, _ = b.request("POST", "/webmail/login", body=b"x" * (64 * 1024 + 1),
                                 headers={"Content-Type": "application/json"})
        self.assertEqual(status, 413)

    def test_a_token_signs_in_only_its_own_user(self):
        out = self.p.cli("token", "create", USER, "--name", "browser", check=True).out
        token = re.search(r"pat_[A-Za-z0-9_-]{43}", out).group(0)
        b = self.browser()
        self.assertEqual(b.login(user=OTHER, password=token)[0], 401)
        self.assertEqual(b.login(user=USER, password=token)[0], 200)
        self.assertEqual(b.request("GET", "/jmap/session")[0], 200)

    def test_a_scripts_request_gets_no_basic_challenge(self):
        # A browser would answer a Basic challenge to fetch() with its own password dialog.
        b = self.browser()
        status, headers, _ = b.request("GET", "/jmap/session",
                                       headers={"Sec-Fetch-Mode": "cors"})
        self.assertEqual(status, 401)
        self.assertEqual(headers["www-authenticate"], 'Bearer realm="postamt"')
        status, headers, _ = b.request("GET", "/jmap/session",
                                       headers={"Sec-Fetch-Mode": "navigate"})
        self.assertEqual(headers["www-authenticate"], 'Basic realm="postamt", charset="UTF-8"')

    def test_without_a_cookie_nothing_is_reachable(self):
        b = self.browser()
        for method, path in (("GET", "/webmail/session"), ("GET", "/webmail/settings"),
                             ("POST", "/webmail/logout"), ("GET", "/jmap/session")):
            self.assertEqual(b.request(method, path)[0], 401, path)
        b.cookie = "A" * 43
        status, _, body = b.request("GET", "/jmap/session")
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)["detail"], "the session has expired or ended")


class Settings(Base):
    def test_settings_are_per_user_and_checked(self):
        b = self.browser()
        b.login()
        status, _, body = b.request("GET", "/webmail/settings")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {
            "language": None,
            "receipts": {"choice": "ask", "locked": False, "lockedBy": None,
                         "lockedReason": None, "serverOnDownload": "off",
                         "onePerRecipient": True}})
        update = {"language": "de", "receiptChoice": "never"}
        self.assertEqual(b.request("PUT", "/webmail/settings", update, csrf=False)[0], 403)
        status, _, body = b.request("PUT", "/webmail/settings", update)
        self.assertEqual(status, 200)
        got = json.loads(body)
        self.assertEqual((got["language"], got["receipts"]["choice"]), ("de", "never"))
        status, _, body = b.request("PUT", "/webmail/settings", {"receiptChoice": "maybe"})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["detail"],
                         "receiptChoice must be \"ask\", \"always\" or \"never\"")

        # Another device of the same user sees the choice; another user does not.
        phone = self.browser()
        phone.login()
        got = json.loads(phone.request("GET", "/webmail/settings")[2])
        self.assertEqual((got["language"], got["receipts"]["choice"]), ("de", "never"))
        bob = self.browser()
        bob.login(OTHER, OTHER_PASSWORD)
        got = json.loads(bob.request("GET", "/webmail/settings")[2])
        self.assertEqual((got["language"], got["receipts"]["choice"]), (None, "ask"))

    def test_a_receipt_policy_override_locks_the_choice(self):
        self.p.cli("receipts", "policy", "set", "--user", USER, "on_download", "displayed",
                   check=True)
        b = self.browser()
        b.login()
        receipts = json.loads(b.request("GET", "/webmail/settings")[2])["receipts"]
        self.assertEqual(receipts["locked"], True)
        self.assertEqual(receipts["lockedBy"], "user")
        self.assertEqual(receipts["serverOnDownload"], "displayed")


class SignOut(Base):
    def test_sign_out_ends_this_session_only(self):
        laptop, phone = self.browser(), self.browser()
        laptop.login()
        phone.login()
        self.assertEqual(laptop.request("POST", "/webmail/logout", {}, csrf=False)[0], 403)
        status, headers, body = laptop.request("POST", "/webmail/logout", {"everywhere": False})
        self.assertEqual((status, body), (204, b""))
        self.assertEqual(headers["set-cookie"],
                         "postamt_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
        self.assertEqual(laptop.request("GET", "/jmap/session")[0], 401)
        self.assertEqual(phone.request("GET", "/jmap/session")[0], 200)

    def test_sign_out_everywhere(self):
        laptop, phone = self.browser(), self.browser()
        laptop.login()
        phone.login()
        status, _, _ = laptop.request("POST", "/webmail/logout", {"everywhere": True})
        self.assertEqual(status, 204)
        self.assertEqual(laptop.request("GET", "/webmail/session")[0], 401)
        self.assertEqual(phone.request("GET", "/webmail/session")[0], 401)
        self.assertEqual(phone.request("GET", "/jmap/session")[0], 401)
        self.assertEqual(laptop.request("POST", "/webmail/logout", {"everywhere": "yes"})[0], 401)


class IdleExpiry(Base):
    extra_config = '[webmail]\nsession_idle_timeout = "2s"\n'

    def test_an_unused_session_expires(self):
        b = self.browser()
        b.login()
        self.assertEqual(b.request("GET", "/jmap/session")[0], 200)
        time.sleep(3.5)  # past the configured idle timeout
        status, _, body = b.request("GET", "/jmap/session")
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)["detail"], "the session has expired or ended")
        self.assertEqual(b.request("GET", "/webmail/session")[0], 401)


class PlaintextNever(Base):
    services = ("http", "https")
    plaintext = "never"

    def test_passwords_only_over_tls_and_the_cookie_is_secure_there(self):
        b = self.browser("http")
        status, headers, body = b.login()
        self.assertEqual(status, 403)
        self.assertNotIn("set-cookie", headers)
        s = self.browser("https")
        status, headers, _ = s.request("POST", "/webmail/login",
                                       {"username": USER, "password": PASSWORD})
        self.assertEqual(status, 200)
        self.assertRegex(headers["set-cookie"],
                         r"^postamt_session=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; "
                         r"SameSite=Strict$")


class Disabled(Base):
    extra_config = "[webmail]\nenabled = false\n"

    def test_only_jmap_answers(self):
        b = self.browser()
        self.assertEqual(b.request("GET", "/")[0], 404)
        self.assertEqual(b.request("GET", "/webmail/session")[0], 404)
        # Nothing but JMAP takes a body: a sign-in is refused before it is read.
        self.assertEqual(b.request("POST", "/webmail/login",
                                   {"username": USER, "password": PASSWORD})[0], 413)
        self.assertEqual(b.request("GET", "/jmap/session")[0], 401)


if __name__ == "__main__":
    unittest.main()
