"""A small raw IMAP client for tests that assert exact response bytes.

    wire = Wire(address)                       # reads the greeting
    wire.login("alice@example.org", "secret")
    lines = wire.command(b"SELECT INBOX")      # every response line up to the tagged one
    wire.tagged                                # the tagged line of the last command

Each returned element is one whole response with any literals inlined, CRLF stripped
from its end, so `{5}\\r\\nhello` inside a FETCH stays byte-exact.
"""

import re
import socket

LITERAL_AT_END = re.compile(rb"\{(\d+)\+?\}\r\n$")


class Wire:
    def __init__(self, address, timeout=30):
        self.sock = socket.create_connection(address, timeout=timeout)
        self.reader = self.sock.makefile("rb")
        self.greeting = self.read_response()
        self.counter = 0
        self.tagged = None

    def close(self):
        try:
            self.reader.close()
        finally:
            self.sock.close()

    def read_response(self):
        """One response: a line plus any literals it announces, without the final CRLF."""
        data = b""
        while True:
            line = self.reader.readline()
            if not line:
                raise ConnectionError("connection closed after %r" % data)
            data += line
            m = LITERAL_AT_END.search(line)
            if not m:
                return data[:-2]
            data += self.reader.read(int(m.group(1)))

    def next_tag(self):
        self.counter += 1
        return b"t%d" % self.counter

    def send(self, data):
        self.sock.sendall(data)

    def command(self, text, literals=()):
        """Sends `tag text`, each literal after a "+" continuation (synchronising literal,
        `text` ends with `{n}` for each), and returns the untagged responses; the tagged
        one is in self.tagged."""
        tag = self.next_tag()
        parts = [text] + list(literals)
        self.send(tag + b" " + parts[0] + b"\r\n")
        for literal, following in zip(parts[1::2], parts[2::2] + [b""]):
            cont = self.read_response()
            if not cont.startswith(b"+"):
                self.tagged = cont
                return []
            self.send(literal + following + b"\r\n")
        return self.until_tagged(tag)

    def until_tagged(self, tag):
        out = []
        while True:
            r = self.read_response()
            if r.startswith(tag + b" "):
                self.tagged = r[len(tag) + 1:]
                return out
            out.append(r)

    def login(self, user, password):
        self.command(b'LOGIN "%s" "%s"' % (user.encode(), password.encode()))
        if not self.tagged.startswith(b"OK"):
            raise AssertionError("LOGIN failed: %r" % self.tagged)

    def capabilities(self):
        lines = self.command(b"CAPABILITY")
        return lines[0].split()[2:]
