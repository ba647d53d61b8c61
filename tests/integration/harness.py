"""Integration harness: runs the real build/postamt with a temporary configuration on
free loopback ports and drives it from outside, the way an admin or a client would.

    with Postamt() as p:             # writes postamt.toml in a temp dir, does not start
        p.cli("domain", "add", "example.org")
        p.start()                    # `postamt serve`, waits for every 'listening:' line
        host, port = p.address("imap")
        p.stop()                     # SIGTERM, asserts a clean exit within 5 seconds

Protocol issues add their clients next to this file.
"""

import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time

SOURCE_DIR = os.environ.get(
    "POSTAMT_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
)
BIN = os.environ.get("POSTAMT_BIN", os.path.join(SOURCE_DIR, "build", "postamt"))

LISTEN_RE = re.compile(r"listening: (\S+) (\S+):(\d+)$")


def text_of_json_line(line):
    """The text-format line a JSON log line stands for (src/base/log.h): the same time,
    host, service, pid and message, "warning: "/"error: " from its level. Raises
    ValueError for a line that is not one JSON object with those members."""
    o = json.loads(line)
    if not isinstance(o, dict):
        raise ValueError(f"not a JSON object: {line!r}")
    prefix = {"warning": "warning: ", "error": "error: "}.get(o["level"], "")
    return f'{o["time"]} {o["host"]} postamt/{o["service"]}[{o["pid"]}]: {prefix}{o["message"]}'


class CliResult:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __repr__(self):
        return f"CliResult(code={self.code}, out={self.out!r}, err={self.err!r})"


def imap_login(test, postamt, user, password):
    """An imaplib client logged in to `postamt`'s imap listener as `user`; logged out
    (quietly, whatever state it is in) when `test` ends."""
    import imaplib
    host, port = postamt.address("imap")
    client = imaplib.IMAP4(host, port, timeout=30)

    def logout_quietly():
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - the test may have ended the session itself
            pass

    test.addCleanup(logout_quietly)
    client.login(user, password)
    return client


def unverified_context():
    """A TLS client context for the server's self-signed test certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Postamt:
    """One Postamt instance with its own data directory and configuration."""

    def __init__(self, services=("smtp", "submission", "submissions", "pop3", "pop3s",
                                 "imap", "imaps", "http"), extra_config="",
                 auth_plaintext="loopback", log_format="text", mail_auth=False):
        self.dir = tempfile.mkdtemp(prefix="postamt-test-")
        self.config = os.path.join(self.dir, "postamt.toml")
        self.services = services
        listen = "\n".join(f'{s} = ["127.0.0.1:0"]' for s in services)
        # log_format "json": raw_log_lines keeps the server's lines as written, log_lines
        # their text form (text_of_json_line), so that wait_for_log works alike.
        self.log_format = log_format
        # The MX's DKIM/SPF/DMARC checks ask DNS about every sender; a test that is not
        # about them must not depend on this machine's resolver (test_mail_auth.py turns
        # them on, with its own zones).
        checks = "" if mail_auth else "[mailauth]\nenabled = false\n"
        self.write_config(
            f'hostname = "mail.example.test"\n'
            f'data_dir = "data"\n'
            f'log_format = "{log_format}"\n'
            f"[listen]\n{listen}\n"
            f'[auth]\nplaintext = "{auth_plaintext}"\n'
            f"{checks}"
            f"{extra_config}"
        )
        self.proc = None
        self.log_lines = []
        self.raw_log_lines = []
        self.log_errors = []  # JSON lines that did not parse
        self.addresses = {}
        self._log_cond = threading.Condition()

    def write_config(self, text):
        with open(self.config, "w") as f:
            f.write(text)

    # --- admin CLI -------------------------------------------------------------------
    def cli(self, *args, input=None, check=False):
        proc = subprocess.run([BIN, "--config", self.config, *args], input=input,
                              capture_output=True, text=True, timeout=60)
        r = CliResult(proc)
        if check and r.code != 0:
            raise AssertionError(f"postamt {' '.join(args)} failed: {r}")
        return r

    # --- server ----------------------------------------------------------------------
    def start(self, timeout=20):
        self.log_lines = []
        self.raw_log_lines = []
        self.log_errors = []
        self.addresses = {}
        self.proc = subprocess.Popen([BIN, "--config", self.config, "serve"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read_log, args=(self.proc.stderr,), daemon=True).start()
        self.wait_for_log(r"postamt/master\[\d+\]: started: ", timeout)
        return self

    def _read_log(self, stream):
        try:
            self._read_log_lines(stream)
        except ValueError:
            pass  # kill9()/stop() closed the pipe while this thread was reading it
        with self._log_cond:
            self._log_cond.notify_all()

    def _read_log_lines(self, stream):
        for line in stream:
            line = line.rstrip("\n")
            raw = line
            if self.log_format == "json":
                try:
                    line = text_of_json_line(raw)
                except (ValueError, KeyError, TypeError) as e:
                    self.log_errors.append(f"{e}: {raw!r}")
            with self._log_cond:
                self.raw_log_lines.append(raw)
                self.log_lines.append(line)
                m = LISTEN_RE.search(line)
                if m:
                    self.addresses.setdefault(m.group(1), []).append((m.group(2), int(m.group(3))))
                self._log_cond.notify_all()

    def wait_for_log(self, pattern, timeout=10, start=0):
        """Waits for a log line matching `pattern` (from index `start`); returns it."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._log_cond:
            while True:
                for line in self.log_lines[start:]:
                    if rx.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None):
                    raise AssertionError(
                        f"no log line matching {pattern!r}; log:\n" + "\n".join(self.log_lines))
                self._log_cond.wait(min(left, 0.2))


    def address(self, service):
        return self.addresses[service][0]

    def stop(self, timeout=5):
        """SIGTERM; returns the exit code. Raises if the server does not exit in time."""
        if not self.proc:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._release()
        return code

    def _release(self):
        self.proc.stderr.close()
        self.proc = None

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self._release()

    def close(self):
        if self.proc:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._release()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
