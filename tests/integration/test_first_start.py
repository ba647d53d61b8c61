"""The first-start guard (src/app/first_start.h, docs/configuration.md [listen]): while
the store has no local domain, `postamt serve` binds only the loopback addresses of its
[listen] lists and logs one warning naming the others; once a domain exists, a restart
binds them all.

The public address is this machine's own (the first non-loopback IPv4 address of
`hostname -I`), else 0.0.0.0; the server is only ever asked to bind it while it has no
domain, and the test checks that it did not.
"""

import os
import re
import socket
import subprocess
import unittest

from harness import SOURCE_DIR, Postamt


def own_address():
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True,
                             timeout=10).stdout
    except OSError:
        out = ""
    for address in out.split():
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address) and not address.startswith(("127.", "169.254.")):
            return address
    return "0.0.0.0"


def free_port(host):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def refused(host, port):
    target = "127.0.0.1" if host == "0.0.0.0" else host
    try:
        with socket.create_connection((target, port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True


WARNING = ("postamt/master[{pid}]: warning: no local domain yet: listening on loopback "
           "addresses only, not on {skipped}; add one with `postamt domain add DOMAIN`, then "
           "restart the server (`systemctl restart postamt`)")


class FirstStartTest(unittest.TestCase):
    def setUp(self):
        self.public = own_address()
        self.smtp_port = free_port(self.public)
        self.imap_port = free_port(self.public)
        self.p = Postamt(services=())
        self.addCleanup(self.p.close)
        self.p.write_config(
            'hostname = "mail.example.test"\n'
            'data_dir = "data"\n'
            "[listen]\n"
            f'smtp = ["127.0.0.1:0", "{self.public}:{self.smtp_port}"]\n'
            f'imap = ["{self.public}:{self.imap_port}"]\n'
            'pop3 = ["localhost:0"]\n')

    def warnings(self):
        # Only the guard's: run as root without [process] user the server also warns that
        # it keeps running as root (docs/process.md).
        return [line for line in self.p.log_lines if ": warning: no local domain yet" in line]

    def test_without_domain_public_addresses_stay_unbound(self):
        self.p.start()
        line = self.p.wait_for_log(r"started: postamt \S+ with 2 listeners")
        pid = self.p.proc.pid
        skipped = (f"listen.smtp {self.public}:{self.smtp_port}, "
                   f"listen.imap {self.public}:{self.imap_port}")
        self.assertEqual(len(self.warnings()), 1, self.p.log_lines)
        self.assertTrue(self.warnings()[0].endswith(WARNING.format(pid=pid, skipped=skipped)),
                        self.warnings())
        self.assertEqual(sorted(self.p.addresses), ["pop3", "smtp"])
        self.assertEqual([host for host, _ in self.p.addresses["smtp"]], ["127.0.0.1"])
        self.assertEqual([host for host, _ in self.p.addresses["pop3"]], ["127.0.0.1"])
        self.assertIn(" with 2 listeners", line)
        self.assertTrue(refused(self.public, self.smtp_port))
        self.assertTrue(refused(self.public, self.imap_port))
        # The loopback listener answers.
        with socket.create_connection(self.p.address("smtp"), timeout=5) as s:
            self.assertTrue(s.recv(512).startswith(b"220 "))
        self.assertEqual(self.p.stop(), 0)

    # That a restart after `domain add` binds every address is checked in
    # src/app/first_start_test.cpp: binding this machine's own address here would put a
    # server on a public interface, which the tests never do.


class PackagedConfigFirstStartTest(unittest.TestCase):
    """The configuration the Debian package installs listens on wildcard addresses only:
    on a fresh install the server binds nothing and says why."""

    def test_packaged_config_binds_nothing_without_domain(self):
        p = Postamt(services=())
        self.addCleanup(p.close)
        with open(os.path.join(SOURCE_DIR, "packaging", "postamt.toml")) as f:
            text = f.read()
        line = 'data_dir = "/var/lib/postamt"\n'
        self.assertIn(line, text)
        process = '[process]\nuser  = "postamt"\ngroup = "postamt"\n'
        self.assertIn(process, text)
        # This machine has no postamt account. As root the server refuses the installed
        # privileged ports without [process] user, so it runs as nobody; otherwise as is.
        stand_in = '[process]\nuser  = "nobody"\ngroup = "nogroup"\n' if os.geteuid() == 0 else ""
        if stand_in:
            os.chmod(p.dir, 0o755)  # nobody must reach data_dir inside it
        p.write_config(text.replace(line, 'data_dir = "data"\n').replace(process, stand_in))
        p.start()
        p.wait_for_log(r"started: postamt \S+ with 0 listeners")
        self.assertEqual(p.addresses, {})
        services = (("smtp", 25), ("submission", 587), ("submissions", 465), ("pop3", 110),
                    ("pop3s", 995), ("imap", 143), ("imaps", 993), ("http", 80), ("https", 443))
        skipped = ", ".join(f"listen.{s} 0.0.0.0:{port}, listen.{s} [::]:{port}"
                            for s, port in services)
        warnings = [line for line in p.log_lines if ": warning: no local domain yet" in line]
        self.assertEqual(len(warnings), 1, p.log_lines)
        self.assertTrue(warnings[0].endswith(WARNING.format(pid=p.proc.pid, skipped=skipped)),
                        warnings)
        self.assertEqual(p.stop(), 0)


if __name__ == "__main__":
    unittest.main()
