"""The admin command line against the real binary: exit codes, exact output, errors."""

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt
import json
import os
import pty
import select
import subprocess
import tempfile
import time
import unittest

from harness import BIN, Postamt


class AdminCliTest(unittest.TestCase):
    def setUp(self):
        self.p = Postamt()
        self.addCleanup(self.p.close)

    def add_user(self, address, password="pw-" + "x" * 8):
        return self.p.cli("user", "add", address, "--password-stdin", input=password + "\n")

    def test_version(self):
        for args in (["version"], ["--version"]):
            r = self.p.cli(*args)
            self.assertEqual((r.code, r.out, r.err), (0, "postamt 0.1.0\n", ""), args)

    def test_unknown_command_names_itself_and_the_commands(self):
        r = self.p.cli("frobnicate")
        self.assertEqual((r.code, r.out), (2, ""))
        self.assertEqual(r.err, 'postamt: unknown command "frobnicate" (commands: version, serve, '
                                'config, domain, user, alias, token, auth, deliver, queue, receipts, '
                                'import, export, gc, backup, restore, store, dkim, dns, dmarc, tls-rpt)\n')
        r = self.p.cli("user", "frob", "x@example.org")
        self.assertEqual((r.code, r.out), (2, ""))
        self.assertEqual(r.err, 'postamt: unknown command "user frob" (user commands: add, remove, '
                                'list, password, quota)\n')
        r = self.p.cli("receipts", "policy", "frob")
        self.assertEqual(r.err, 'postamt: unknown command "receipts policy frob" (receipts policy '
                                'commands: set, unset, show)\n')

    def test_domains(self):
        self.assertEqual(self.p.cli("domain", "add", "Example.ORG").code, 0)
        self.assertEqual(self.p.cli("domain", "add", "b.test").code, 0)
        r = self.p.cli("domain", "list")
        self.assertEqual((r.code, r.out), (0, "b.test\nexample.org\n"))
        r = self.p.cli("domain", "list", "--format", "json")
        self.assertEqual(json.loads(r.out), [{"name": "b.test"}, {"name": "example.org"}])
        r = self.p.cli("domain", "add", "example.org")
        self.assertEqual(r.code, 1)
        self.assertEqual(r.err.count("\n"), 1, r.err)
        self.assertTrue(r.err.startswith("postamt: "), r.err)
        self.assertIn("example.org", r.err)
        r = self.p.cli("domain", "add", "not a domain")
        self.assertEqual(r.code, 1)
        self.assertEqual(r.err.count("\n"), 1, r.err)
        self.assertEqual(self.p.cli("domain", "remove", "b.test").code, 0)
        self.assertEqual(self.p.cli("domain", "list").out, "example.org\n")
        r = self.p.cli("domain", "remove", "b.test")
        self.assertEqual(r.code, 1)

    def test_users(self):
        self.p.cli("domain", "add", "example.org", check=True)
        r = self.add_user("alice@example.org", "correct horse")
        self.assertEqual((r.code, r.out, r.err), (0, "", ""))
        # Duplicate, unknown domain, malformed address: one clear line and exit 1.
        for address, word in (("alice@example.org", "alice@example.org"),
                              ("Alice@EXAMPLE.org", "exists"),
                              ("bob@unknown.test", "unknown.test"),
                              ("not-an-address", "not-an-address")):
            r = self.add_user(address)
            self.assertEqual(r.code, 1, (address, r))
            self.assertEqual(r.err.count("\n"), 1, r.err)
            self.assertTrue(r.err.startswith("postamt: "), r.err)
            self.assertIn(word, r.err)
        r = self.p.cli("user", "list", "--format", "json")
        no_limit = {"used": 0, "limit": None, "own": False}
        self.assertEqual(json.loads(r.out), [{"address": "alice@example.org",
                                              "quota": {"storage": no_limit,
                                                        "messages": no_limit}}])
        self.assertEqual(self.p.cli("user", "list").out, "alice@example.org\n")

        r = self.p.cli("auth", "test", "alice@example.org", "--password-stdin",
                       input="correct horse\n")
        self.assertEqual((r.code, r.out), (0, "authentication succeeded for alice@example.org\n"))
        r = self.p.cli("auth", "test", "alice@example.org", "--password-stdin", input="wrong\n")
        self.assertEqual((r.code, r.err),
                         (1, "postamt: authentication failed for alice@example.org\n"))

        # Passwords are stored as Argon2id, never in clear.
        db = b""
        for name in ("postamt.db", "postamt.db-wal"):
            path = os.path.join(self.p.dir, "data", name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    db += f.read()
        self.assertIn(b"{ARGON2ID}$argon2id$v=19$", db)
        self.assertNotIn(b"correct horse", db)

        r = self.p.cli("user", "password", "alice@example.org", "--password-stdin",
                       input="battery staple\n")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(self.p.cli("auth", "test", "alice@example.org", "--password-stdin",
                                    input="correct horse\n").code, 1)
        self.assertEqual(self.p.cli("auth", "test", "alice@example.org", "--password-stdin",
                                    input="battery staple\n").code, 0)
        r = self.p.cli("user", "password", "nobody@example.org", "--password-stdin", input="x\n")
        self.assertEqual(r.code, 1)
        self.assertIn("nobody@example.org", r.err)

        self.assertEqual(self.p.cli("user", "remove", "alice@example.org").code, 0)
        self.assertEqual(self.p.cli("user", "list").out, "")
        self.assertEqual(self.p.cli("user", "remove", "alice@example.org").code, 1)

    def test_auth_test_reads_a_pipe(self):
        # "reads it from stdin or the terminal": a pipe needs no --password-stdin.
        self.p.cli("domain", "add", "example.org", check=True)
        self.add_user("alice@example.org", "correct horse")
        r = self.p.cli("auth", "test", "alice@example.org", input="correct horse\n")
        self.assertEqual((r.code, r.out, r.err),
                         (0, "authentication succeeded for alice@example.org\n", ""))
        r = self.p.cli("auth", "test", "alice@example.org", input="wrong\n")
        self.assertEqual((r.code, r.err),
                         (1, "postamt: authentication failed for alice@example.org\n"))
        for args in ([], ["--password-stdin"]):
            r = self.p.cli("auth", "test", "alice@example.org", *args, input="")
            self.assertEqual((r.code, r.err), (1, "postamt: no password on standard input\n"), args)
        # A terminal is prompted, without echo.
        code, transcript = self.on_terminal(["auth", "test", "alice@example.org"],
                                            [(b"Password: ", b"correct horse\n")])
        self.assertEqual(code, 0, transcript)
        self.assertNotIn(b"correct horse", transcript)
        self.assertIn(b"authentication succeeded for alice@example.org", transcript)

    def test_empty_password_and_no_terminal(self):
        self.p.cli("domain", "add", "example.org", check=True)
        r = self.p.cli("user", "add", "a@example.org", "--password-stdin", input="\n")
        self.assertEqual((r.code, r.err), (1, "postamt: the password is empty\n"))
        r = self.p.cli("user", "add", "a@example.org", input="")
        self.assertEqual(r.code, 1)
        self.assertEqual(
            r.err, "postamt: standard input is not a terminal: give the password with "
                   "--password-stdin\n")
        self.assertEqual(self.p.cli("user", "list").out, "")

    def on_terminal(self, args, exchanges):
        """Runs postamt on a pseudo-terminal; for each (prompt, answer), waits for the
        prompt and types the answer. Returns the exit code and everything it showed."""
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(BIN, [BIN, "--config", self.p.config, *args])
        transcript = b""

        def read_until(marker):
            nonlocal transcript
            deadline = time.monotonic() + 20
            while marker not in transcript:
                ready, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
                if not ready:
                    os.kill(pid, 9)
                    self.fail(f"no {marker!r} from the prompt; got {transcript!r}")
                chunk = os.read(fd, 1024)
                if not chunk:
                    break
                transcript += chunk

        for prompt, answer in exchanges:
            read_until(prompt)
            os.write(fd, answer)
        try:
            while True:
                chunk = os.read(fd, 1024)
                if not chunk:
                    break
                transcript += chunk
        except OSError:
            pass
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(status), transcript

    def test_interactive_prompt_without_echo(self):
        self.p.cli("domain", "add", "example.org", check=True)
        code, transcript = self.on_terminal(
            ["user", "add", "tty@example.org"],
            [(b"Password: ", b"typed secret\n"), (b"Retype password: ", b"typed secret\n")])
        self.assertEqual(code, 0, transcript)
        self.assertNotIn(b"typed secret", transcript)  # no echo
        r = self.p.cli("auth", "test", "tty@example.org", "--password-stdin",
                       input="typed secret\n")
        self.assertEqual(r.code, 0, r)

    def test_imported_dovecot_hashes(self):
        self.p.cli("domain", "add", "example.org", check=True)
        sha512 = subprocess.run(["openssl", "passwd", "-6", "-salt", "Zq8n2Xv1", "imported"],
                                capture_output=True, text=True, check=True).stdout.strip()
        bcrypt = crypt.crypt("imported", "$2b$05$" + "abcdefghijklmnopqrstuv")
        self.assertTrue(bcrypt.startswith("$2b$05$"), bcrypt)
        for user, h in (("sha@example.org", "{SHA512-CRYPT}" + sha512),
                        ("blf@example.org", "{BLF-CRYPT}" + bcrypt)):
            r = self.p.cli("user", "add", user, "--password-hash", h)
            self.assertEqual(r.code, 0, r)
            self.assertEqual(self.p.cli("auth", "test", user, "--password-stdin",
                                        input="imported\n").code, 0)
            self.assertEqual(self.p.cli("auth", "test", user, "--password-stdin",
                                        input="Imported\n").code, 1)
        r = self.p.cli("user", "add", "md5@example.org", "--password-hash", "{PLAIN-MD5}abc")
        self.assertEqual(r.code, 1)
        self.assertIn("password hash", r.err)

    def test_aliases(self):
        self.p.cli("domain", "add", "example.org", check=True)
        self.add_user("alice@example.org")
        r = self.p.cli("alias", "add", "team@example.org", "alice@example.org", "x@remote.test")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(self.p.cli("alias", "list").out,
                         "team@example.org -> alice@example.org, x@remote.test\n")
        r = self.p.cli("alias", "list", "--format", "json")
        self.assertEqual(json.loads(r.out), [{"address": "team@example.org",
                                              "targets": ["alice@example.org", "x@remote.test"]}])
        # An alias may not shadow an account, nor live in a foreign domain.
        self.assertEqual(self.p.cli("alias", "add", "alice@example.org", "x@remote.test").code, 1)
        self.assertEqual(self.p.cli("alias", "add", "a@remote.test", "alice@example.org").code, 1)
        self.assertEqual(self.p.cli("alias", "add", "b@example.org").code, 2)  # usage: no target
        # A domain in use cannot be removed.
        r = self.p.cli("domain", "remove", "example.org")
        self.assertEqual(r.code, 1)
        self.assertIn("example.org", r.err)
        self.assertEqual(self.p.cli("alias", "remove", "team@example.org").code, 0)
        self.assertEqual(self.p.cli("alias", "list").out, "")


class DeliverCliTest(unittest.TestCase):
    def test_deliver_from_stdin(self):
        with Postamt() as p:
            p.cli("domain", "add", "example.org", check=True)
            p.cli("user", "add", "alice@example.org", "--password-stdin", input="pw\n", check=True)
            p.cli("alias", "add", "all@example.org", "alice@example.org", check=True)
            r = p.cli("deliver", "--from", "bob@remote.test", "all@example.org", "alice@example.org",
                      input="Subject: hi\n\nbody\n")
            self.assertEqual((r.code, r.out, r.err),
                             (0, "delivered to alice@example.org (INBOX uid 1)\n", ""))
            r = p.cli("deliver", "alice@example.org", input="Subject: 2\n\nx\n")
            self.assertEqual(r.out, "delivered to alice@example.org (INBOX uid 2)\n")
            # sysexits: 67 for an unknown user (the calling MTA bounces), 1 for relaying.
            r = p.cli("deliver", "nobody@example.org", input="x\n")
            self.assertEqual(r.code, 67)
            self.assertTrue(r.err.startswith("postamt: nobody@example.org: "), r.err)
            r = p.cli("deliver", "x@remote.test", input="x\n")
            self.assertEqual((r.code, r.err), (1, "postamt: x@remote.test: x@remote.test is not a "
                                                  "local address, and postamt deliver does not relay\n"))


class ConfigCliTest(unittest.TestCase):
    def test_check_valid(self):
        with Postamt() as p:
            r = p.cli("config", "check")
            self.assertEqual(r.code, 0, r)
            self.assertEqual(r.out, f"{p.config}: configuration is valid\n")

    def test_check_errors_name_file_line_key(self):
        with Postamt() as p:
            p.write_config('hostname = "mail.example.test"\n[listen]\nimap = ["127.0.0.1:99999"]\n'
                           'colour = "blue"\n')
            r = p.cli("config", "check")
            self.assertEqual(r.code, 1)
            self.assertEqual(r.err, f'postamt: {p.config}:3: listen.imap: "127.0.0.1:99999" is not '
                                    'a valid host:port (port 0-65535)\n'
                                    f'postamt: {p.config}:4: listen.colour: unknown key\n')
            p.write_config('[auth]\nplaintext = "yes"\n')
            r = p.cli("config", "check")
            self.assertEqual(r.err, f'postamt: {p.config}:2: auth.plaintext: "yes" is not one of '
                                    '"never", "loopback", "always"\n')
            p.write_config('[storage]\nbackend = "sqlite"\nbackup = true\n')
            r = p.cli("config", "check")
            self.assertEqual(r.err, f"postamt: {p.config}:3: storage.backup: unknown key\n")
            # The server refuses to start on the same error, with the same line.
            r = p.cli("serve")
            self.assertEqual((r.code, r.err), (1, f"postamt: {p.config}:3: storage.backup: unknown key\n"))

    def test_check_names_every_error(self):
        with Postamt() as p:
            p.write_config('hostname = "mail.example.test"\ncolour = "blue"\n[listen]\n'
                           'imap = ["127.0.0.1:99999"]\n[smtp]\nmax_recipients = 0\n'
                           '[pop3]\nidle_timeout = "5m"\n')
            expected = (f'postamt: {p.config}:2: colour: unknown key\n'
                        f'postamt: {p.config}:4: listen.imap: "127.0.0.1:99999" is not a valid '
                        'host:port (port 0-65535)\n'
                        f'postamt: {p.config}:6: smtp.max_recipients: 0 is out of range 1-100000\n'
                        f'postamt: {p.config}:8: pop3.idle_timeout: must be at least 10 minutes '
                        '(RFC 1939 §3)\n')
            r = p.cli("config", "check")
            self.assertEqual((r.code, r.out, r.err), (1, "", expected))
            r = p.cli("serve")
            self.assertEqual((r.code, r.err), (1, expected))

    def test_config_location(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "postamt.toml"), "w") as f:
                f.write('hostname = "cwd.example.test"\n')
            # Default: ./postamt.toml
            r = subprocess.run([BIN, "config", "check"], cwd=d, capture_output=True, text=True,
                               env={k: v for k, v in os.environ.items() if k != "POSTAMT_CONFIG"})
            self.assertEqual((r.returncode, r.stdout),
                             (0, f"{os.path.join(d, 'postamt.toml')}: configuration is valid\n"))
            # POSTAMT_CONFIG overrides the default; --config overrides both.
            other = os.path.join(d, "other.toml")
            with open(other, "w") as f:
                f.write("nonsense = 1\n")
            env = dict(os.environ, POSTAMT_CONFIG=other)
            r = subprocess.run([BIN, "config", "check"], cwd=d, capture_output=True, text=True,
                               env=env)
            self.assertEqual((r.returncode, r.stderr), (1, f"postamt: {other}:1: nonsense: unknown key\n"))
            r = subprocess.run([BIN, "--config", os.path.join(d, "postamt.toml"), "config", "check"],
                               cwd=d, capture_output=True, text=True, env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run([BIN, "--config", os.path.join(d, "missing.toml"), "config", "check"],
                               cwd=d, capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stderr, f"postamt: {os.path.join(d, 'missing.toml')}: cannot read "
                                       "configuration: No such file or directory\n")


if __name__ == "__main__":
    unittest.main()
