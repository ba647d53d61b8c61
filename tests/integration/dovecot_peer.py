"""A private Dovecot (Debian's dovecot-imapd and dovecot-lmtpd) on loopback ports, with
Maildir++ storage in a temporary folder: the real peer that `postamt import maildir` is
tested against (the approach of bench/run, reduced to IMAP and LMTP).

    with DovecotPeer(["alice@example.test"]) as d:  # starts it
        d.lmtp_deliver("alice@example.test", b"Subject: x\\r\\n\\r\\nbody\\r\\n")
        c = d.imap("alice@example.test")           # imaplib, logged in
        d.stop()                                   # `doveadm stop`, waits for the pid
        d.maildir("alice@example.test")            # the user's Maildir path

As root, mail belongs to the system user "mail" (Dovecot refuses uid 0 for mail); as an
ordinary user, every Dovecot process runs as that user. available() says whether the
binaries are installed (scripts/install-deps adds them).
"""

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

PASSWORD = "dovecot-secret"


def available():
    return shutil.which("dovecot") is not None and shutil.which("doveadm") is not None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DovecotPeer:
    def __init__(self, users):
        self.dir = tempfile.mkdtemp(prefix="postamt-dovecot-")
        os.chmod(self.dir, 0o755)  # the mail user must reach its home below it
        self.users = list(users)
        self.imap_port = _free_port()
        self.lmtp_port = _free_port()
        self.conf = os.path.join(self.dir, "dovecot.conf")
        self.mail_root = os.path.join(self.dir, "mail")
        for sub in ("run", "state", "log", "mail"):
            os.mkdir(os.path.join(self.dir, sub))
        if os.geteuid() == 0:
            entry = pwd.getpwnam("mail")
            uid, gid = entry.pw_uid, entry.pw_gid
            os.chown(self.mail_root, uid, gid)
            process_users = "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
        else:
            uid, gid = os.getuid(), os.getgid()
            me = pwd.getpwuid(uid).pw_name
            process_users = (f"default_internal_user = {me}\ndefault_login_user = {me}\n"
                             f"default_internal_group = {grp.getgrgid(gid).gr_name}\n")
        self.uid, self.gid = uid, gid
        with open(os.path.join(self.dir, "users"), "w") as f:
            for u in self.users:
                f.write(f"{u}:{{PLAIN}}{PASSWORD}::::::\n")
        with open(self.conf, "w") as f:
            f.write(f"""# written by tests/integration/dovecot_peer.py
instance_name = postamt-test-{os.path.basename(self.dir)}
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/log/dovecot.log
info_log_path = {self.dir}/log/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
{process_users}first_valid_uid = {min(uid, 8)}
first_valid_gid = {min(gid, 8)}
mail_location = maildir:~/Maildir
auth_mechanisms = plain login
disable_plaintext_auth = no
ssl = no
passdb {{
  driver = passwd-file
  args = {self.dir}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.mail_root}/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
# No chroot: an ordinary user cannot chroot, and a test instance needs none.
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0
  }}
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {self.lmtp_port}
  }}
}}
protocol lmtp {{
  postmaster_address = postmaster@example.test
}}
""")
        self.running = False

    def start(self):
        # The master daemonizes and keeps its inherited descriptors: no pipes here.
        with open(os.path.join(self.dir, "log", "start.log"), "w") as err:
            subprocess.run(["dovecot", "-c", self.conf], check=True, stdin=subprocess.DEVNULL,
                           stdout=err, stderr=err)
        self.running = True
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.imap_port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("dovecot did not listen; log:\n" + self.log())

    def log(self):
        try:
            with open(os.path.join(self.dir, "log", "dovecot.log")) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if not self.running:
            return
        pid_file = os.path.join(self.dir, "run", "master.pid")
        pid = None
        try:
            with open(pid_file) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            pass
        subprocess.run(["doveadm", "-c", self.conf, "stop"], capture_output=True)
        self.running = False
        deadline = time.monotonic() + 10
        while pid and time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def lmtp_deliver(self, recipient, message):
        """Delivers `message` (bytes, CRLF) over LMTP (RFC 2033); raises on any refusal."""
        with socket.create_connection(("127.0.0.1", self.lmtp_port), timeout=10) as s:
            f = s.makefile("rwb")

            def reply():
                lines = []
                while True:
                    line = f.readline()
                    lines.append(line)
                    if len(line) < 4 or line[3:4] != b"-":
                        break
                if not lines[-1][:1] in (b"2", b"3"):
                    raise AssertionError(f"LMTP refused: {lines}")
                return lines

            def send(line):
                f.write(line + b"\r\n")
                f.flush()
                return reply()

            reply()
            send(b"LHLO test.example")
            send(b"MAIL FROM:<sender@example.net>")
            send(b"RCPT TO:<" + recipient.encode() + b">")
            send(b"DATA")
            data = message.replace(b"\r\n.", b"\r\n..")
            if data.startswith(b"."):
                data = b"." + data
            f.write(data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n")
            f.flush()
            reply()
            send(b"QUIT")

    def imap(self, user):
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=30)
        client.login(user, PASSWORD)
        return client

    def give(self, path):
        """Makes `path` and everything below it the mail user's (files put there by a test)."""
        for folder, dirs, files in os.walk(path):
            for name in [folder] + [os.path.join(folder, f) for f in dirs + files]:
                os.chown(name, self.uid, self.gid)

    def maildir(self, user):
        return os.path.join(self.mail_root, user, "Maildir")

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
