"""JMAP over WebSocket (RFC 8887) against the real binary with a strict WebSocket client
(ws_client.py): the handshake and its refusals, requests and request errors with their
ids, push with pushState after changes made over IMAP and SMTP, the framing rules
(RFC 6455) the server enforces with their close codes, the closing handshake both ways,
wss over the https listener, and the [http] WebSocket limits."""

import json
import signal
import unittest

from harness import imap_login
from test_imap_commands import OTHER, OTHER_PASSWORD, PASSWORD, PLAIN, USER
from test_jmap_push import PushBase, basic
from ws_client import BINARY, CLOSE, CONTINUATION, PING, PONG, TEXT, WebSocket, accept_for

CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
WAIT = 10  # seconds a test waits for a message before it fails (never a timing assertion)


def problem(type_, detail, status=400, **extra):
    return dict({"type": type_, "status": status, "detail": detail}, **extra)


class WsBase(PushBase):
    """A server with the two accounts of PushBase, self.c a JMAP client of USER."""
    services = ("http", "https", "smtp", "imap")
    extra_config = ""

    def ws(self, user=USER, password=PASSWORD, service="http", **kw):
        auth = basic(user, password) if user else None
        w = WebSocket(self.p.address(service), authorization=auth, tls=service == "https", **kw)
        self.addCleanup(w.shutdown)
        return w

    def opened(self, **kw):
        w = self.ws(**kw)
        self.assertEqual(w.handshake.status, 101, w.handshake.body)
        return w

    def request(self, w, calls, id_=None, using=(CORE, MAIL)):
        message = {"@type": "Request", "using": list(using), "methodCalls": calls}
        if id_ is not None:
            message["id"] = id_
        w.send_json(message)
        return w.recv_json(WAIT)

    def expect_state_change(self, w, types):
        got = w.recv_json(WAIT)
        state = self.state()
        self.assertEqual(got, {"@type": "StateChange",
                               "changed": {self.c.account_id: {t: state for t in types}},
                               "pushState": state})
        return state

    def imap_flag(self):
        imap = imap_login(self, self.p, USER, PASSWORD)
        imap.select("INBOX")
        self.assertEqual(imap.store("1", "+FLAGS", "(\\Flagged)")[0], "OK")

    def assert_closed_with(self, w, code, reason):
        self.assertEqual(w.expect_close(WAIT), (code, reason))
        # RFC 6455 §7.1.1: the server then ends the TCP connection (after the client's
        # Close or its wait for it); nothing else follows.
        self.assertEqual(w.wait_eof(), b"")


class Handshake(WsBase):
    def test_101_with_exactly_the_handshake_headers(self):
        w = self.opened()
        h = w.handshake
        self.assertEqual(h.reason, "Switching Protocols")
        self.assertEqual(sorted(h.headers), ["cache-control", "connection", "date",
                                             "referrer-policy", "sec-websocket-accept",
                                             "sec-websocket-protocol", "upgrade",
                                             "x-content-type-options"])
        self.assertEqual(h.headers["upgrade"], ["websocket"])
        self.assertEqual(h.headers["connection"], ["Upgrade"])
        self.assertEqual(h.headers["sec-websocket-accept"], [accept_for(w.key)])
        self.assertEqual(h.headers["sec-websocket-protocol"], ["jmap"])
        # The access log line of the upgrade is written as for any request.
        self.p.wait_for_log(r'127\.0\.0\.1 "GET /jmap/ws HTTP/1\.1" 101 0 user=alice@example\.org')
        self.assertEqual(w.close(), (1000, ""))

    def test_jmap_among_other_protocols(self):
        w = self.opened(protocols=("chat", "jmap"))
        self.assertEqual(w.handshake.headers["sec-websocket-protocol"], ["jmap"])

    def test_without_the_jmap_protocol_refused(self):
        for protocols in [("chat",), ()]:
            w = self.ws(protocols=protocols)
            self.assertEqual(w.handshake.status, 400, protocols)
            self.assertEqual(json.loads(w.handshake.body), problem(
                "about:blank", 'the WebSocket subprotocol "jmap" is required (RFC 8887 §4.2)'))

    def test_credentials_are_checked_on_the_handshake(self):
        w = self.ws(user=None)
        self.assertEqual(w.handshake.status, 401)
        self.assertIn('Bearer realm="postamt"', w.handshake.headers["www-authenticate"])
        w = self.ws(password="wrong")
        self.assertEqual(w.handshake.status, 401)
        self.p.wait_for_log(r"auth failed: service=http user=<alice@example\.org> "
                            r"rip=127\.0\.0\.1 mechanism=basic")
        # A bearer token works as on every route.
        token = self.p.cli("token", "create", USER, "--name", "ws", check=True).out.strip()
        w = WebSocket(self.p.address("http"), authorization="Bearer " + token)
        self.addCleanup(w.shutdown)
        self.assertEqual(w.handshake.status, 101)

    def test_malformed_handshakes(self):
        w = self.ws(version="8")
        self.assertEqual(w.handshake.status, 426)
        self.assertEqual(w.handshake.headers["sec-websocket-version"], ["13"])
        self.assertEqual(json.loads(w.handshake.body),
                         problem("about:blank", "only WebSocket version 13 is supported",
                                 status=426))
        w = self.ws(extra_headers=["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="])
        self.assertEqual(w.handshake.status, 400)
        self.assertEqual(json.loads(w.handshake.body), problem(
            "about:blank", "Sec-WebSocket-Key must be one base64 value of 16 octets"))
        # A WebSocket handshake elsewhere is an ordinary request: no upgrade.
        w = self.ws(path="/jmap/session")
        self.assertEqual(w.handshake.status, 200)

    def test_origin_must_be_the_services_own(self):
        port = self.p.address("http")[1]
        w = self.ws(extra_headers=["Origin: https://evil.example"])
        self.assertEqual(w.handshake.status, 403)
        self.assertEqual(json.loads(w.handshake.body), problem(
            "about:blank", "WebSockets from this origin are not allowed", status=403))
        w = self.ws(extra_headers=[f"Origin: http://127.0.0.1:{port + 1}"])
        self.assertEqual(w.handshake.status, 403)
        # A page of the service itself (the scheme of the listener and the Host).
        w = self.ws(extra_headers=[f"Origin: http://127.0.0.1:{port}"])
        self.assertEqual(w.handshake.status, 101)

    def test_session_resource_names_the_websocket_url(self):
        s = self.c.session()
        port = self.p.address("http")[1]
        self.assertEqual(s["capabilities"]["urn:ietf:params:jmap:websocket"],
                         {"url": f"ws://127.0.0.1:{port}/jmap/ws", "supportsPush": True})


class Requests(WsBase):
    def test_core_echo_and_mailbox_get_with_request_ids(self):
        w = self.opened()
        echo = self.request(w, [["Core/echo", {"hello": True, "high": 5}, "b3ff"]], "R1")
        self.assertEqual(echo, {"@type": "Response",
                                "methodResponses": [["Core/echo", {"hello": True, "high": 5},
                                                     "b3ff"]],
                                "sessionState": "0", "requestId": "R1"})
        got = self.request(w, [["Mailbox/get", {"accountId": self.c.account_id,
                                                "properties": ["name", "role"]}, "m"]], "R2")
        self.assertEqual(got["requestId"], "R2")
        [[name, args, call_id]] = got["methodResponses"]
        self.assertEqual((name, call_id), ("Mailbox/get", "m"))
        self.assertEqual(args["state"], self.state())
        self.assertIn("INBOX", [m["name"] for m in args["list"]])
        # No id, no requestId (RFC 8887 §4.3.3).
        plain = self.request(w, [["Core/echo", {}, "c"]])
        self.assertNotIn("requestId", plain)
        self.assertEqual(w.close(), (1000, ""))

    def test_request_level_errors(self):
        w = self.opened()
        w.send_text("The quick brown fox jumps\n over the lazy dog.")
        got = w.recv_json(WAIT)
        self.assertEqual(got["@type"], "RequestError")
        self.assertEqual((got["type"], got["status"]),
                         ("urn:ietf:params:jmap:error:notJSON", 400))
        self.assertNotIn("requestId", got)
        got = self.request(w, [["Core/echo", {}, "c"]], "R7", using=["urn:example:nope"])
        self.assertEqual(got, {"@type": "RequestError",
                               "type": "urn:ietf:params:jmap:error:unknownCapability",
                               "status": 400,
                               "detail": 'The request uses the capability "urn:example:nope", '
                                         "which this server does not support.",
                               "requestId": "R7"})
        w.send_json({"@type": "Nonsense", "id": "R8"})
        self.assertEqual(w.recv_json(WAIT), {
            "@type": "RequestError", "type": "urn:ietf:params:jmap:error:notRequest",
            "status": 400,
            "detail": 'The message is not a JMAP WebSocket message: unknown "@type" "Nonsense".',
            "requestId": "R8"})
        # A method error is a method response, not a request error.
        got = self.request(w, [["Mailbox/nope", {}, "x"]], "R9")
        self.assertEqual(got["methodResponses"], [["error", {"type": "unknownMethod"}, "x"]])
        # The connection goes on after errors.
        self.assertEqual(self.request(w, [["Core/echo", {"a": 1}, "c"]], "R10")["requestId"],
                         "R10")

    def test_fragmented_request_with_a_ping_between_fragments(self):
        w = self.opened()
        text = json.dumps({"@type": "Request", "id": "F", "using": [CORE],
                           "methodCalls": [["Core/echo", {"x": "ü" * 10}, "c"]]}).encode()
        w.send_frame(TEXT, text[:10], fin=False)
        w.send_frame(PING, b"between")
        w.send_frame(CONTINUATION, text[10:20], fin=False)
        w.send_frame(CONTINUATION, text[20:])
        self.assertEqual(w.recv(WAIT), ("pong", b"between"))
        got = w.recv_json(WAIT)
        self.assertEqual(got["methodResponses"], [["Core/echo", {"x": "ü" * 10}, "c"]])

    def test_requests_are_answered_in_order(self):
        w = self.opened()
        for i in range(5):
            w.send_json({"@type": "Request", "id": f"R{i}", "using": [CORE],
                         "methodCalls": [["Core/echo", {"i": i}, "c"]]})
        for i in range(5):
            got = w.recv_json(WAIT)
            self.assertEqual((got["requestId"], got["methodResponses"][0][1]), (f"R{i}", {"i": i}))


class Push(WsBase):
    def test_state_changes_after_imap_store_and_smtp_delivery(self):
        self.deliver(PLAIN)
        w = self.opened()
        w.send_json({"@type": "WebSocketPushEnable", "dataTypes": None})
        self.imap_flag()
        # A flag change leaves threads as they were (RFC 8621 §3).
        self.expect_state_change(w, ["Mailbox", "Email"])
        self.smtp_deliver()
        self.expect_state_change(w, ["Mailbox", "Email", "Thread", "EmailDelivery"])

    def test_data_types_filter(self):
        self.deliver(PLAIN)
        w = self.opened()
        w.send_json({"@type": "WebSocketPushEnable", "dataTypes": ["EmailDelivery", "Thread"]})
        # The flag change names neither: nothing is sent, so the next message is the
        # delivery's.
        self.imap_flag()
        flagged = self.state()
        self.smtp_deliver()
        state = self.expect_state_change(w, ["Thread", "EmailDelivery"])
        self.assertNotEqual(state, flagged)

    def test_other_accounts_changes_are_not_pushed(self):
        w = self.opened()
        w.send_json({"@type": "WebSocketPushEnable", "dataTypes": ["Email"]})
        self.deliver(PLAIN, to=OTHER)
        self.deliver(PLAIN)
        self.expect_state_change(w, ["Email"])

    def test_push_disable(self):
        w = self.opened()
        w.send_json({"@type": "WebSocketPushEnable", "dataTypes": None})
        self.deliver(PLAIN)
        self.expect_state_change(w, ["Mailbox", "Email", "Thread", "EmailDelivery"])
        w.send_json({"@type": "WebSocketPushDisable"})
        self.deliver(PLAIN)
        # The change is not pushed: the next message is the answer to this request.
        self.assertEqual(self.request(w, [["Core/echo", {}, "c"]], "after")["requestId"], "after")

    def test_reconnect_with_push_state_gets_the_missed_change(self):
        first = self.opened()
        first.send_json({"@type": "WebSocketPushEnable", "dataTypes": ["Mailbox", "Email"]})
        self.deliver(PLAIN)
        seen = self.expect_state_change(first, ["Mailbox", "Email"])
        self.assertEqual(first.close(), (1000, ""))
        # Changes while the client is away.
        self.deliver(PLAIN)
        second = self.opened()
        second.send_json({"@type": "WebSocketPushEnable", "dataTypes": ["Mailbox", "Email"],
                          "pushState": seen})
        missed = self.expect_state_change(second, ["Mailbox", "Email"])
        self.assertNotEqual(missed, seen)
        # Nothing missed: nothing sent; the next change comes as usual.
        third = self.opened()
        third.send_json({"@type": "WebSocketPushEnable", "dataTypes": ["Email"],
                         "pushState": missed})
        self.imap_flag()
        self.expect_state_change(third, ["Email"])

    def test_unknown_push_state_names_every_wanted_type(self):
        w = self.opened()
        w.send_json({"@type": "WebSocketPushEnable", "dataTypes": None, "pushState": "aaa"})
        self.expect_state_change(w, ["Mailbox", "Email", "Thread"])

    def test_malformed_push_enable(self):
        w = self.opened()
        w.send_json({"@type": "WebSocketPushEnable", "dataTypes": "Email", "id": "P1"})
        self.assertEqual(w.recv_json(WAIT), {
            "@type": "RequestError", "type": "urn:ietf:params:jmap:error:notRequest",
            "status": 400,
            "detail": 'The message is not a JMAP WebSocket message: "dataTypes" is not an array '
                      "or null.",
            "requestId": "P1"})


class Framing(WsBase):
    def test_unmasked_frame_is_a_protocol_error(self):
        w = self.opened()
        w.send_frame(TEXT, b'{"@type":"WebSocketPushDisable"}', mask=False)
        self.assert_closed_with(w, 1002, "client frames must be masked")

    def test_reserved_bits_and_opcodes(self):
        w = self.opened()
        w.send_frame(TEXT, b"{}", rsv=4)
        self.assert_closed_with(w, 1002, "reserved bits set")
        w = self.opened()
        w.send_frame(0x3, b"")
        self.assert_closed_with(w, 1002, "reserved opcode")

    def test_invalid_utf8(self):
        w = self.opened()
        w.send_frame(TEXT, b'{"a":"\xc3\x28"}')
        self.assert_closed_with(w, 1007, "the text message is not UTF-8")

    def test_binary_is_unsupported_data(self):
        w = self.opened()
        w.send_frame(BINARY, b"\x00\x01")
        # The client answers the server's Close; the server then ends the connection.
        kind, code, reason = w.recv(WAIT)
        self.assertEqual((kind, code, reason), ("close", 1003, "JMAP messages are text"))
        w.send_frame(CLOSE, b"\x03\xeb")
        self.assertEqual(w.wait_eof(), b"")

    def test_client_close_is_echoed(self):
        w = self.opened()
        self.assertEqual(w.close(4001, "done here"), (4001, ""))
        w = self.opened()
        w.send_frame(CLOSE, b"")
        self.assertEqual(w.recv(WAIT), ("close", None, ""))
        self.assertEqual(w.wait_eof(), b"")
        # A close code nobody may send is a protocol error.
        w = self.opened()
        w.send_frame(CLOSE, b"\x03\xed")
        self.assert_closed_with(w, 1002, "an invalid close code")

    def test_ping_is_answered(self):
        w = self.opened()
        w.send_frame(PING, b"are you there")
        self.assertEqual(w.recv(WAIT), ("pong", b"are you there"))

    def test_shutdown_closes_with_going_away(self):
        w = self.opened()
        self.assertEqual(self.request(w, [["Core/echo", {}, "c"]], "R")["requestId"], "R")
        self.p.proc.send_signal(signal.SIGTERM)
        self.assertEqual(w.expect_close(WAIT), (1001, "server shutting down"))
        self.assertEqual(w.wait_eof(), b"")
        self.assertEqual(self.p.proc.wait(timeout=30), 0)


class OverTls(WsBase):
    def test_wss_on_the_https_listener(self):
        w = self.opened(service="https")
        echo = self.request(w, [["Core/echo", {"tls": True}, "t"]], "T1")
        self.assertEqual(echo["methodResponses"], [["Core/echo", {"tls": True}, "t"]])
        self.assertIn("strict-transport-security", w.handshake.headers)
        w.send_json({"@type": "WebSocketPushEnable", "dataTypes": ["Email"]})
        self.deliver(PLAIN)
        self.expect_state_change(w, ["Email"])
        self.assertEqual(w.close(), (1000, ""))


class Limits(WsBase):
    extra_config = ("[http]\nmax_websocket_message = 2048\nmax_websockets = 2\n"
                    'cors_origins = ["https://app.example"]\n')

    def test_cors_origins_may_open_websockets(self):
        w = self.opened(extra_headers=["Origin: https://app.example"])
        self.assertEqual(self.request(w, [["Core/echo", {}, "c"]], "O")["requestId"], "O")
        self.assertEqual(self.ws(extra_headers=["Origin: https://other.example"]).handshake.status,
                         403)

    def test_message_size_limit(self):
        w = self.opened()
        # Exactly at the limit: answered.
        head = {"@type": "Request", "id": "big", "using": [CORE],
                "methodCalls": [["Core/echo", {"pad": ""}, "c"]]}
        pad = 2048 - len(json.dumps(head))
        head["methodCalls"][0][1]["pad"] = "x" * pad
        text = json.dumps(head)
        self.assertEqual(len(text), 2048)
        w.send_text(text)
        self.assertEqual(w.recv_json(WAIT)["requestId"], "big")
        # One octet more, in two fragments: closed with 1009.
        w.send_frame(TEXT, text[:1000].encode(), fin=False)
        w.send_frame(CONTINUATION, (text[1000:] + " ").encode())
        self.assert_closed_with(w, 1009, "the message is over the size limit")

    def test_websockets_per_account(self):
        first = self.opened()
        second = self.opened()
        third = self.ws()
        self.assertEqual(third.handshake.status, 429)
        self.assertEqual(json.loads(third.handshake.body), problem(
            "urn:ietf:params:jmap:error:limit", "too many WebSockets of this account at once",
            status=429, limit="maxWebSockets"))
        # The limit is per account.
        self.opened(user=OTHER, password=OTHER_PASSWORD)
        # A WebSocket that ended frees its place.
        self.assertEqual(first.close(), (1000, ""))
        self.opened()
        self.assertEqual(self.request(second, [["Core/echo", {}, "c"]], "R")["requestId"], "R")


class Liveness(WsBase):
    extra_config = '[http]\nwebsocket_ping_interval = "1s"\nwebsocket_idle_timeout = "3s"\n'

    def test_idle_connection_is_pinged_then_closed(self):
        w = self.opened()
        # Silence: the server pings; a Pong keeps the connection alive.
        self.assertEqual(w.recv(WAIT, answer_pings=False), ("ping", b""))
        w.send_frame(PONG, b"")
        self.assertEqual(w.recv(WAIT, answer_pings=False), ("ping", b""))
        w.send_frame(PONG, b"")
        # No answer at all: closed as idle.
        self.assertEqual(w.recv(WAIT, answer_pings=False), ("ping", b""))
        self.assertEqual(w.recv(WAIT, answer_pings=False), ("ping", b""))
        self.assertEqual(w.recv(WAIT, answer_pings=False), ("close", 1001, "idle timeout"))


if __name__ == "__main__":
    unittest.main()
