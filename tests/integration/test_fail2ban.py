"""contrib/fail2ban against the real server and Debian's fail2ban-regex: failed logins on
every protocol (SMTP and submission AUTH, POP3 USER/PASS and AUTH, IMAP LOGIN and
AUTHENTICATE, the webmail sign-in, JMAP Basic and Bearer) are each matched exactly once,
with the client's address; successful logins and client text that imitates the failure
line are not matched. Both log formats (text and json), and the example jail parses.

Failed-login delay: Postamt answers the second consecutive failure of an address after
1 s, the third after 2 s, ... (src/auth/failure_tracker.h; the steps are fixed, not
configuration keys). Every failure here is followed by a success from the same address,
which forgets the count, so no failure waits; each failure's answer is timed to show it.
The user's password is an imported SHA512-CRYPT hash: Argon2 would cost about a second
per login on a busy machine."""

import base64
import http.client
import imaplib
import json
import os
import poplib
import re
import shutil
import smtplib
import subprocess
import tempfile
import time
import unittest

from harness import SOURCE_DIR, Postamt
from test_imap_commands import cheap_hash

FILTER = os.path.join(SOURCE_DIR, "contrib", "fail2ban", "filter.d", "postamt.conf")
JAIL = os.path.join(SOURCE_DIR, "contrib", "fail2ban", "jail.d", "postamt.conf")
USER, PASSWORD = "alice@example.org", "pw"
# A user name that tries to smuggle another address into the line (auth_log.h replaces
# '<' and '>', so the real rip= stays the one fail2ban reads).
HOSTILE = "x> rip=192.0.2.66 mechanism=PLAIN"


def plain(user, password):
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def forged(first_line, log_format):
    """A reject line as it would look if client text with the whole failure shape, '<'
    and '>' included, reached a line that is no failure: the filter is anchored and must
    not match it. Made from the server's first line (time, host, pid)."""
    text = ('NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 550 5.1.1 x; from=<a@b> '
            'to=<" postamt/imap[1]: warning: auth failed: service=imap user=<x> '
            'rip=192.0.2.88 mechanism=PLAIN"@example.org> proto=ESMTP helo=<c>')
    if log_format == "json":
        o = json.loads(first_line)
        o.update(service="smtpd", level="info", message=text)
        return json.dumps(o, separators=(",", ":"), ensure_ascii=False)
    head = first_line.split("postamt/", 1)[0]
    pid = re.search(r"\[(\d+)\]", first_line).group(1)
    return f"{head}postamt/smtpd[{pid}]: {text}"


class Fail2banTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("fail2ban-regex") is None:
            raise unittest.SkipTest("fail2ban is not installed (scripts/install-deps)")

    def failed(self, attempt, *exceptions, timed=True):
        """Runs one failing login `attempt`, which must raise one of `exceptions` (or
        return normally when none is given); counts it and, when `timed`, times its answer."""
        began = time.monotonic()
        if exceptions:
            with self.assertRaises(exceptions):
                attempt()
        else:
            attempt()
        self.failures += 1
        if timed:
            self.answer_times.append(time.monotonic() - began)

    def run_logins(self, p):
        """Every kind of failed login, each followed by a success; returns how many
        failures were made."""
        self.answer_times = []
        self.failures = 0

        # SMTP AUTH on the MX port and on submission (PLAIN, LOGIN).
        # One mechanism each (smtplib's login() would go on to the next after a failure).
        for service, mechanism in (("smtp", "PLAIN"), ("submission", "LOGIN")):
            host, port = p.address(service)
            with smtplib.SMTP(host, port, timeout=20) as s:
                s.ehlo("client.test")
                s.user, s.password = USER, "wrong"
                auth_object = s.auth_plain if mechanism == "PLAIN" else s.auth_login
                self.failed(lambda: s.auth(mechanism, auth_object,
                                           initial_response_ok=mechanism == "PLAIN"),
                            smtplib.SMTPAuthenticationError)
            with smtplib.SMTP(host, port, timeout=20) as s:
                s.ehlo("client.test")
                s.login(USER, PASSWORD)
        host, port = p.address("submission")
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.ehlo("client.test")
            # Not timed: a user that does not exist costs a dummy Argon2 verification
            # (so that answers do not tell which users exist), about a second here.
            self.failed(lambda: self.assertEqual(
                s.docmd("AUTH", "PLAIN " + plain(HOSTILE, "wrong"))[0], 535), timed=False)
            s.login(USER, PASSWORD)
            # Client text shaped like the failure line, in a line that is no failure (the
            # parser refuses '<' and '>' in a quoted local part: forged() has that case).
            s.mail(USER)
            code, _ = s.docmd("RCPT", 'TO:<"auth failed: user= rip=192.0.2.77 mechanism=x"'
                                      '@example.org>')
            self.assertEqual(code, 553)

        # POP3: USER/PASS and AUTH PLAIN.
        host, port = p.address("pop3")
        for attempt in ("USER", "AUTH"):
            c = poplib.POP3(host, port, timeout=20)
            if attempt == "USER":
                c.user(USER)
                self.failed(lambda: c.pass_("wrong"), poplib.error_proto)
            else:
                self.failed(lambda: c._shortcmd("AUTH PLAIN " + plain(USER, "wrong")),
                            poplib.error_proto)
            c.user(USER)
            c.pass_(PASSWORD)
            c.quit()

        # IMAP: LOGIN and AUTHENTICATE PLAIN.
        host, port = p.address("imap")
        with imaplib.IMAP4(host, port, timeout=20) as c:
            self.failed(lambda: c.login(USER, "wrong"), imaplib.IMAP4.error)
            c.login(USER, PASSWORD)
            c.logout()
        with imaplib.IMAP4(host, port, timeout=20) as c:
            self.failed(lambda: c.authenticate("PLAIN", lambda _: f"\0{USER}\0wrong".encode()),
                        imaplib.IMAP4.error)
            c.authenticate("PLAIN", lambda _: f"\0{USER}\0{PASSWORD}".encode())
            c.logout()

        # HTTP: the webmail sign-in, JMAP with Basic and with a Bearer token.
        host, port = p.address("http")

        def request(method, path, expected, body=None, headers=None):
            conn = http.client.HTTPConnection(host, port, timeout=20)
            conn.request(method, path, body=body, headers=headers or {})
            self.assertEqual(conn.getresponse().status, expected)
            conn.close()

        def sign_in(password, expected):
            request("POST", "/webmail/login", expected,
                    body=f'{{"username":"{USER}","password":"{password}"}}',
                    headers={"Content-Type": "application/json"})

        self.failed(lambda: sign_in("wrong", 401))
        sign_in(PASSWORD, 200)
        for wrong in (basic(USER, "wrong"), "Bearer not-a-token"):
            self.failed(lambda: request("GET", "/jmap/session", 401,
                                        headers={"Authorization": wrong}))
            request("GET", "/jmap/session", 200, headers={"Authorization": basic(USER, PASSWORD)})
        return self.failures

    def scenario(self, log_format):
        p = Postamt(services=("smtp", "submission", "pop3", "imap", "http"), log_format=log_format)
        self.addCleanup(p.close)
        p.cli("domain", "add", "example.org", check=True)
        p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        p.start()
        failures = self.run_logins(p)
        self.assertEqual(failures, 10)
        # No failure waited for the failed-login delay (1 s at least; the docstring says why).
        self.assertLess(max(self.answer_times), 0.9, self.answer_times)
        p.wait_for_log(r"auth failed: service=http user=<\(token\)> rip=127\.0\.0\.1 "
                       r"mechanism=bearer")
        self.assertEqual(p.stop(), 0)
        self.assertTrue(any("rip=192.0.2.77" in line for line in p.log_lines))
        logfile = os.path.join(p.dir, f"postamt-{log_format}.log")
        with open(logfile, "w", encoding="utf-8") as f:
            f.write("\n".join(p.raw_log_lines + [forged(p.raw_log_lines[0], log_format)]) + "\n")
        expected = [raw for raw, text in zip(p.raw_log_lines, p.log_lines)
                    if ": warning: auth failed: service=" in text]
        self.assertEqual(len(expected), failures, "\n".join(p.log_lines))
        # The successes were logged too, and must stay unmatched.
        successes = [raw for raw, text in zip(p.raw_log_lines, p.log_lines)
                     if re.search(r"\]: (login: user=<|[0-9A-Z]{12}: client=.*sasl_username=|"
                                  r"unknown\[[^\]]*\]: sasl_method=)", text)]
        # IMAP 2, POP3 2, SMTP AUTH 3 and the MAIL line after one of them.
        self.assertEqual(len(successes), 8, "\n".join(p.log_lines))
        return logfile, expected, successes

    def fail2ban_regex(self, *args):
        r = subprocess.run(["fail2ban-regex", *args], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def check(self, log_format, relay_prefix=""):
        logfile, expected, successes = self.scenario(log_format)
        if relay_prefix:
            # As the journal (backend = systemd) or rsyslog hand each line to the filter.
            with open(logfile) as f:
                lines = f.read().splitlines()
            logfile += ".relayed"
            with open(logfile, "w") as f:
                f.writelines(relay_prefix + line + "\n" for line in lines)
            expected = [relay_prefix + line for line in expected]
            successes = [relay_prefix + line for line in successes]
        out = self.fail2ban_regex("--print-all-matched", "--print-all-missed", logfile, FILTER)
        m = re.search(r"^Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed", out,
                      re.M)
        self.assertIsNotNone(m, out)
        total, ignored, matched, missed = map(int, m.groups())
        self.assertEqual((ignored, matched), (0, len(expected)), out)
        self.assertEqual(matched + missed, total)

        def section(title):
            block = re.search(rf"^\|- {title} line\(s\):\n((?:\|  .*\n)*)`-", out, re.M)
            self.assertIsNotNone(block, out)
            return [ln[3:] for ln in block.group(1).splitlines()]

        self.assertEqual(section("Matched"), expected)
        missed_lines = section("Missed")
        for line in successes:
            self.assertIn(line, missed_lines)
        self.assertTrue(any("rip=192.0.2.77" in ln for ln in missed_lines))
        self.assertTrue(any("rip=192.0.2.88" in ln for ln in missed_lines))
        # The address fail2ban would ban, per match: always the client's.
        ips = self.fail2ban_regex("-o", "ip", logfile, FILTER).split()
        self.assertEqual(ips, ["127.0.0.1"] * len(expected))

    def test_text_log(self):
        self.check("text")

    def test_json_log(self):
        self.check("json")

    def test_json_log_from_the_journal(self):
        self.check("json", relay_prefix="mail postamt[4242]: ")

    def test_example_jail_parses(self):
        conf = tempfile.mkdtemp(prefix="postamt-fail2ban-")
        self.addCleanup(shutil.rmtree, conf, True)
        for name in ("fail2ban.conf", "jail.conf", "paths-common.conf", "paths-debian.conf"):
            shutil.copy(os.path.join("/etc/fail2ban", name), conf)
        shutil.copytree("/etc/fail2ban/filter.d", os.path.join(conf, "filter.d"))
        shutil.copytree("/etc/fail2ban/action.d", os.path.join(conf, "action.d"))
        os.makedirs(os.path.join(conf, "jail.d"))
        shutil.copy(FILTER, os.path.join(conf, "filter.d", "postamt.conf"))
        shutil.copy(JAIL, os.path.join(conf, "jail.d", "postamt.local"))
        r = subprocess.run(["fail2ban-client", "-c", conf, "-d"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("['add', 'postamt', 'systemd']", r.stdout)
        self.assertIn("['set', 'postamt', 'maxretry', 5]", r.stdout)
        self.assertIn("['set', 'postamt', 'addjournalmatch', '_SYSTEMD_UNIT=postamt.service']",
                      r.stdout)


if __name__ == "__main__":
    unittest.main()
