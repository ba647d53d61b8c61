"""A small, strict WebSocket client (RFC 6455) for the integration tests: the opening
handshake with its Sec-WebSocket-Accept check, masked client frames (and, on request,
malformed ones), and a reader that holds the server to the framing rules (unmasked
frames, reserved bits clear, minimal lengths, control frames short and unfragmented,
fragments reassembled, text as UTF-8). Python's stdlib has no WebSocket client."""

import base64
import hashlib
import json
import os
import socket
import ssl
import struct
import time

from harness import unverified_context

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class ProtocolViolation(AssertionError):
    """The server broke a rule of RFC 6455."""


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


class Handshake:
    """The server's answer to the opening handshake: status, headers (lowercase names,
    each a list of values in order), body (when not 101)."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def header(self, name):
        values = self.headers.get(name.lower(), [])
        return values[0] if len(values) == 1 else None


class WebSocket:
    def __init__(self, address, path="/jmap/ws", authorization=None, protocols=("jmap",),
                 tls=False, extra_headers=(), version="13", timeout=30):
        self.sock = socket.create_connection(address, timeout=timeout)
        if tls:
            self.sock = unverified_context().wrap_socket(self.sock, server_hostname="localhost")
        self.buffer = b""
        self.key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: {address[0]}:{address[1]}",
                 "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {self.key}", f"Sec-WebSocket-Version: {version}"]
        if protocols:
            lines.append("Sec-WebSocket-Protocol: " + ", ".join(protocols))
        if authorization:
            lines.append("Authorization: " + authorization)
        lines.extend(extra_headers)
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.handshake = self._read_handshake()
        self.open = self.handshake.status == 101
        if self.open:
            # RFC 6455 §4.1: the client fails the connection unless all of these hold.
            h = self.handshake
            if h.header("upgrade") is None or h.header("upgrade").lower() != "websocket":
                raise ProtocolViolation(f"Upgrade: {h.headers.get('upgrade')}")
            if h.header("connection") is None or h.header("connection").lower() != "upgrade":
                raise ProtocolViolation(f"Connection: {h.headers.get('connection')}")
            if h.header("sec-websocket-accept") != accept_for(self.key):
                raise ProtocolViolation(f"Sec-WebSocket-Accept: {h.headers}")
            offered = h.header("sec-websocket-protocol")
            if offered is not None and offered not in protocols:
                raise ProtocolViolation(f"Sec-WebSocket-Protocol {offered} was not offered")
            if "sec-websocket-extensions" in h.headers:
                raise ProtocolViolation("an extension that was not offered")

    # --- raw I/O ------------------------------------------------------------------------
    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"nothing from the server in time; have {self.buffer!r}")
        self.sock.settimeout(left)
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the connection")
        self.buffer += data

    def _take(self, n, deadline):
        while len(self.buffer) < n:
            self._fill(deadline)
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _read_handshake(self, timeout=30):
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buffer:
            self._fill(deadline)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *fields = head.decode("latin-1").split("\r\n")
        version, status, reason = status_line.split(" ", 2)
        assert version == "HTTP/1.1", status_line
        headers = {}
        for f in fields:
            name, _, value = f.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        body = b""
        if int(status) != 101 and "content-length" in headers:
            body = self._take(int(headers["content-length"][0]), deadline)
        return Handshake(int(status), reason, headers, body)

    def send_raw(self, data):
        self.sock.sendall(data)

    # --- frames -------------------------------------------------------------------------
    @staticmethod
    def frame(opcode, payload, fin=True, mask=True, rsv=0):
        """A client frame: masked with a random key unless mask is False."""
        first = (0x80 if fin else 0) | (rsv << 4) | opcode
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", first, (0x80 if mask else 0) | n)
        elif n <= 0xFFFF:
            head = struct.pack("!BBH", first, (0x80 if mask else 0) | 126, n)
        else:
            head = struct.pack("!BBQ", first, (0x80 if mask else 0) | 127, n)
        if not mask:
            return head + payload
        key = os.urandom(4)
        return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))

    def send_frame(self, opcode, payload=b"", **kw):
        self.send_raw(self.frame(opcode, payload, **kw))

    def send_text(self, text):
        self.send_frame(TEXT, text.encode() if isinstance(text, str) else text)

    def send_json(self, obj):
        self.send_text(json.dumps(obj))

    def recv_frame(self, timeout=10):
        """(fin, opcode, payload) of the next server frame, checked against §5."""
        deadline = time.monotonic() + timeout
        b0, b1 = self._take(2, deadline)
        fin, rsv, opcode = bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0xF
        if rsv:
            raise ProtocolViolation("reserved bits set")
        if opcode not in (CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG):
            raise ProtocolViolation(f"reserved opcode {opcode}")
        if b1 & 0x80:
            raise ProtocolViolation("a masked server frame (§5.1)")
        n = b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self._take(2, deadline))
            if n < 126:
                raise ProtocolViolation("16-bit length not minimal")
        elif n == 127:
            (n,) = struct.unpack("!Q", self._take(8, deadline))
            if n >> 63 or n <= 0xFFFF:
                raise ProtocolViolation("64-bit length not minimal or top bit set")
        if opcode >= CLOSE and (not fin or n > 125):
            raise ProtocolViolation("a fragmented or long control frame (§5.5)")
        return fin, opcode, self._take(n, deadline)

    def recv(self, timeout=10, answer_pings=True):
        """The next message: ("text", str), ("binary", bytes), ("close", code, reason),
        ("ping", bytes) when answer_pings is False, ("pong", bytes). Pings are answered
        (and skipped) when answer_pings is True. Fragments are joined."""
        deadline = time.monotonic() + timeout
        parts, kind = [], None
        while True:
            fin, opcode, payload = self.recv_frame(max(deadline - time.monotonic(), 0.001))
            if opcode == PING:
                if not answer_pings:
                    return ("ping", payload)
                self.send_frame(PONG, payload)
                continue
            if opcode == PONG:
                return ("pong", payload)
            if opcode == CLOSE:
                if len(payload) == 1:
                    raise ProtocolViolation("a close payload of one octet")
                if not payload:
                    return ("close", None, "")
                (code,) = struct.unpack("!H", payload[:2])
                return ("close", code, payload[2:].decode("utf-8"))
            if opcode == CONTINUATION:
                if kind is None:
                    raise ProtocolViolation("continuation without a message")
            else:
                if kind is not None:
                    raise ProtocolViolation("a new message inside a fragmented one")
                kind = opcode
            parts.append(payload)
            if fin:
                data = b"".join(parts)
                if kind == TEXT:
                    return ("text", data.decode("utf-8"))  # raises on invalid UTF-8
                return ("binary", data)

    def recv_json(self, timeout=10):
        kind, *rest = self.recv(timeout)
        if kind != "text":
            raise AssertionError(f"expected a text message, got {kind} {rest}")
        return json.loads(rest[0])

    def expect_close(self, timeout=10):
        """Reads until the server's Close; returns (code, reason). Data messages before it
        are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.recv(max(deadline - time.monotonic(), 0.001))
            if got[0] == "close":
                return got[1], got[2]

    def close(self, code=1000, reason=""):
        """The client's side of the closing handshake: sends Close, returns the server's
        answer (code, reason), then waits for the server to end the TCP connection."""
        self.send_frame(CLOSE, struct.pack("!H", code) + reason.encode())
        answer = self.expect_close()
        self.wait_eof()
        return answer

    def wait_eof(self, timeout=10):
        """Waits until the server closes the TCP connection; returns what came before."""
        deadline = time.monotonic() + timeout
        rest = b""
        try:
            while True:
                self._fill(deadline)
        except EOFError:
            rest, self.buffer = self.buffer, b""
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            rest, self.buffer = self.buffer, b""
        return rest

    def shutdown(self):
        try:
            self.sock.close()
        except OSError:
            pass
