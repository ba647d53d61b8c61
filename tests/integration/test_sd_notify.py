"""systemd notifications (docs/process.md): `postamt serve` started with $NOTIFY_SOCKET
sends READY=1 once it listens with the store open, RELOADING=1 and READY=1 around a
SIGHUP reload, and STOPPING=1 at SIGTERM, as the datagram protocol of sd_notify(3).
A Python datagram socket stands in for systemd; it asks the kernel for each sender's
credentials (SO_PASSCRED), as systemd does, to check who sent what."""

import os
import re
import signal
import socket
import struct
import time
import unittest
import uuid

from harness import Postamt

SO_PASSCRED = getattr(socket, "SO_PASSCRED", 16)
SCM_CREDENTIALS = getattr(socket, "SCM_CREDENTIALS", 2)
NOBODY = 65534


class Systemd:
    """A notification socket bound at `address` ("/path" or "@abstract")."""

    def __init__(self, address):
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_PASSCRED, 1)
        self.sock.bind("\0" + address[1:] if address.startswith("@") else address)

    def next(self, timeout=10):
        """(message, sender pid, sender uid) of the next datagram."""
        self.sock.settimeout(timeout)
        data, ancillary, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        pid = uid = None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == SCM_CREDENTIALS:
                pid, uid, _ = struct.unpack("iII", payload[:12])
        return data.decode(), pid, uid

    def nothing_more(self, wait=0.5):
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        return data.decode()

    def close(self):
        self.sock.close()


class SdNotifyTest(unittest.TestCase):
    def start(self, p, address):
        os.environ["NOTIFY_SOCKET"] = address
        try:
            p.start()
        finally:
            del os.environ["NOTIFY_SOCKET"]

    def run_cycle(self, p, systemd, uid):
        """Start, SIGHUP, SIGTERM: asserts each message, its order and its sender."""
        before = time.monotonic_ns() // 1000
        self.start(p, systemd.address)
        pid = p.proc.pid
        listeners = sum(len(v) for v in p.addresses.values())
        data_dir = os.path.join(p.dir, "data")
        # The first message: after every listener is bound and the store is open (the
        # 'started' line the harness waited for comes just before it).
        self.assertEqual(systemd.next(),
                         (f"READY=1\nSTATUS=Serving: {listeners} listeners, data in {data_dir}\n"
                          f"MAINPID={pid}", pid, uid))

        p.proc.send_signal(signal.SIGHUP)
        reloading, sender, sender_uid = systemd.next()
        after = time.monotonic_ns() // 1000
        m = re.fullmatch(r"RELOADING=1\nMONOTONIC_USEC=(\d+)", reloading)
        self.assertIsNotNone(m, reloading)
        # CLOCK_MONOTONIC in microseconds, taken when the reload began.
        self.assertTrue(before <= int(m.group(1)) <= after, (before, m.group(1), after))
        self.assertEqual((sender, sender_uid), (pid, uid))
        self.assertEqual(systemd.next(),
                         ("READY=1\nSTATUS=Serving; reloaded the TLS certificate and key", pid,
                          uid))

        # A reload that fails still ends with READY=1, saying so.
        with open(os.path.join(data_dir, "tls", "cert.pem"), "w") as f:
            f.write("not a certificate\n")
        p.proc.send_signal(signal.SIGHUP)
        self.assertRegex(systemd.next()[0], r"^RELOADING=1\nMONOTONIC_USEC=\d+$")
        self.assertEqual(systemd.next()[0],
                         "READY=1\nSTATUS=Serving; TLS reload failed, kept the current "
                         "certificate")

        self.assertEqual(p.stop(), 0)
        self.assertEqual(systemd.next(), ("STOPPING=1\nSTATUS=Shutting down (SIGTERM)", pid, uid))
        self.assertIsNone(systemd.nothing_more())

    def test_path_socket(self):
        with Postamt(services=("imap", "pop3")) as p:
            systemd = Systemd(os.path.join(p.dir, "notify"))
            self.addCleanup(systemd.close)
            uid = os.geteuid()
            if uid == 0:
                # As root, with a drop to nobody: the socket (root's, in root's 0700
                # folder) is connected before the drop, so nobody still reaches it.
                os.chmod(p.dir, 0o755)
                os.chmod(os.path.join(p.dir, "notify"), 0o600)
                with open(p.config, "a") as f:
                    f.write('[process]\nuser = "nobody"\n')
                uid = NOBODY
            self.run_cycle(p, systemd, uid)

    def test_abstract_socket(self):
        with Postamt(services=("imap",)) as p:
            systemd = Systemd(f"@postamt-test-{uuid.uuid4().hex}")
            self.addCleanup(systemd.close)
            self.run_cycle(p, systemd, os.geteuid())

    def test_without_notify_socket_nothing_is_sent(self):
        with Postamt(services=("imap",)) as p:
            self.assertNotIn("NOTIFY_SOCKET", os.environ)
            p.start()
            self.assertEqual(p.stop(), 0)

    def test_bad_notify_socket_is_a_clear_error(self):
        with Postamt(services=("imap",)) as p:
            for address, error in (
                    ("run/notify", 'NOTIFY_SOCKET "run/notify" is neither an absolute path nor '
                                   '"@name"'),
                    (os.path.join(p.dir, "missing"),
                     f"NOTIFY_SOCKET {p.dir}/missing: No such file or directory")):
                os.environ["NOTIFY_SOCKET"] = address
                try:
                    r = p.cli("serve")
                finally:
                    del os.environ["NOTIFY_SOCKET"]
                self.assertEqual(r.code, 1, r)
                self.assertRegex(r.err, rf"postamt/master\[\d+\]: error: {re.escape(error)}\n")


if __name__ == "__main__":
    unittest.main()
