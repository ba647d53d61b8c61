"""Real IMAP clients against the real binary: mbsync (isync) syncing to a Maildir over
IMAPS, and mutt driven through a pseudo-terminal; the effects are checked over imaplib
and against the delivered bytes."""

import os
import pty
import select
import subprocess
import tempfile
import time
import unittest

from harness import BIN, Postamt, imap_login
from test_imap_commands import ATTACHMENT, ENCODED, PLAIN, cheap_hash

USER = "alice@example.org"
PASSWORD = "correct horse"

LISTS = (b"From: list@example.net\r\nTo: alice@example.org\r\nSubject: list mail\r\n"
         b"Message-ID: <l1@example.net>\r\n\r\nposted to a list\r\n")


class ClientBase(unittest.TestCase):
    def setUp(self):
        self.p = Postamt(services=("imap", "imaps"))
        self.addCleanup(self.p.close)
        self.p.cli("domain", "add", "example.org", check=True)
        self.p.cli("user", "add", USER, "--password-hash", cheap_hash(PASSWORD), check=True)
        self.p.start()
        self.home = tempfile.mkdtemp(dir=self.p.dir)

    def deliver(self, message):
        """`postamt deliver` prepends Return-Path; returns the message as stored."""
        proc = subprocess.run([BIN, "--config", self.p.config, "deliver", "--from",
                               "bob@example.org", USER], input=message, capture_output=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return b"Return-Path: <bob@example.org>\r\n" + message

    def imap(self):
        return imap_login(self, self.p, USER, PASSWORD)

    def mailbox(self, client, name, items="(UID FLAGS)"):
        """FETCH 1:* of `name` (EXAMINEd, so nothing changes); [] when empty."""
        typ, data = client.select(name, readonly=True)
        self.assertEqual(typ, "OK", data)
        if data == [b"0"]:
            return []
        typ, data = client.fetch("1:*", items)
        self.assertEqual(typ, "OK", data)
        return data


class Mbsync(ClientBase):
    """mbsync (isync 1.4) with Far = Postamt, Near = a Maildir, every folder, both ways.
    mbsync writes Maildir files with LF line ends and adds an "X-TUID:" line as the last
    header of each message it copies (its crash-recovery marker), so files compare with
    that line taken out and CRLF as LF."""

    def as_synced(self, data):
        """`data` minus the one X-TUID line that ends its header; fails without it."""
        head, sep, body = data.partition(b"\n\n")
        lines = head.split(b"\n")
        self.assertRegex(lines[-1], rb"^X-TUID: [A-Za-z0-9+/]{12}$")
        self.assertEqual([l for l in lines if l.startswith(b"X-TUID:")], lines[-1:])
        return b"\n".join(lines[:-1]) + sep + body

    def write_rc(self, tls):
        self.maildir = os.path.join(self.home, "mail")
        os.makedirs(self.maildir)
        if tls:
            host, port = self.p.address("imaps")
            cert = os.path.join(self.p.dir, "data", "tls", "cert.pem")
            security = f"SSLType IMAPS\nCertificateFile {cert}\n"
        else:
            host, port = self.p.address("imap")
            # mbsync sends no password in the clear unless LOGIN is asked for by name.
            security = "SSLType None\nAuthMechs LOGIN\n"
        self.rc = os.path.join(self.home, "mbsyncrc")
        with open(self.rc, "w") as f:
            f.write(f'IMAPAccount postamt\nHost {host}\nPort {port}\nUser {USER}\n'
                    f'Pass "{PASSWORD}"\n{security}\n'
                    f"IMAPStore far\nAccount postamt\n\n"
                    f"MaildirStore near\nPath {self.maildir}/\nInbox {self.maildir}/INBOX\n"
                    f"SubFolders Verbatim\n\n"
                    f"Channel all\nFar :far:\nNear :near:\nPatterns *\nCreate Both\n"
                    f"Expunge Both\nSyncState *\n")

    def sync(self):
        proc = subprocess.run(["mbsync", "-c", self.rc, "-a"], capture_output=True, timeout=60,
                              env=dict(os.environ, HOME=self.home))
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        return proc

    def maildir_files(self, folder):
        """{uid from ",U=": (path, bytes)} for the messages in cur/ and new/."""
        out = {}
        for sub in ("cur", "new"):
            d = os.path.join(self.maildir, folder, sub)
            for name in os.listdir(d):
                uid = int(name.split(",U=")[1].split(":")[0])
                with open(os.path.join(d, name), "rb") as f:
                    out[uid] = (os.path.join(d, name), f.read())
        return out

    def tree(self):
        """Every file under the Maildir root with its bytes."""
        out = {}
        for root, dirs, files in os.walk(self.maildir):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    out[os.path.relpath(path, self.maildir)] = f.read()
        return out

    def server_state(self, client):
        typ, data = client.list()
        names = sorted(line.split(b'"/" ')[1] for line in data)
        state = {}
        for name in names:
            typ, status = client.status(name, "(MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)")
            state[name] = (status, self.mailbox(client, name.decode()))
        return state

    def test_full_sync_is_byte_exact_and_a_second_sync_changes_nothing(self):
        stored = [self.deliver(PLAIN), self.deliver(ENCODED)]
        client = self.imap()
        self.assertEqual(client.create("Lists/Postamt")[0], "OK")
        typ, data = client.append("Lists/Postamt", "(\\Seen)", None, LISTS)
        self.assertEqual(typ, "OK", data)
        self.write_rc(tls=True)
        self.sync()
        inbox = self.maildir_files("INBOX")
        self.assertEqual(sorted(inbox), [1, 2])
        for uid, message in zip((1, 2), stored):
            self.assertEqual(self.as_synced(inbox[uid][1]), message.replace(b"\r\n", b"\n"))
        lists = self.maildir_files("Lists/Postamt")
        self.assertEqual(list(lists), [1])
        path, body = lists[1]
        self.assertEqual(self.as_synced(body), LISTS.replace(b"\r\n", b"\n"))
        # \Seen on the server becomes the Maildir "S" flag in cur/.
        self.assertTrue(path.endswith(":2,S"), path)
        self.assertEqual(os.path.basename(os.path.dirname(path)), "cur")
        for folder in ("Archive", "Drafts", "Junk", "Sent", "Trash", "Lists"):
            self.assertEqual(self.maildir_files(folder), {}, folder)
        tree_before = self.tree()
        server_before = self.server_state(client)
        self.sync()
        self.assertEqual(self.tree(), tree_before)
        self.assertEqual(self.server_state(client), server_before)

    def test_flags_deletions_and_new_mail_propagate_both_ways(self):
        for m in (PLAIN, ENCODED, ATTACHMENT):
            self.deliver(m)
        self.write_rc(tls=False)
        self.sync()
        files = self.maildir_files("INBOX")
        self.assertEqual(sorted(files), [1, 2, 3])
        # A mail reader flags message 1 (moving it to cur/ with ":2,FS") and deletes 2.
        path = files[1][0]
        name = os.path.basename(path).split(":")[0]
        os.rename(path, os.path.join(self.maildir, "INBOX", "cur", name + ":2,FS"))
        os.unlink(files[2][0])
        # Meanwhile on the server: 3 is expunged and a new message arrives.
        client = self.imap()
        client.select("INBOX")
        client.store("3", "+FLAGS", "(\\Deleted)")
        self.assertEqual(client.expunge(), ("OK", [b"3"]))
        new = self.deliver(LISTS)
        self.sync()
        self.assertEqual(self.mailbox(client, "INBOX"), [
            b"1 (UID 1 FLAGS (\\Seen \\Flagged))", b"2 (UID 4 FLAGS ())"])
        files = self.maildir_files("INBOX")
        self.assertEqual(sorted(files), [1, 4])
        self.assertTrue(files[1][0].endswith(":2,FS"), files[1][0])
        self.assertEqual(self.as_synced(files[4][1]), new.replace(b"\r\n", b"\n"))
        # Unflagging in the Maildir clears \Flagged on the server, \Seen stays.
        name = os.path.basename(files[1][0]).split(":")[0]
        os.rename(files[1][0], os.path.join(self.maildir, "INBOX", "cur", name + ":2,S"))
        self.sync()
        self.assertEqual(self.mailbox(client, "INBOX"), [
            b"1 (UID 1 FLAGS (\\Seen))", b"2 (UID 4 FLAGS ())"])


    def test_messages_and_folders_made_in_the_maildir_reach_the_server(self):
        self.write_rc(tls=True)
        self.sync()
        # A mail reader files a message in INBOX and in a new folder.
        local = b"From: alice@example.org\nTo: bob@example.org\nSubject: draft\n\nwritten here\n"
        with open(os.path.join(self.maildir, "INBOX", "cur", "1.local.host:2,S"), "wb") as f:
            f.write(local)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.maildir, "Projects", sub))
        with open(os.path.join(self.maildir, "Projects", "new", "2.local.host"), "wb") as f:
            f.write(local)
        self.sync()
        client = self.imap()
        # On the server: CRLF line ends, the client's flags, any header mbsync added.
        for name, flags in (("INBOX", b"\\Seen"), ("Projects", b"")):
            data = self.mailbox(client, name, "(UID FLAGS BODY.PEEK[])")
            self.assertEqual(data[0][0],
                             b"1 (UID 1 FLAGS (%s) BODY[] {%d}" % (flags, len(data[0][1])))
            self.assertEqual(self.as_synced(data[0][1].replace(b"\r\n", b"\n")), local)
            self.assertNotIn(b"\n", data[0][1].replace(b"\r\n", b""))
        # mbsync learnt the new UIDs: its files now carry ",U=1".
        self.assertEqual(list(self.maildir_files("INBOX")), [1])
        self.assertEqual(list(self.maildir_files("Projects")), [1])

class Mutt(ClientBase):
    """mutt needs a terminal: it runs on a pseudo-terminal (TERM=vt100) with its whole
    session pushed as keys by -e 'push ...', ending in <quit>; nothing is typed late."""

    def run_mutt(self, keys, settings=""):
        """`settings` (muttrc lines) come last and override the defaults; with
        settings, mutt also writes its protocol debug log to ~/.muttdebug0."""
        host, port = self.p.address("imap")
        rc = os.path.join(self.home, "muttrc")
        with open(rc, "w") as f:
            f.write(f'set imap_user="{USER}"\nset imap_pass="{PASSWORD}"\n'
                    f'set folder="imap://{host}:{port}/"\nset spoolfile="+INBOX"\n'
                    # Plain IMAP on loopback, which the server allows; no caches so that
                    # every action goes to the server.
                    "set ssl_starttls=no\nset ssl_force_tls=no\n"
                    'set header_cache=""\nset message_cachedir=""\n'
                    "set sort=mailbox-order\nset delete=yes\nset confirmappend=no\n"
                    'set confirmcreate=no\nset mark_old=no\nset move=no\nset record=""\n'
                    "set wait_key=no\nset beep=no\n" + settings)
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        env = dict(os.environ, HOME=self.home, TERM="vt100", MAILCAPS="/dev/null")
        debug = ["-d", "2"] if settings else []
        proc = subprocess.Popen(["mutt", "-n", "-F", rc, *debug, "-f", "=INBOX", "-e",
                                 f'push "{keys}"'],
                                stdin=slave, stdout=slave, stderr=slave, env=env,
                                start_new_session=True)
        os.close(slave)
        screen = b""
        deadline = time.monotonic() + 30
        # Drain the terminal until mutt exits (EIO on the master once the slave is gone).
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                screen += chunk
            elif proc.poll() is not None:
                break
        # The terminal closes a moment before the process ends.
        try:
            code = proc.wait(timeout=max(deadline - time.monotonic(), 1))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self.fail("mutt did not quit; screen:\n%r" % screen[-2000:])
        self.assertEqual(code, 0, screen[-2000:])
        return screen

    def test_read_copy_and_delete(self):
        stored = [self.deliver(m) for m in (PLAIN, ENCODED, ATTACHMENT)]
        # Read 1 (display and leave the pager), copy 2 to Archive, delete 3, sync, quit.
        screen = self.run_mutt("<display-message><exit><next-entry><copy-message>=Archive<enter>"
                               "<next-entry><delete-message><sync-mailbox><quit>")
        self.assertIn(b"Fetching message headers... 0/3", screen)
        client = self.imap()
        self.assertEqual(self.mailbox(client, "INBOX"), [
            b"1 (UID 1 FLAGS (\\Seen))", b"2 (UID 2 FLAGS ())"])
        archive = self.mailbox(client, "Archive", "(UID FLAGS BODY.PEEK[])")
        # No session has selected Archive since the copy landed, so EXAMINE shows it as
        # \Recent (RFC 3501 §2.3.2, §6.4.7); INBOX's were taken by mutt's SELECT.
        self.assertEqual(archive[0][0],
                         b"1 (UID 1 FLAGS (\\Recent) BODY[] {%d}" % len(stored[1]))
        self.assertEqual(archive[0][1], stored[1])

    def test_qresync_from_the_header_cache(self):
        """mutt with a header cache and imap_qresync (RFC 7162 §3.2): the second start
        asks for what changed since its cached modseq with UID FETCH ... (CHANGEDSINCE n
        VANISHED), learns of a removal and a flag change made meanwhile from VANISHED
        (EARLIER) and FETCH alone, and acts on the right messages: it deletes the flagged
        one (uid 3) by tag pattern, hears "VANISHED 3" for its EXPUNGE, and uid 2 is
        left."""
        for message in (PLAIN, ENCODED, ATTACHMENT):
            self.deliver(message)
        settings = ('set header_cache="~/hcache"\nset imap_condstore=yes\n'
                    "set imap_qresync=yes\n")
        self.run_mutt("<quit>", settings)
        client = self.imap()
        self.assertEqual(client.select("INBOX")[0], "OK")
        self.assertEqual(client.uid("STORE", "1", "+FLAGS", "(\\Deleted)")[0], "OK")
        self.assertEqual(client.expunge()[0], "OK")
        self.assertEqual(client.uid("STORE", "3", "+FLAGS", "(\\Flagged)")[0], "OK")
        client.logout()
        os.unlink(os.path.join(self.home, ".muttdebug0"))
        self.run_mutt("<tag-pattern>~F<enter><tag-prefix><delete-message><sync-mailbox><quit>",
                      settings)
        with open(os.path.join(self.home, ".muttdebug0"), "rb") as f:
            log = f.read()
        self.assertIn(b"ENABLE QRESYNC\r\n", log)
        self.assertRegex(log, rb"UID FETCH 1:3 \(FLAGS\) \(CHANGEDSINCE \d+ VANISHED\)")
        self.assertIn(b"< * VANISHED (EARLIER) 1\n", log)
        self.assertRegex(log, rb"< \* 2 FETCH \(UID 3 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)")
        self.assertIn(b"< * VANISHED 3\n", log)
        # Headers came from the cache: the second start fetched none.
        self.assertNotIn(b"BODY.PEEK[HEADER.FIELDS", log)
        self.assertEqual(self.mailbox(self.imap(), "INBOX"), [b"1 (UID 2 FLAGS ())"])

    def test_deflate(self):
        """mutt with imap_deflate (RFC 4978): COMPRESS DEFLATE right after login, then a
        read, a delete and an EXPUNGE through the compressed stream."""
        stored = [self.deliver(m) for m in (PLAIN, ENCODED)]
        self.run_mutt("<display-message><exit><next-entry><delete-message><sync-mailbox><quit>",
                      "set imap_deflate=yes\n")
        with open(os.path.join(self.home, ".muttdebug0"), "rb") as f:
            log = f.read()
        self.assertIn(b"COMPRESS DEFLATE\r\n", log)
        self.assertIn(b"< a0002 OK DEFLATE active", log)
        client = self.imap()
        self.assertEqual(self.mailbox(client, "INBOX", "(UID FLAGS BODY.PEEK[])")[0],
                         (b"1 (UID 1 FLAGS (\\Seen) BODY[] {%d}" % len(stored[0]), stored[0]))
        self.assertEqual(len(self.mailbox(client, "INBOX")), 1)


if __name__ == "__main__":
    unittest.main()
