"""Privileges (docs/process.md): started as root, `postamt serve` binds its listeners, then
becomes [process] user/group for good; admin commands run by root act as that user too.

These tests need root and skip otherwise. They use Debian's `nobody` user and `nogroup`
group (uid and gid 65534) rather than creating an account: nothing on the machine changes,
and every file they make lives in the test's own temporary folder, removed afterwards.
"""

import os
import pwd
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import threading
import unittest

from harness import BIN, Postamt, imap_login, unverified_context

NOBODY = pwd.getpwnam("nobody").pw_uid if os.geteuid() == 0 else None
NOGROUP = 65534
ROOT_ONLY = "these tests start Postamt as root; run them as root (CI and the sandbox do)"


def free_privileged_port():
    """A port in 900-1023 that nothing listens on at 127.0.0.1 (we are root)."""
    for port in range(900, 1024):
        probe = socket.socket()
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            probe.close()
    return None


def status_fields(path):
    """/proc/<pid>/status (or a task's) as a dict of its lines."""
    fields = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def owners_below(root):
    """{path: (uid, gid)} of root and every entry below it, links not followed."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in [folder] + [os.path.join(folder, n) for n in dirs + files]:
            st = os.lstat(name)
            out[name] = (st.st_uid, st.st_gid)
    return out


@unittest.skipUnless(os.geteuid() == 0, ROOT_ONLY)
class PrivilegesTest(unittest.TestCase):
    def setUp(self):
        self.port = free_privileged_port()
        if self.port is None:
            self.skipTest("no free port in 900-1023 on 127.0.0.1")
        self.p = Postamt(services=("imap", "imaps"))
        self.addCleanup(self.p.close)
        # The temporary folder is root's (0700); the server, once it is nobody, must reach
        # data_dir inside it.
        os.chmod(self.p.dir, 0o755)
        self.data = os.path.join(self.p.dir, "data")

    def write_config(self, process='user = "nobody"\ngroup = "nogroup"\n', smtp_port=None):
        smtp_port = self.port if smtp_port is None else smtp_port
        self.p.write_config(
            'hostname = "mail.example.test"\n'
            'data_dir = "data"\n'
            "[listen]\n"
            f'smtp = ["127.0.0.1:{smtp_port}"]\n'
            'imap = ["127.0.0.1:0"]\n'
            'imaps = ["127.0.0.1:0"]\n'
            '[auth]\nplaintext = "loopback"\n'
            + (f"[process]\n{process}" if process else ""))

    def assert_all_owned_by_nobody(self):
        owners = owners_below(self.data)
        self.assertGreater(len(owners), 3, owners)
        wrong = {path: ids for path, ids in owners.items() if ids != (NOBODY, NOGROUP)}
        self.assertEqual(wrong, {})

    def assert_process_is_nobody(self, pid):
        tasks = os.listdir(f"/proc/{pid}/task")
        self.assertGreater(len(tasks), 1)  # the network and blocking threads too
        for task in [None] + tasks:
            path = f"/proc/{pid}/status" if task is None else f"/proc/{pid}/task/{task}/status"
            s = status_fields(path)
            # real, effective, saved, filesystem
            self.assertEqual(s["Uid"].split(), [str(NOBODY)] * 4, path)
            self.assertEqual(s["Gid"].split(), [str(NOGROUP)] * 4, path)
            self.assertEqual(s["Groups"].split(), [str(NOGROUP)], path)
            self.assertEqual(s["NoNewPrivs"], "1", path)
            for caps in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
                self.assertEqual(int(s[caps], 16), 0, (path, caps))

    def test_serve_as_root_drops_to_the_configured_user(self):
        self.write_config()
        # Admin commands as root act as nobody: data_dir is created for it, and every
        # file they make is its.
        self.assertFalse(os.path.exists(self.data))
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", "alice@example.org", "--password-stdin", input="pw\n",
                   check=True)
        self.assertEqual(stat.S_IMODE(os.stat(self.data).st_mode), 0o700)
        self.assert_all_owned_by_nobody()

        self.p.start()
        self.p.wait_for_log(r"master\[\d+\]: running as nobody \(uid 65534\), group nogroup "
                            r"\(gid 65534\)$")
        self.assertEqual(self.p.address("smtp"), ("127.0.0.1", self.port))
        pid = self.p.proc.pid
        self.assert_process_is_nobody(pid)
        # The privileged port really is served, by the unprivileged process.
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            self.assertRegex(s.recv(512), rb"^220 mail\.example\.test ESMTP")
        imap = imap_login(self, self.p, "alice@example.org", "pw")
        self.assertEqual(imap.select("INBOX")[0], "OK")
        imap.logout()
        # Everything the server created (the TLS pair, the queue, the WAL) is nobody's.
        self.assertTrue(os.path.exists(os.path.join(self.data, "tls", "key.pem")))
        self.assert_all_owned_by_nobody()

        # kill -9, then a start again as root: the same drop, the same data.
        self.p.kill9()
        self.p.start()
        self.assert_process_is_nobody(self.p.proc.pid)
        imap = imap_login(self, self.p, "alice@example.org", "pw")
        imap.logout()
        self.assert_all_owned_by_nobody()
        self.assertEqual(self.p.stop(), 0)

    def test_started_as_the_user_with_the_bind_capability_gives_it_up(self):
        # What a systemd unit with User=postamt and AmbientCapabilities=
        # CAP_NET_BIND_SERVICE does, played by setpriv (util-linux): Postamt starts as
        # nobody holding only that capability, binds the low port, then clears it.
        if not shutil.which("setpriv"):
            self.skipTest("no setpriv (Debian's util-linux)")
        self.write_config()
        self.p.cli("domain", "add", "example.org", check=True)  # data_dir made for nobody
        self.start_with_bind_capability()
        self.p.wait_for_log(r"master\[\d+\]: running as nobody \(uid 65534\), group nogroup "
                            r"\(gid 65534\)$")
        self.assert_process_is_nobody(self.p.proc.pid)  # CapEff, CapPrm, CapAmb: 0
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            self.assertRegex(s.recv(512), rb"^220 mail\.example\.test ESMTP")
        self.assert_all_owned_by_nobody()
        self.assertEqual(self.p.stop(), 0)
        # Without [process] user too: once bound, the capability goes.
        self.write_config(process=None)
        self.start_with_bind_capability()
        self.assert_process_is_nobody(self.p.proc.pid)
        self.assertFalse(any("running as" in line for line in self.p.log_lines))
        self.assertEqual(self.p.stop(), 0)

    def start_with_bind_capability(self):
        self.p.log_lines = []
        self.p.addresses = {}
        self.p.proc = subprocess.Popen(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--init-groups",
             "--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service",
             BIN, "--config", self.p.config, "serve"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        threading.Thread(target=self.p._read_log, args=(self.p.proc.stderr,),
                         daemon=True).start()
        self.p.wait_for_log(r"started: ", timeout=20)
        self.assertEqual(self.p.address("smtp"), ("127.0.0.1", self.port))

    def test_sighup_reload_runs_as_the_user(self):
        self.write_config()
        self.p.start()
        tls = os.path.join(self.data, "tls")
        cert, key = os.path.join(tls, "cert.pem"), os.path.join(tls, "key.pem")
        # A new pair made by root and given to nobody: SIGHUP loads it.
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=reloaded.example.test"],
                       capture_output=True, check=True)
        for f in (cert, key):
            os.chown(f, NOBODY, NOGROUP)
        n = len(self.p.log_lines)
        self.p.proc.send_signal(signal.SIGHUP)
        self.p.wait_for_log(r"tls: reloaded certificate .*cert\.pem and key .*key\.pem", start=n)
        host, port = self.p.address("imaps")
        with socket.create_connection((host, port), timeout=10) as raw:
            with unverified_context().wrap_socket(raw) as tls_sock:
                der = tls_sock.getpeercert(binary_form=True)
        pem = ssl.DER_cert_to_PEM_cert(der)
        subject = subprocess.run(["openssl", "x509", "-noout", "-subject"], input=pem,
                                 capture_output=True, text=True, check=True).stdout
        self.assertIn("CN = reloaded.example.test", subject)
        # The key back to root only: the reload, done as nobody, cannot read it; the
        # server keeps its pair and lives on.
        os.chown(key, 0, 0)
        os.chmod(key, 0o600)
        n = len(self.p.log_lines)
        self.p.proc.send_signal(signal.SIGHUP)
        self.p.wait_for_log(r"warning: tls: reload failed, keeping the current certificate: "
                            r".*key\.pem.*Permission denied", start=n)
        self.assertIsNone(self.p.proc.poll())
        self.assertEqual(self.p.stop(), 0)

    def test_tls_key_the_user_cannot_read_stops_the_start(self):
        # A pair outside data_dir that only root can read: it would load at start and fail
        # at the first reload, so the start fails, saying who must be able to read it.
        outside = os.path.join(self.p.dir, "tls-outside")
        os.makedirs(outside)
        cert, key = os.path.join(outside, "cert.pem"), os.path.join(outside, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=mail.example.test"],
                       capture_output=True, check=True)
        os.chmod(key, 0o600)
        self.write_config()
        with open(self.p.config, "a") as f:
            f.write(f'[tls]\ncertificate = "{cert}"\nprivate_key = "{key}"\n')
        r = self.p.cli("serve")
        self.assertEqual(r.code, 1, r)
        self.assertIn(f"error: tls: cannot read {key}: Permission denied (Postamt runs as nobody, "
                      "which must be able to read it)\n", r.err)
        self.assertEqual(os.stat(key).st_uid, 0)  # outside data_dir: never taken over

    def test_root_owned_data_dir_is_taken_over_without_following_links(self):
        # A data_dir made by root (an earlier run without [process] user).
        self.write_config(process=None, smtp_port=0)
        self.p.cli("domain", "add", "example.org", check=True)
        self.assertEqual(os.stat(os.path.join(self.data, "postamt.db")).st_uid, 0)
        # Planted links to root's files outside data_dir must not change hands.
        outside = os.path.join(self.p.dir, "root-secret")
        with open(outside, "w") as f:
            f.write("root's\n")
        os.symlink(outside, os.path.join(self.data, "symlink"))
        os.link(outside, os.path.join(self.data, "hardlink"))
        os.makedirs(os.path.join(self.data, "deeper", "still"))
        with open(os.path.join(self.data, "deeper", "still", "file"), "w") as f:
            f.write("x")

        self.write_config()
        self.p.start()
        line = self.p.wait_for_log(r"running as nobody .*; gave \d+ entries of .* to nobody "
                                   r"\(1 left alone: hard links, special files or unreadable "
                                   r"entries\)$")
        self.assertIn(f"entries of {self.data} to nobody", line)
        st = os.stat(outside)
        self.assertEqual((st.st_uid, st.st_gid), (0, 0))
        self.assertEqual(os.lstat(os.path.join(self.data, "symlink")).st_uid, NOBODY)
        os.unlink(os.path.join(self.data, "hardlink"))  # the one entry left to root
        self.assert_all_owned_by_nobody()
        self.assertEqual(self.p.stop(), 0)

    def test_data_dir_below_a_folder_the_user_controls_is_refused(self):
        # nobody could swap data_dir for a link to /etc before the next start as root;
        # the take-over would then give /etc away. So root refuses to take it over.
        parent = os.path.join(self.p.dir, "nobodys")
        os.makedirs(parent)
        os.chown(parent, NOBODY, NOGROUP)
        self.write_config()
        with open(self.p.config) as f:
            text = f.read().replace('data_dir = "data"', 'data_dir = "nobodys/data"')
        self.p.write_config(text)
        for args in (["serve"], ["user", "list"]):
            r = self.p.cli(*args)
            self.assertEqual(r.code, 1, r)
            self.assertIn(f"data_dir {parent}/data: {parent} belongs to uid 65534; Postamt "
                          "started as root gives data_dir to [process] user only on a path that "
                          "root alone controls", r.err)
        self.assertEqual(os.stat(os.path.join(parent, "data")).st_uid, 0)  # made, never given
        # A link to data_dir that nobody owns is refused the same way.
        os.symlink(os.path.join(parent, "data"), os.path.join(self.p.dir, "link"))
        os.lchown(os.path.join(self.p.dir, "link"), NOBODY, NOGROUP)
        self.p.write_config(text.replace('data_dir = "nobodys/data"', 'data_dir = "link"'))
        r = self.p.cli("user", "list")
        self.assertEqual(r.code, 1, r)
        self.assertIn(f"data_dir {self.p.dir}/link is a link that belongs to uid 65534, not root",
                      r.err)

    def test_root_without_process_user_on_a_privileged_port_is_refused(self):
        self.write_config(process=None)
        r = self.p.cli("serve")
        self.assertEqual(r.code, 1, r)
        self.assertIn(
            f"error: refusing to run as root: listen.smtp binds 127.0.0.1:{self.port}, a "
            "privileged port, so this is a real server, and a mail server never handles mail "
            "as root; set [process] user (e.g. \"postamt\") in "
            f"{self.p.config} and Postamt drops to it after binding\n", r.err)
        self.assertFalse(os.path.exists(self.data))  # refused before anything was made

    def test_root_without_process_user_on_high_ports_warns(self):
        self.write_config(process=None, smtp_port=0)
        self.p.start()
        self.p.wait_for_log(
            r"warning: running as root without \[process\] user: every session handles mail "
            r"as root; set \[process\] user in .*postamt\.toml \(docs/process\.md\)$")
        self.assertEqual(status_fields(f"/proc/{self.p.proc.pid}/status")["Uid"].split()[0], "0")
        self.assertEqual(self.p.stop(), 0)

    def test_user_who_is_not_root_cannot_switch(self):
        # [process] user = daemon, run by nobody: only root can switch, so refuse rather
        # than make files that belong to the wrong account.
        self.write_config(process='user = "daemon"\n', smtp_port=0)
        os.makedirs(self.data)
        os.chown(self.data, NOBODY, NOGROUP)

        def as_nobody():
            os.setgroups([])
            os.setgid(NOGROUP)
            os.setuid(NOBODY)

        for args, code in ((["user", "list"], 1), (["deliver", "a@example.org"], 75),
                           (["serve"], 1)):
            proc = subprocess.run([BIN, "--config", self.p.config, *args], input="",
                                  capture_output=True, text=True, timeout=30,
                                  preexec_fn=as_nobody)
            self.assertEqual(proc.returncode, code, (args, proc))
            self.assertIn(f"{self.p.config}: [process] user is daemon:daemon (uid 1, gid 1), but "
                          "Postamt runs as uid 65534, gid 65534, and only root can switch; run "
                          "it as daemon or as root", proc.stderr)
        self.assertEqual(os.listdir(self.data), [])

    def test_config_check_and_version_do_not_switch(self):
        self.write_config()
        r = self.p.cli("config", "check")
        self.assertEqual(r.code, 0, r)
        self.assertFalse(os.path.exists(self.data))
        self.assertEqual(self.p.cli("version").code, 0)
        self.assertFalse(os.path.exists(self.data))


if __name__ == "__main__":
    unittest.main()
