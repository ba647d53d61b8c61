"""`postamt serve`: start-up, listeners, TLS bootstrap and reload, signals, kill -9."""

import os
import poplib
import re
import shutil
import socket
import stat
import subprocess
import time
import unittest

from harness import Postamt

SERVICES = ("smtp", "submission", "submissions", "pop3", "pop3s", "imap", "imaps", "http")


def read_line(sock):
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


class LimitsAndLiveChangesTest(unittest.TestCase):
    """Foundation behaviour seen through a real protocol engine (POP3)."""

    def test_per_ip_connection_limit(self):
        with Postamt(services=("pop3",), extra_config="[limits]\nconnections_per_ip = 2\n") as p:
            p.start()
            host, port = p.address("pop3")
            first = socket.create_connection((host, port), timeout=10)
            second = socket.create_connection((host, port), timeout=10)
            self.assertTrue(read_line(first).startswith(b"+OK"))
            self.assertTrue(read_line(second).startswith(b"+OK"))
            third = socket.create_connection((host, port), timeout=10)
            self.assertEqual(read_line(third), b"-ERR [SYS/TEMP] too many connections\r\n")
            self.assertEqual(third.recv(1), b"")  # closed
            third.close()
            first.close()
            # A slot is free again once a session ended.
            deadline = time.monotonic() + 10
            while True:
                fourth = socket.create_connection((host, port), timeout=10)
                line = read_line(fourth)
                fourth.close()
                if line.startswith(b"+OK") or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertTrue(line.startswith(b"+OK"), line)
            second.close()
            self.assertEqual(p.stop(), 0)

    def test_admin_changes_apply_to_the_running_server(self):
        with Postamt(services=("pop3",)) as p:
            p.cli("domain", "add", "example.org", check=True)
            p.start()
            host, port = p.address("pop3")
            # Created while the server runs: usable at once, no restart.
            p.cli("user", "add", "late@example.org", "--password-stdin", input="first\n",
                  check=True)
            c = poplib.POP3(host, port, timeout=10)
            c.user("late@example.org")
            c.pass_("first")
            self.assertEqual(c.stat(), (0, 0))
            c.quit()
            p.cli("user", "password", "late@example.org", "--password-stdin", input="second\n",
                  check=True)
            c = poplib.POP3(host, port, timeout=10)
            c.user("late@example.org")
            with self.assertRaises(poplib.error_proto):
                c.pass_("first")
            c.close()
            c = poplib.POP3(host, port, timeout=10)
            c.user("late@example.org")
            c.pass_("second")
            c.quit()
            self.assertEqual(p.stop(), 0)

    def test_shutdown_says_goodbye_to_open_sessions(self):
        with Postamt(services=("pop3",)) as p:
            p.start()
            host, port = p.address("pop3")
            s = socket.create_connection((host, port), timeout=10)
            self.assertTrue(read_line(s).startswith(b"+OK"))
            self.assertEqual(p.stop(timeout=5), 0)
            self.assertEqual(read_line(s), b"-ERR [SYS/TEMP] server shutting down\r\n")
            s.close()


class ServeTest(unittest.TestCase):
    def setUp(self):
        self.p = Postamt()
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)

    def test_listeners_log_bound_addresses(self):
        self.p.start()
        for service in SERVICES:
            if service in self.p.addresses:
                host, port = self.p.address(service)
                self.assertEqual(host, "127.0.0.1")
                self.assertGreater(port, 0)  # port 0 in the file: the kernel picked one
                socket.create_connection((host, port), timeout=5).close()
            else:
                # A service this build has no engine for is named, never faked.
                self.p.wait_for_log(rf"listen\.{service}: this version of Postamt has no "
                                    rf"{service} service yet; it will not listen")
        line = self.p.wait_for_log(r"started: postamt 0\.1\.0 with \d+ listeners")
        count = int(re.search(r"with (\d+) listeners", line).group(1))
        self.assertEqual(count, sum(len(v) for v in self.p.addresses.values()))
        self.assertEqual(self.p.stop(), 0)

    def test_sigterm_stops_cleanly_within_5_seconds(self):
        self.p.start()
        self.assertEqual(self.p.stop(timeout=5), 0)
        self.assertTrue(any(re.search(r"master\[\d+\]: shutting down \(SIGTERM\)", l)
                            for l in self.p.log_lines), self.p.log_lines)
        self.assertTrue(any(l.endswith("stopped") for l in self.p.log_lines), self.p.log_lines)

    def test_self_signed_certificate_and_sighup_reload(self):
        tls = os.path.join(self.p.dir, "data", "tls")
        self.assertFalse(os.path.exists(tls))
        self.p.start()
        self.p.wait_for_log(r"tls: created a self-signed certificate for mail\.example\.test")
        cert, key = os.path.join(tls, "cert.pem"), os.path.join(tls, "key.pem")
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        text = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-ext", "subjectAltName"],
                              capture_output=True, text=True, check=True).stdout
        self.assertIn("DNS:mail.example.test", text)

        # A new pair, then SIGHUP: reloaded.
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=reloaded.example.test"],
                       capture_output=True, check=True)
        n = len(self.p.log_lines)
        self.p.proc.send_signal(1)
        self.p.wait_for_log(r"tls: reloaded certificate .*cert\.pem and key .*key\.pem", start=n)

        # A broken certificate: the reload fails and the old pair stays; the server lives on.
        with open(cert, "w") as f:
            f.write("not a certificate\n")
        n = len(self.p.log_lines)
        self.p.proc.send_signal(1)
        self.p.wait_for_log(r"warning: tls: reload failed, keeping the current certificate: ",
                            start=n)
        self.assertIsNone(self.p.proc.poll())
        self.assertEqual(self.p.stop(), 0)

    def test_start_fails_clearly_with_half_a_key_pair(self):
        tls = os.path.join(self.p.dir, "data", "tls")
        os.makedirs(tls)
        with open(os.path.join(tls, "cert.pem"), "w") as f:
            f.write("x")
        r = self.p.cli("serve")
        self.assertEqual(r.code, 1)
        self.assertRegex(r.err, r"error: tls: ")
        self.assertFalse(os.path.exists(os.path.join(tls, "key.pem")))

    def test_admin_commands_work_while_serving(self):
        self.p.start()
        r = self.p.cli("user", "add", "live@example.org", "--password-stdin", input="pw\n")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(self.p.cli("user", "list").out, "live@example.org\n")
        self.assertEqual(self.p.stop(), 0)

    def test_kill9_then_restart_keeps_data(self):
        self.p.start()
        for i in range(5):
            self.p.cli("user", "add", f"u{i}@example.org", "--password-stdin", input="pw\n",
                       check=True)
        self.p.kill9()
        self.p.start()
        self.assertEqual(self.p.cli("user", "list").out,
                         "".join(f"u{i}@example.org\n" for i in range(5)))
        self.assertEqual(self.p.stop(), 0)

    def test_listen_conflict_is_a_clear_error(self):
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        self.addCleanup(taken.close)
        port = taken.getsockname()[1]
        # Only services with an engine bind; pick the first one this build has.
        self.p.start()
        bound = [s for s in SERVICES if s in self.p.addresses]
        self.p.stop()
        if not bound:
            self.skipTest("this build has no protocol engine to bind")
        self.p.write_config(f'hostname = "mail.example.test"\ndata_dir = "data"\n[listen]\n'
                            f'{bound[0]} = ["127.0.0.1:{port}"]\n')
        r = self.p.cli("serve")
        self.assertEqual(r.code, 1)
        self.assertRegex(r.err, rf"error: listen\.{bound[0]}: 127\.0\.0\.1:{port}: ")


if __name__ == "__main__":
    unittest.main()
