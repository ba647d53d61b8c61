"""JMAP PushSubscription (RFC 8620 §7.2) against the real binary: a Python HTTPS receiver
(a certificate made at test time with the openssl CLI, trusted through [http] push_ca_file)
gets the PushVerification, then one StateChange per change made over IMAP or SMTP once the
client proved the code; types filter, expiry bounds, the per-account limit, destroy, token
revocation, 410 Gone, 503 back-off, SSRF refusals in the default configuration, and RFC 8291
encryption (decrypted here with python3-cryptography)."""

import datetime
import http.server
import imaplib
import json
import os
import re
import smtplib
import ssl
import subprocess
import tempfile
import shutil
import threading
import time
import unittest

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import store_peek
from harness import Postamt
from jmap_client import Jmap
from test_imap_commands import PASSWORD, PLAIN, USER, cheap_hash

WAIT = 10  # seconds a test waits for a POST before it fails (never a timing assertion)
CAPS = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]
CODE = re.compile(r"^[0-9a-f]{32}$")


def b64url(raw):
    import base64
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def utc(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


class Receiver:
    """An HTTPS push service on 127.0.0.1: records every POST (path, lowercased headers,
    body) and answers each path with the statuses queued for it (201 when none)."""

    def __init__(self, cert, key):
        self.posts = []
        self.answers = {}
        self.cond = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.cond:
                    queued = receiver.answers.get(self.path, [])
                    status = queued.pop(0) if queued else 201
                    receiver.posts.append(
                        (self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    receiver.cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a POST cut off when a test stops the server mid-request

        self.server = Server(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def url(self, path, host="127.0.0.1"):
        return f"https://{host}:{self.port}{path}"

    def answer(self, path, *statuses):
        with self.cond:
            self.answers.setdefault(path, []).extend(statuses)

    def received(self, path):
        with self.cond:
            return [(h, b) for p, h, b in self.posts if p == path]

    def wait(self, path, count):
        """The first `count` POSTs to `path`, waiting for them."""
        deadline = time.monotonic() + WAIT
        with self.cond:
            while True:
                got = [(h, b) for p, h, b in self.posts if p == path]
                if len(got) >= count:
                    return got[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(got)} POSTs to {path} within {WAIT}s, not {count}; "
                                         f"all: {[p for p, _, _ in self.posts]}")
                self.cond.wait(left)


def make_certificate(folder):
    cert, key = os.path.join(folder, "push.pem"), os.path.join(folder, "push.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def decrypt(body, private_key, auth):
    """RFC 8291 §3.4 / RFC 8188 §2: the user agent's side."""
    salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    as_public, record = body[21:21 + idlen], body[21 + idlen:]
    assert rs == 4096 and idlen == 65 and len(record) <= rs, (rs, idlen, len(record))
    ua_public = private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                      serialization.PublicFormat.UncompressedPoint)
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public)
    secret = private_key.exchange(ec.ECDH(), peer)
    ikm = HKDF(hashes.SHA256(), 32, auth, b"WebPush: info\0" + ua_public + as_public).derive(secret)
    cek = HKDF(hashes.SHA256(), 16, salt, b"Content-Encoding: aes128gcm\0").derive(ikm)
    nonce = HKDF(hashes.SHA256(), 12, salt, b"Content-Encoding: nonce\0").derive(ikm)
    plain = AESGCM(cek).decrypt(nonce, record, None).rstrip(b"\0")
    assert plain.endswith(b"\x02"), plain
    return plain[:-1]


class PushSubscriptionBase(unittest.TestCase):
    allow_private = True
    extra_http = 'push_ttl = "1h"\n'

    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="postamt-push-")
        cls.cert, cls.key = make_certificate(cls.certs)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certs, ignore_errors=True)

    def setUp(self):
        self.receiver = Receiver(self.cert, self.key)
        self.addCleanup(self.receiver.close)
        http_config = f'[http]\npush_ca_file = "{self.cert}"\n{self.extra_http}'
        if self.allow_private:
            http_config += "push_allow_private_addresses = true\n"
        self.p = Postamt(services=("http", "smtp", "imap"), extra_config=http_config)
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.start()
        self.c = self.client()

    def client(self, **kw):
        if not kw:
            kw = {"user": USER, "password": PASSWORD}
        c = Jmap(self.p.address("http"), **kw)
        self.addCleanup(c.close)
        c.session()
        return c

    def push_call(self, name, args, c=None):
        [(rname, rargs, _)] = (c or self.c).call([name, args, "p"], using=CAPS)
        return rname, rargs

    def push_set(self, args, c=None):
        name, result = self.push_call("PushSubscription/set", args, c)
        self.assertEqual(name, "PushSubscription/set", result)
        return result

    def push_get(self, args, c=None):
        name, result = self.push_call("PushSubscription/get", args, c)
        self.assertEqual(name, "PushSubscription/get", result)
        return result

    def create(self, path, c=None, **props):
        """Creates a subscription to `path`; returns (id, the created object)."""
        props.setdefault("deviceClientId", "device-" + path.strip("/"))
        props.setdefault("url", self.receiver.url(path))
        result = self.push_set({"create": {"k": props}}, c)
        self.assertIsNone(result["notCreated"], result)
        created = result["created"]["k"]
        return created["id"], created

    def verification(self, path, index=1):
        headers, body = self.receiver.wait(path, index)[index - 1]
        return headers, json.loads(body)

    def verify(self, path, c=None, **props):
        """A subscription to `path`, verified with the code its PushVerification carried."""
        sid, _ = self.create(path, c, **props)
        _, message = self.verification(path)
        result = self.push_set({"update": {sid: {"verificationCode": message["verificationCode"]}}}, c)
        self.assertEqual(result["updated"], {sid: None}, result)
        return sid

    def state(self):
        return self.c.one("Email/get", {"ids": []})["state"]

    def imap_flag(self):
        imap = imaplib.IMAP4(*self.p.address("imap"), timeout=30)
        imap.login(USER, PASSWORD)
        imap.select("INBOX")
        typ, _ = imap.store("1", "+FLAGS", "(\\Flagged)")
        self.assertEqual(typ, "OK")
        imap.logout()

    def smtp_deliver(self):
        with smtplib.SMTP(*self.p.address("smtp"), timeout=30) as m:
            m.ehlo("client.example")
            m.sendmail("bob@remote.example", [USER], PLAIN)

    def state_change(self, path, index, types):
        """The index-th POST to `path` is the StateChange naming `types` at today's state."""
        headers, body = self.receiver.wait(path, index)[index - 1]
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["ttl"], "3600")
        state = self.state()
        self.assertEqual(json.loads(body), {"@type": "StateChange",
                                            "changed": {self.c.account_id: {t: state for t in types}}})


class Subscriptions(PushSubscriptionBase):
    def test_verification_then_state_changes_from_imap_and_smtp(self):
        self.smtp_deliver()
        sid, created = self.create("/p1?device=a&client=b", types=None)
        # RFC 8620 §7.2.3: the answer to a create is id, keys and the server-set expires.
        self.assertEqual(sorted(created), ["expires", "id", "keys"])
        self.assertRegex(sid, r"^P[1-9][0-9]*$")
        self.assertIsNone(created["keys"])
        headers, message = self.verification("/p1?device=a&client=b")
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["ttl"], "3600")
        self.assertNotIn("content-encoding", headers)
        self.assertEqual(sorted(message), ["@type", "pushSubscriptionId", "verificationCode"])
        self.assertEqual(message["@type"], "PushVerification")
        self.assertEqual(message["pushSubscriptionId"], sid)
        code = message["verificationCode"]
        self.assertRegex(code, CODE)

        # Before the code comes back the subscription shows no code, and never url/keys.
        got = self.push_get({"ids": None})
        self.assertEqual(got, {"list": [{"id": sid, "deviceClientId": "device-p1?device=a&client=b",
                                         "verificationCode": None,
                                         "expires": created["expires"], "types": None}],
                               "notFound": []})
        self.assertNotIn("accountId", got)
        self.assertNotIn("state", got)

        wrong = self.push_set({"update": {sid: {"verificationCode": "0" * 32}}})
        self.assertEqual(wrong["notUpdated"][sid]["type"], "invalidProperties")
        self.assertEqual(wrong["notUpdated"][sid]["properties"], ["verificationCode"])
        self.assertIsNone(wrong["updated"])
        right = self.push_set({"update": {sid: {"verificationCode": code}}})
        self.assertEqual(right, {"created": None, "updated": {sid: None}, "destroyed": None,
                                 "notCreated": None, "notUpdated": None, "notDestroyed": None})
        got = self.push_get({"ids": [sid, "P999"], "properties": ["verificationCode"]})
        self.assertEqual(got, {"list": [{"id": sid, "verificationCode": code}],
                               "notFound": ["P999"]})

        self.imap_flag()
        self.state_change("/p1?device=a&client=b", 2, ["Mailbox", "Email"])
        self.smtp_deliver()
        self.state_change("/p1?device=a&client=b", 3, ["Mailbox", "Email", "Thread", "EmailDelivery"])

    def test_types_filter(self):
        self.smtp_deliver()
        self.verify("/mailbox-only", types=["Mailbox"])
        self.verify("/threads-only", types=["Thread"])
        self.imap_flag()  # Mailbox and Email; no Thread
        self.state_change("/mailbox-only", 2, ["Mailbox"])
        self.smtp_deliver()
        self.state_change("/threads-only", 2, ["Thread"])
        self.state_change("/mailbox-only", 3, ["Mailbox"])

    def test_get_never_shows_url_or_keys(self):
        sid, _ = self.create("/p")
        for props in (["url"], ["keys"], ["id", "url"]):
            name, result = self.push_call("PushSubscription/get", {"properties": props})
            self.assertEqual(name, "error")
            self.assertEqual(result["type"], "forbidden")
        name, result = self.push_call("PushSubscription/get", {"properties": ["nope"]})
        self.assertEqual((name, result["type"]), ("error", "invalidArguments"))
        got = self.push_get({})
        self.assertEqual(sorted(got["list"][0]), ["deviceClientId", "expires", "id", "types",
                                                  "verificationCode"])

    def test_create_refusals(self):
        def refused(props, prop):
            result = self.push_set({"create": {"x": props}})
            self.assertIsNone(result["created"], result)
            error = result["notCreated"]["x"]
            self.assertEqual(error["type"], "invalidProperties", error)
            self.assertEqual(error["properties"], [prop], error)
            return error["description"]

        url = self.receiver.url("/r")
        self.assertEqual(refused({"deviceClientId": "d", "url": "http://example.com/"}, "url"),
                         "the url must begin with https://")
        refused({"url": url}, "deviceClientId")
        refused({"deviceClientId": "d"}, "url")
        refused({"deviceClientId": "d", "url": url, "verificationCode": "abc"}, "verificationCode")
        refused({"deviceClientId": "d", "url": url, "id": "P1"}, "id")
        refused({"deviceClientId": "d", "url": url, "types": "Email"}, "types")
        refused({"deviceClientId": "d", "url": url, "expires": "tomorrow"}, "expires")
        self.assertEqual(refused({"deviceClientId": "d", "url": url,
                                  "keys": {"p256dh": b64url(b"\x04" + b"\x01" * 64),
                                           "auth": b64url(b"a" * 16)}}, "keys"),
                         "p256dh is not an uncompressed P-256 point")
        key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.assertEqual(refused({"deviceClientId": "d", "url": url,
                                  "keys": {"p256dh": b64url(key), "auth": b64url(b"a" * 15)}},
                                 "keys"),
                         "auth is not 16 octets")
        self.assertEqual(self.push_get({})["list"], [])
        self.assertEqual(self.receiver.received("/r"), [])

    def test_url_and_keys_are_immutable_and_others_are_not_found(self):
        sid, _ = self.create("/p")
        result = self.push_set({"update": {sid: {"url": self.receiver.url("/other")},
                                           "P999": {"types": None}},
                                "destroy": ["P998", "junk"]})
        self.assertEqual(result["notUpdated"][sid]["properties"], ["url"])
        self.assertEqual(result["notUpdated"]["P999"]["type"], "notFound")
        self.assertEqual(result["notDestroyed"], {"P998": {"type": "notFound"},
                                                  "junk": {"type": "notFound"}})

    def test_destroy_stops_the_posts(self):
        self.smtp_deliver()
        gone = self.verify("/gone-soon")
        self.verify("/witness")
        result = self.push_set({"destroy": [gone]})
        self.assertEqual(result["destroyed"], [gone])
        self.assertEqual(self.push_get({"ids": [gone]})["notFound"], [gone])
        self.imap_flag()
        self.state_change("/witness", 2, ["Mailbox", "Email"])
        self.assertEqual(len(self.receiver.received("/gone-soon")), 1)  # the verification only
        self.assertEqual([row[0] for row in store_peek.push_subscriptions(self.p.dir + "/data")],
                         [int(self.push_get({})["list"][0]["id"][1:])])

    def test_a_token_sees_only_its_own_and_revoking_it_destroys_them(self):
        self.smtp_deliver()
        token = self.p.cli("token", "create", USER, "--name", "phone", check=True).out.strip()
        by_token = self.client(token=token)
        mine = self.verify("/token", c=by_token)
        self.verify("/password")
        self.assertEqual([s["id"] for s in self.push_get({}, by_token)["list"]], [mine])
        self.assertNotIn(mine, [s["id"] for s in self.push_get({})["list"]])
        # Another credential's subscription is notFound to update and destroy.
        result = self.push_set({"update": {mine: {"types": None}}, "destroy": [mine]})
        self.assertEqual(result["notUpdated"][mine]["type"], "notFound")
        self.assertEqual(result["notDestroyed"][mine]["type"], "notFound")

        self.p.cli("token", "revoke", USER, "--name", "phone", check=True)
        kinds = [kind for _, kind, _ in store_peek.push_subscriptions(self.p.dir + "/data")]
        self.assertEqual(kinds, ["password"])
        self.imap_flag()
        self.state_change("/password", 2, ["Mailbox", "Email"])
        self.assertEqual(len(self.receiver.received("/token")), 1)

    def test_gone_destroys_the_subscription(self):
        self.smtp_deliver()
        sid = self.verify("/expired-at-the-push-service")
        self.receiver.answer("/expired-at-the-push-service", 410)
        self.imap_flag()
        self.receiver.wait("/expired-at-the-push-service", 2)
        self.p.wait_for_log(r"jmap\[\d+\]: warning: push to 127\.0\.0\.1:\d+ \(subscription " + sid +
                            r"\): HTTP status 410; the subscription is destroyed")
        deadline = time.monotonic() + WAIT
        while self.push_get({})["list"] and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.push_get({})["list"], [])

    def test_server_errors_back_off_and_changes_are_merged(self):
        self.smtp_deliver()
        self.verify("/busy")
        self.receiver.answer("/busy", 503)
        self.imap_flag()
        self.receiver.wait("/busy", 2)
        self.p.wait_for_log(r"jmap\[\d+\]: warning: push to 127\.0\.0\.1:\d+ \(subscription P\d+\) "
                            r"failed: HTTP status 503; next try in 1s")
        # The retry carries the failed change, merged with what changed meanwhile.
        self.state_change("/busy", 3, ["Mailbox", "Email"])

    def test_encrypted_with_the_client_keys(self):
        self.smtp_deliver()
        private = ec.generate_private_key(ec.SECP256R1())
        public = private.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        auth = os.urandom(16)
        keys = {"p256dh": b64url(public), "auth": b64url(auth)}
        sid, created = self.create("/sealed", keys=keys)
        self.assertEqual(created["keys"], keys)
        headers, body = self.receiver.wait("/sealed", 1)[0]
        self.assertEqual(headers["content-encoding"], "aes128gcm")
        self.assertEqual(headers["content-type"], "application/json")
        self.assertNotIn(b"PushVerification", body)
        message = json.loads(decrypt(body, private, auth))
        self.assertEqual(message["@type"], "PushVerification")
        self.assertEqual(message["pushSubscriptionId"], sid)
        self.push_set({"update": {sid: {"verificationCode": message["verificationCode"]}}})
        self.imap_flag()
        headers, body = self.receiver.wait("/sealed", 2)[1]
        self.assertEqual(headers["content-encoding"], "aes128gcm")
        self.assertEqual(json.loads(decrypt(body, private, auth)),
                         {"@type": "StateChange",
                          "changed": {self.c.account_id: {"Mailbox": self.state(),
                                                          "Email": self.state()}}})


class Limits(PushSubscriptionBase):
    extra_http = 'push_ttl = "1h"\npush_max_subscriptions = 2\npush_max_expiry = "48h"\n'

    def test_subscriptions_per_account(self):
        self.create("/a")
        self.create("/b")
        result = self.push_set({"create": {"c": {"deviceClientId": "c",
                                                 "url": self.receiver.url("/c")}}})
        self.assertEqual(result["notCreated"]["c"],
                         {"type": "overQuota",
                          "description": "the account has 2 push subscriptions already"})

    def test_expires_is_bounded(self):
        now = time.time()
        _, created = self.create("/far", expires="2099-01-01T00:00:00Z")
        self.assertLessEqual(abs(utc(created["expires"]) - (now + 48 * 3600)), 60)
        soon = datetime.datetime.fromtimestamp(int(now) + 3600, datetime.timezone.utc)
        soon_text = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
        sid, created = self.create("/soon", expires=soon_text)
        self.assertEqual(created["expires"], soon_text)
        result = self.push_set({"update": {sid: {"expires": "2099-01-01T00:00:00Z"}}})
        self.assertLessEqual(abs(utc(result["updated"][sid]["expires"]) - (now + 48 * 3600)), 60)
        result = self.push_set({"update": {sid: {"expires": "2001-01-01T00:00:00Z"}}})
        self.assertEqual(result["notUpdated"][sid]["properties"], ["expires"])


class DefaultAddressPolicy(PushSubscriptionBase):
    """Without push_allow_private_addresses nothing is POSTed to 127.0.0.1 (RFC 8620 §8.6)."""
    allow_private = False

    def test_loopback_literal_is_refused_at_create(self):
        result = self.push_set({"create": {"x": {"deviceClientId": "d",
                                                 "url": self.receiver.url("/x")}}})
        self.assertEqual(result["notCreated"]["x"],
                         {"type": "invalidProperties", "properties": ["url"],
                          "description": "127.0.0.1 is a loopback address, not allowed"})

    def test_a_name_that_resolves_to_loopback_gets_nothing(self):
        sid, _ = self.create("/y", url=self.receiver.url("/y", host="localhost"))
        self.p.wait_for_log(r"jmap\[\d+\]: warning: push verification to localhost:\d+ \(subscription " +
                            sid + r"\) failed: localhost: (127\.0\.0\.1|::1) is a loopback "
                            r"address, not allowed; not sent again")
        self.assertEqual(self.receiver.received("/y"), [])


if __name__ == "__main__":
    unittest.main()
