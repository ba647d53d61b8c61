"""A private PostgreSQL 15 cluster for tests (docs/testing.md, docs/cluster.md).

initdb into a folder of the test's own, run by an unprivileged user (the "postgres"
account Debian's package creates when the tests run as root), listening on a Unix
socket only: no TCP port, nothing another user of the machine can reach. Nothing is
skipped: when PostgreSQL cannot start, start() raises with the server's log.

Used two ways:
  - from Python tests: PgCluster(folder).start(), .database(), .restart(), .stop();
  - by ctest's "postgres" fixture (tests/CMakeLists.txt), for the C++ suites:
      pg_cluster.py setup <folder> <socket folder>     starts it, or fails with the reason
      pg_cluster.py cleanup <folder> <socket folder>   stops it and removes both folders
    The C++ tests then read POSTAMT_TEST_PG ("host=<socket folder> user=postgres") and
    create a database of their own (postgres_test_support.h).

Databases are created the way docs/cluster.md tells admins to: ENCODING 'SQL_ASCII',
LC_COLLATE and LC_CTYPE 'C', so that names and header bytes are kept and ordered as
octets, exactly as SQLite keeps them.
"""

import os
import pwd
import shutil
import subprocess
import sys
import time

BINDIR_CANDIDATES = ["/usr/lib/postgresql/15/bin"]


def bindir():
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if out.returncode == 0 and os.path.exists(os.path.join(out.stdout.strip(), "initdb")):
            return out.stdout.strip()
    except FileNotFoundError:
        pass
    for d in BINDIR_CANDIDATES:
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    raise RuntimeError(
        "PostgreSQL 15 is not installed (no initdb in /usr/lib/postgresql/15/bin); "
        "scripts/install-deps installs postgresql-15")


class PgCluster:
    def __init__(self, folder, socket_dir=None):
        self.folder = os.path.abspath(folder)
        self.data = os.path.join(self.folder, "data")
        self.log = os.path.join(self.folder, "postgres.log")
        # Unix socket paths are limited to about 100 octets: keep the socket short.
        self.socket_dir = socket_dir or os.path.join(self.folder, "s")
        self.bin = bindir()
        self.as_root = os.geteuid() == 0
        self.user = pwd.getpwnam("postgres") if self.as_root else None

    # -- running PostgreSQL's programs as the cluster's owner ---------------------------
    def _run(self, args, check=True, timeout=60):
        cmd = [os.path.join(self.bin, args[0])] + args[1:]
        if self.as_root:
            cmd = ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}",
                   "--init-groups", "--"] + cmd
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           cwd="/")
        if check and r.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({r.returncode}): "
                               f"{r.stdout}{r.stderr}{self._log_tail()}")
        return r

    def _log_tail(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return "\n--- postgres.log ---\n" + f.read()[-4000:]
        except OSError:
            return ""

    def _own(self, path):
        if self.as_root:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    # -- life cycle ---------------------------------------------------------------------
    def start(self):
        """initdb (once) and start; returns self. Raises with the reason on failure."""
        os.makedirs(self.folder, exist_ok=True)
        os.chmod(self.folder, 0o755)
        self._own(self.folder)
        os.makedirs(self.socket_dir, exist_ok=True)
        os.chmod(self.socket_dir, 0o755)
        self._own(self.socket_dir)
        # Every folder above must be searchable by the cluster's owner.
        if self.as_root:
            for d in (self.folder, self.socket_dir):
                p = os.path.dirname(d)
                while p not in ("/", ""):
                    mode = os.stat(p).st_mode
                    if not mode & 0o001:
                        os.chmod(p, mode | 0o001)
                    p = os.path.dirname(p)
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            self._run(["initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                       "--encoding=SQL_ASCII", "--locale=C", "--no-sync"], timeout=120)
        self._start()
        return self

    def _start(self):
        opts = (f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
                "-c max_connections=300 -c shared_buffers=32MB -c fsync=on")
        self._run(["pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "-t", "60",
                   "start"], timeout=90)

    def stop(self, mode="fast"):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._run(["pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"], check=False)

    def restart(self, down_seconds=0.0):
        """Stops the server (immediate: like a crash), waits, and starts it again."""
        self.stop(mode="immediate")
        if down_seconds:
            time.sleep(down_seconds)
        self._start()

    def remove(self):
        self.stop(mode="immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)

    # -- databases ----------------------------------------------------------------------
    def conninfo(self, dbname="postgres"):
        return f"host={self.socket_dir} user=postgres dbname={dbname}"

    def psql(self, sql, dbname="postgres"):
        r = subprocess.run([os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t",
                            "-v", "ON_ERROR_STOP=1", "-h", self.socket_dir, "-U", "postgres",
                            "-d", dbname, "-c", sql],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"psql {sql!r}: {r.stderr}")
        return r.stdout

    def database(self, name):
        """Creates database `name` (dropping an old one); returns its conninfo."""
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.psql(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'SQL_ASCII' "
                  "LC_COLLATE 'C' LC_CTYPE 'C'")
        return self.conninfo(name)


def main(argv):
    if len(argv) != 4 or argv[1] not in ("setup", "cleanup"):
        print("usage: pg_cluster.py setup|cleanup <folder> <socket folder>", file=sys.stderr)
        return 2
    cluster = PgCluster(argv[2], argv[3])
    cluster.remove()  # a cluster left over by an interrupted run
    if argv[1] == "setup":
        try:
            cluster.start()
        except Exception as e:  # noqa: BLE001 - the reason is the output
            print(f"PostgreSQL did not start: {e}", file=sys.stderr)
            return 1
        print(f"PostgreSQL ready: {cluster.conninfo()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
