"""The POP3 maildrop lock across nodes (RFC 1939 §8, RFC 2449 §8.1.2 [IN-USE]): two
`postamt serve` processes over one store. The lock is a claim in the store on every
backend (src/pop3/session/maildrop_lock.h), so two processes over one SQLite file are
two nodes here; the PostgreSQL two-node tests run the same behaviour over PostgreSQL.

[storage] lease is 3 s (the least allowed), so a node renews its claims every second
and a dead node's claims are free again at most lease + 1 s (the database clock counts
whole seconds) after its last renewal.
"""

import os
import poplib
import socket
import time
import unittest

from harness import Postamt

USER = "alice@example.org"
PASSWORD = "correct horse"
LEASE = 3
IN_USE = b"-ERR [IN-USE] maildrop is locked by another session"


class Pop3ClusterLock(unittest.TestCase):
    def setUp(self):
        storage = f'[storage]\nlease = "{LEASE}s"\n'
        self.a = Postamt(services=("pop3",), extra_config=storage)
        self.addCleanup(self.a.close)
        self.a.cli("domain", "add", "example.org", check=True)
        self.a.cli("user", "add", USER, "--password-stdin", input=PASSWORD + "\n", check=True)
        # Node b: its own configuration and folder, node a's data (the one SQLite file).
        self.b = Postamt(services=("pop3",), extra_config=storage)
        self.addCleanup(self.b.close)
        shared = os.path.join(self.a.dir, "data")
        with open(self.b.config) as f:
            config = f.read()
        self.assertIn('data_dir = "data"\n', config)
        self.b.write_config(config.replace('data_dir = "data"\n', f'data_dir = "{shared}"\n'))
        self.a.start()
        self.b.start()

    def connect(self, node):
        host, port = node.address("pop3")
        client = poplib.POP3(host, port, timeout=10)
        self.addCleanup(self.close_quietly, client)
        self.assertEqual(client.user(USER), b"+OK send PASS")
        return client

    @staticmethod
    def close_quietly(client):
        try:
            client.close()
        except OSError:
            pass

    def login(self, node):
        """A logged-in poplib client on `node`."""
        client = self.connect(node)
        self.assertEqual(client.pass_(PASSWORD),
                         b"+OK alice@example.org has 0 messages (0 octets)")
        return client

    def refused(self, node):
        """Asserts that a login on `node` gets [IN-USE] and leaves the session usable."""
        client = self.connect(node)
        with self.assertRaises(poplib.error_proto) as caught:
            client.pass_(PASSWORD)
        self.assertEqual(caught.exception.args[0], IN_USE)
        # RFC 1939 §8: the session stays in AUTHORIZATION.
        self.assertEqual(client.quit(), b"+OK Postamt POP3 server signing off")

    def test_login_on_the_other_node_is_in_use_until_quit(self):
        held = self.login(self.a)
        self.refused(self.b)
        self.refused(self.a)
        # The claim is released before QUIT's +OK: the other node's login right after it
        # succeeds, and then the first node is the one refused.
        self.assertEqual(held.quit(), b"+OK Postamt POP3 server signing off (maildrop empty)")
        moved = self.login(self.b)
        self.refused(self.a)
        self.assertEqual(moved.quit(), b"+OK Postamt POP3 server signing off (maildrop empty)")
        self.login(self.a).quit()

    def test_dropped_connection_releases_the_lock(self):
        held = self.login(self.a)
        self.refused(self.b)
        # No QUIT: the session ends when the server reads EOF.
        held.sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 5
        while True:
            client = self.connect(self.b)
            try:
                client.pass_(PASSWORD)
                break
            except poplib.error_proto as e:
                self.assertEqual(e.args[0], IN_USE)
                self.assertLess(time.monotonic(), deadline, "the drop did not free the maildrop")
                client.quit()
                time.sleep(0.05)
        client.quit()

    def test_stopped_node_releases_its_locks(self):
        self.login(self.a)
        self.refused(self.b)
        self.assertEqual(self.a.stop(), 0)  # SIGTERM ends the session, which releases
        self.login(self.b).quit()

    def test_live_lock_outlasts_the_lease_and_a_killed_nodes_lock_expires(self):
        self.login(self.a)
        # Node a renews its claim every lease/3: still held well after one lease.
        time.sleep(LEASE + 1.5)
        self.refused(self.b)
        self.a.kill9()
        killed = time.monotonic()
        self.refused(self.b)  # the dead node's claim outlives it until the lease runs out
        while True:
            client = self.connect(self.b)
            try:
                reply = client.pass_(PASSWORD)
                break
            except poplib.error_proto as e:
                self.assertEqual(e.args[0], IN_USE)
                client.quit()
                time.sleep(0.2)
            # Last renewal at most 1 s before the kill, held while the database clock's
            # whole second is <= renewal + lease: free within lease + 2 s of the kill.
            self.assertLess(time.monotonic() - killed, LEASE + 2.5, "the lock never expired")
        self.assertEqual(reply, b"+OK alice@example.org has 0 messages (0 octets)")
        self.assertEqual(client.quit(), b"+OK Postamt POP3 server signing off (maildrop empty)")


if __name__ == "__main__":
    unittest.main()
