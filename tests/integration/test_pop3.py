"""POP3 against the real binary: poplib, raw sockets and fetchmail (RFC 1939, 2449, 2595)."""

import os
import poplib
import socket
import subprocess
import tempfile
import time
import unittest

from harness import BIN, Postamt, unverified_context

USER = "alice@example.org"
PASSWORD = "correct horse"

# Messages as given to `postamt deliver` (CRLF). It prepends a Return-Path line, so
# STORED is exactly what RETR must deliver.
LONG_LINE = b"X-Long: " + b"a" * 5000 + b"\r\n"
MESSAGES = [
    b"From: bob@example.org\r\nSubject: one\r\n\r\nfirst body\r\n",
    b"From: bob@example.org\r\nSubject: dots\r\n" + LONG_LINE + b"\r\n"
    b".starts with a dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n",
    b"From: bob@example.org\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=latin1\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\nGr\xfc\xdfe \xe4\xf6\r\nUTF-8: \xc3\xa4\r\n",
]

STORED = [b"Return-Path: <bob@example.org>\r\n" + m for m in MESSAGES]


def stuffed(message):
    """RFC 1939 §3 byte-stuffing of a CRLF message."""
    return b"".join(b"." + l if l.startswith(b".") else l
                    for l in message.splitlines(keepends=True))


class Pop3Base(unittest.TestCase):
    auth_plaintext = "loopback"

    def setUp(self):
        self.p = Postamt(auth_plaintext=self.auth_plaintext)
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-stdin", input=PASSWORD + "\n", check=True)
        self.p.start()

    def deliver(self, message):
        proc = subprocess.run([BIN, "--config", self.p.config, "deliver", "--from",
                               "bob@example.org", USER], input=message, capture_output=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def login(self, service="pop3"):
        host, port = self.p.address(service)
        if service == "pop3s":
            client = poplib.POP3_SSL(host, port, timeout=10, context=unverified_context())
        else:
            client = poplib.POP3(host, port, timeout=10)
        try:
            client.user(USER)
            client.pass_(PASSWORD)
        except poplib.error_proto:
            client.close()
            raise
        return client

    def login_when_free(self):
        """Logs in, retrying while a just-closed session still holds the maildrop lock."""
        deadline = time.monotonic() + 5
        while True:
            try:
                return self.login()
            except poplib.error_proto as e:
                if b"[IN-USE]" not in e.args[0] or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def raw_exchange(address, data, until=b""):
    """Sends `data` in ONE write after the greeting and reads until the peer closes."""
    with socket.create_connection(address, timeout=10) as s:
        greeting = s.recv(1024)
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    return greeting, out


class Pop3Test(Pop3Base):
    def setUp(self):
        super().setUp()
        poplib._MAXLINE = 20000  # poplib's default 2048 would refuse LONG_LINE
        for m in MESSAGES:
            self.deliver(m)

    def test_retrieval_is_byte_exact(self):
        client = self.login()
        count, octets = client.stat()
        self.assertEqual((count, octets), (3, sum(len(m) for m in STORED)))
        resp, listing, _ = client.list()
        self.assertEqual(listing, [b"%d %d" % (i + 1, len(m)) for i, m in enumerate(STORED)])
        for i, m in enumerate(STORED):
            resp, lines, size = client.retr(i + 1)
            self.assertEqual(resp, b"+OK %d octets" % len(m))
            self.assertEqual(b"\r\n".join(lines) + b"\r\n", m)
        resp, lines, _ = client.top(2, 1)
        self.assertEqual(lines[-1], b".starts with a dot")
        client.quit()
        # On the wire: byte-stuffed, terminated by ".\r\n".
        greeting, out = raw_exchange(
            self.p.address("pop3"),
            b"USER %s\r\nPASS %s\r\nRETR 2\r\nQUIT\r\n" % (USER.encode(), PASSWORD.encode()))
        self.assertEqual(greeting, b"+OK Postamt POP3 server ready\r\n")
        retr = b"+OK %d octets\r\n" % len(STORED[1]) + stuffed(STORED[1]) + b".\r\n"
        self.assertIn(retr, out)
        self.assertIn(b"\r\n...two dots\r\n..\r\n", retr)

    def test_uidl_is_stable_across_restart(self):
        client = self.login()
        _, before, _ = client.uidl()
        client.quit()
        self.assertEqual(len(before), 3)
        self.assertEqual(len({l.split()[1] for l in before}), 3)
        self.assertEqual(self.p.stop(), 0)
        self.p.start()
        client = self.login()
        client.dele(1)
        client.quit()
        client = self.login_when_free()
        _, after, _ = client.uidl()
        client.quit()
        # The same ids for the same messages; message numbers are per session.
        self.assertEqual([l.split()[1] for l in after], [l.split()[1] for l in before[1:]])

    def test_deletion_happens_only_at_quit(self):
        client = self.login()
        client.dele(1)
        client.dele(3)
        self.assertEqual(client.stat(), (1, len(STORED[1])))
        # Dropped without QUIT: nothing is deleted.
        client.sock.shutdown(socket.SHUT_RDWR)
        client.close()
        client = self.login_when_free()
        self.assertEqual(client.stat()[0], 3)
        client.dele(2)
        client.rset()
        client.dele(1)
        self.assertEqual(client.quit(), b"+OK Postamt POP3 server signing off (2 messages left)")
        client = self.login_when_free()
        self.assertEqual(client.stat(), (2, len(STORED[1]) + len(STORED[2])))
        client.quit()

    def test_second_session_gets_in_use(self):
        first = self.login()
        with self.assertRaises(poplib.error_proto) as cm:
            self.login("pop3s")
        self.assertEqual(cm.exception.args[0],
                         b"-ERR [IN-USE] maildrop is locked by another session")
        first.quit()
        self.login_when_free().quit()

    def test_pipelined_commands_in_one_write(self):
        greeting, out = raw_exchange(
            self.p.address("pop3"),
            b"CAPA\r\nUSER %s\r\nPASS %s\r\nSTAT\r\nLIST 1\r\nDELE 1\r\nSTAT\r\nNOOP\r\nRSET\r\n"
            b"QUIT\r\n" % (USER.encode(), PASSWORD.encode()))
        total = sum(len(m) for m in STORED)
        self.assertEqual(out,
                         b"+OK Capability list follows\r\nTOP\r\nUSER\r\nRESP-CODES\r\n"
                         b"AUTH-RESP-CODE\r\nPIPELINING\r\nUIDL\r\nSTLS\r\nSASL PLAIN LOGIN\r\n"
                         b"IMPLEMENTATION Postamt\r\n.\r\n"
                         b"+OK send PASS\r\n"
                         b"+OK alice@example.org has 3 messages (%d octets)\r\n" % total +
                         b"+OK 3 %d\r\n" % total +
                         b"+OK 1 %d\r\n" % len(STORED[0]) +
                         b"+OK message 1 deleted\r\n" +
                         b"+OK 2 %d\r\n" % (total - len(STORED[0])) +
                         b"+OK\r\n" +
                         b"+OK maildrop has 3 messages (%d octets)\r\n" % total +
                         b"+OK Postamt POP3 server signing off (3 messages left)\r\n")

    def test_wrong_password_gets_auth_code_and_fail2ban_line(self):
        host, port = self.p.address("pop3")
        client = poplib.POP3(host, port, timeout=10)
        client.user(USER)
        with self.assertRaises(poplib.error_proto) as cm:
            client.pass_("wrong")
        self.assertEqual(cm.exception.args[0], b"-ERR [AUTH] invalid user name or password")
        self.p.wait_for_log(r"auth failed: service=pop3 user=<alice@example\.org> "
                            r"rip=127\.0\.0\.1 mechanism=USER")
        client.quit()

    def test_fetchmail_downloads_and_deletes(self):
        out_dir = tempfile.mkdtemp(dir=self.p.dir)
        out = os.path.join(out_dir, "mbox")
        host, port = self.p.address("pop3s")
        rc = os.path.join(out_dir, "fetchmailrc")
        with open(rc, "w") as f:
            f.write(f'poll {host} with proto POP3 port {port}\n'
                    f'  user "{USER}" there with password "{PASSWORD}" is "tester" here\n'
                    f'  options ssl no sslcertck fetchall\n'
                    f'  mda "/bin/sh -c \'cat >> {out}; echo =END= >> {out}\'"\n')
        os.chmod(rc, 0o600)
        env = dict(os.environ, HOME=out_dir, FETCHMAILHOME=out_dir)
        proc = subprocess.run(["fetchmail", "-f", rc, "--nosyslog", "--timeout", "20",
                               "--nodetach", "--nokeep"],
                              capture_output=True, timeout=60, env=env)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        with open(out, "rb") as f:
            mbox = f.read()
        self.assertEqual(mbox.count(b"=END="), 3)
        # fetchmail hands the MDA LF line ends and adds a Received header; the content
        # itself must arrive unchanged, dots un-stuffed, 8-bit intact, long line whole.
        for m in MESSAGES:
            body = m.split(b"\r\n\r\n", 1)[1].replace(b"\r\n", b"\n")
            self.assertIn(body, mbox)
        self.assertIn(LONG_LINE.replace(b"\r\n", b"\n"), mbox)
        client = self.login_when_free()
        self.assertEqual(client.stat(), (0, 0))
        client.quit()


class Pop3TlsTest(Pop3Base):
    auth_plaintext = "never"

    def test_stls_then_login(self):
        host, port = self.p.address("pop3")
        client = poplib.POP3(host, port, timeout=10)
        caps = client.capa()
        self.assertIn("STLS", caps)
        self.assertNotIn("USER", caps)
        self.assertNotIn("SASL", caps)
        with self.assertRaises(poplib.error_proto) as cm:
            client.user(USER)
        self.assertEqual(cm.exception.args[0], b"-ERR plaintext authentication is not allowed "
                         b"on this connection, use STLS first")
        client.stls(context=unverified_context())
        caps = client.capa()
        self.assertNotIn("STLS", caps)
        self.assertEqual(caps["SASL"], ["PLAIN", "LOGIN"])
        client.user(USER)
        client.pass_(PASSWORD)
        self.assertEqual(client.stat(), (0, 0))
        client.quit()

    def test_pop3s_implicit_tls(self):
        client = self.login("pop3s")
        self.assertEqual(client.stat(), (0, 0))
        self.assertNotIn("STLS", client.capa())
        client.quit()


if __name__ == "__main__":
    unittest.main()
