"""The Debian package, the install rules and the manual pages (cmake/install.cmake,
cmake/packaging.cmake, packaging/, scripts/make-man).

Builds nothing: it packs the binary and manual pages the build made. CPack installs the
build folder into a scratch directory with prefix /usr and writes the .deb into a
temporary folder; the .deb is unpacked with `dpkg-deb -x` into a scratch root whose
layout, control fields and maintainer scripts are checked, its unit file is checked with
`systemd-analyze verify` (skipped where that command is missing), and its manual pages
with `groff -ww`. A second install with `cmake --install --prefix` checks that the paths
follow a prefix other than /usr.
"""

import gzip
import os
import re
import shutil
import stat
import subprocess
import tempfile
import tomllib
import unittest

from harness import BIN, SOURCE_DIR

BUILD_DIR = os.path.dirname(os.path.abspath(BIN))
CPACK_CONFIG = os.path.join(BUILD_DIR, "CPackConfig.cmake")
FILTER_SOURCE = os.path.join(SOURCE_DIR, "contrib", "fail2ban", "filter.d", "postamt.conf")
JAIL_SOURCE = os.path.join(SOURCE_DIR, "contrib", "fail2ban", "jail.d", "postamt.conf")


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)


def cache_value(name):
    with open(os.path.join(BUILD_DIR, "CMakeCache.txt")) as f:
        for line in f:
            m = re.match(re.escape(name) + r":[A-Z]+=(.*)$", line.rstrip("\n"))
            if m:
                return m.group(1)
    raise AssertionError(f"{name} not in CMakeCache.txt")


# The packaged config's [process] section, and the stand-in where no postamt account exists.
PROCESS_SECTION = '[process]\nuser  = "postamt"\ngroup = "postamt"\n'
NOBODY_SECTION = '[process]\nuser  = "nobody"\ngroup = "nogroup"\n'


def config_keys():
    """{"listen.smtp", "hostname", ...}: every key src/base/config.cpp reads, found by
    the shape of its readers (TableReader r(**t, "prefix.", file); r.uint("key", ...);
    read_list(r, "key", ...); the {"relay", ...} pairs; the {"imap_port", {&cfg...}}
    table rows)."""
    with open(os.path.join(SOURCE_DIR, "src", "base", "config.cpp")) as f:
        text = f.read()
    body = text[text.index("Result<Config> parse_config("):]
    keys = set()
    prefix = ""
    token = re.compile(
        r'TableReader r\(\*\*\w+, "(?P<prefix>[\w.]*)", file\)'
        r'|\b(?:r|top)\.(?:string|uint64|uint|duration|boolean|choice|table)\("(?P<key>\w+)"'
        r'|\bread_\w+\(r, "(?P<listkey>\w+)"'
        r'|std::pair\{"(?P<pairkey>\w+)", &cfg'
        r'|\{"(?P<mapkey>\w+)", \{&cfg\.')
    helper = re.compile(r'\bread_(?P<name>\w+)\(r, \*\*\w+, cfg\)')
    for m in token.finditer(body):
        if m.group("prefix") is not None:
            prefix = m.group("prefix")
            # A table read by a helper of its own (read_process(r, **process, cfg)): the
            # keys are in that function's body.
            call = helper.search(body, m.end(), m.end() + 200)
            if call:
                start = text.index(f"read_{call.group('name')}(TableReader& r")
                end = text.index("\n}\n", start)
                keys.update(prefix + k for k in re.findall(
                    r'\br\.(?:string|uint64|uint|duration|boolean|choice)\("(\w+)"',
                    text[start:end]))
        elif m.group("key"):
            if m.group(0).startswith("top.table"):
                continue  # a table, not a key
            keys.add(("" if m.group(0).startswith("top.") else prefix) + m.group("key"))
        else:
            keys.add(prefix + (m.group("listkey") or m.group("pairkey") or m.group("mapkey")))
    return keys


def documented_keys():
    """Keys of docs/configuration.md: "### `key`" under "## [table]" (or "## Top level")."""
    keys = set()
    table = None
    with open(os.path.join(SOURCE_DIR, "docs", "configuration.md")) as f:
        for line in f:
            if line.startswith("## "):
                heading = line[3:].strip()
                table = heading[1:-1] + "." if heading.startswith("[") else (
                    "" if heading == "Top level" else None)
            elif line.startswith("### ") and table is not None:
                keys.add(table + line[4:].strip().strip("`"))
    return keys


class Package:
    """The .deb CPack makes from the build folder, made once for every test class here
    and removed at the end (tearDownModule)."""
    tmp = None
    deb = None
    version = None

    @classmethod
    def get(cls):
        if cls.deb:
            return cls
        cls.tmp = tempfile.mkdtemp(prefix="postamt-pkg-")
        cls.version = cache_value("CMAKE_PROJECT_VERSION")
        out = os.path.join(cls.tmp, "out")
        # gzip instead of the package's xz: the same files, 5 s less CPU.
        r = run(["cpack", "--config", CPACK_CONFIG, "-B", out,
                 "-D", "CPACK_DEBIAN_COMPRESSION_TYPE=gzip"])
        if r.returncode != 0:
            raise AssertionError(f"cpack failed:\n{r.stdout}\n{r.stderr}")
        deb = os.path.join(out, f"postamt_{cls.version}_amd64.deb")
        if not os.path.exists(deb):
            raise AssertionError(f"no {deb}; cpack wrote: {os.listdir(out)}")
        cls.deb = deb
        return cls


def tearDownModule():
    if Package.tmp:
        shutil.rmtree(Package.tmp, ignore_errors=True)


@unittest.skipUnless(os.path.exists(CPACK_CONFIG), f"no {CPACK_CONFIG}: build folder not configured")
class DebianPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        package = Package.get()
        cls.deb, cls.version = package.deb, package.version
        cls.tmp = tempfile.mkdtemp(prefix="postamt-pkg-root-")
        cls.root = os.path.join(cls.tmp, "root")
        cls.control = os.path.join(cls.tmp, "control")
        for args in (["dpkg-deb", "-x", cls.deb, cls.root], ["dpkg-deb", "-e", cls.deb, cls.control]):
            r = run(args)
            if r.returncode != 0:
                raise AssertionError(f"{' '.join(args)}: {r.stderr}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/"))

    def read(self, p):
        with open(self.path(p)) as f:
            return f.read()

    def field(self, name):
        r = run(["dpkg-deb", "-f", self.deb, name])
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def test_control_fields(self):
        self.assertEqual(self.field("Package"), "postamt")
        self.assertEqual(self.field("Version"), self.version)
        self.assertEqual(self.field("Architecture"), "amd64")
        self.assertEqual(self.field("Section"), "mail")
        depends = [d.strip() for d in self.field("Depends").split(",")]
        names = {re.match(r"[\w.+-]+", d).group(0) for d in depends}
        # adduser for postinst, dns-root-data for the DNSSEC trust anchor ([dns]),
        # publicsuffix for DMARC; the rest from dpkg-shlibdeps over the binary.
        for package in ("adduser", "dns-root-data", "publicsuffix", "libunbound8", "libc6",
                        "libsqlite3-0", "libssl3", "libsodium23", "libstdc++6"):
            self.assertIn(package, names, depends)
        self.assertRegex(self.field("Description"), r"^mail server")
        r = run(["dpkg-deb", "-I", self.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(" Package: postamt\n", r.stdout)

    def test_binary(self):
        binary = self.path("/usr/sbin/postamt")
        mode = os.stat(binary).st_mode
        self.assertEqual(stat.S_IMODE(mode), 0o755)
        r = run([binary, "--version"])
        self.assertEqual((r.returncode, r.stdout), (0, f"postamt {self.version}\n"), r.stderr)

    def test_files_and_owners(self):
        r = run(["dpkg-deb", "-c", self.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        listing = {}
        for line in r.stdout.splitlines():
            perms, owner, _size, _date, _time, name = line.split(None, 5)
            listing[name.removeprefix(".")] = (perms, owner)
        expected = {
            "/usr/sbin/postamt": "-rwxr-xr-x",
            "/etc/postamt/postamt.toml": "-rw-r--r--",
            "/lib/systemd/system/postamt.service": "-rw-r--r--",
            "/usr/share/man/man8/postamt.8.gz": "-rw-r--r--",
            "/usr/share/man/man5/postamt.toml.5.gz": "-rw-r--r--",
            "/usr/share/doc/postamt/README.md": "-rw-r--r--",
            "/usr/share/doc/postamt/configuration.md": "-rw-r--r--",
            "/usr/share/doc/postamt/architecture.md": "-rw-r--r--",
            "/usr/share/doc/postamt/read-receipts.md": "-rw-r--r--",
            "/usr/share/doc/postamt/protocols/imap.md": "-rw-r--r--",
            "/usr/share/doc/postamt/examples/postamt.toml": "-rw-r--r--",
        }
        if os.path.exists(FILTER_SOURCE):
            expected["/etc/fail2ban/filter.d/postamt.conf"] = "-rw-r--r--"
        if os.path.exists(JAIL_SOURCE):
            expected["/usr/share/doc/postamt/examples/fail2ban/jail.d/postamt.conf"] = "-rw-r--r--"
        for name, perms in expected.items():
            self.assertIn(name, listing)
            self.assertEqual(listing[name], (perms, "root/root"), name)
        # Nothing outside the Debian layout: no /usr/local, no /usr/etc, no build paths.
        files = [name for name in listing if not name.endswith("/")]
        for name in listing:
            if name.endswith("/"):
                # Folders only as parents of files: none left empty.
                self.assertTrue(any(f.startswith(name) for f in files), name)
            else:
                self.assertRegex(name, r"^/(etc|lib/systemd/system|usr/(sbin|share))/", name)
        # The data folder is made by postinst with its owner, not shipped.
        self.assertNotIn("/var/lib/postamt/", listing)

    def test_config_is_the_production_config_and_checks(self):
        text = self.read("/etc/postamt/postamt.toml")
        with open(os.path.join(SOURCE_DIR, "packaging", "postamt.toml")) as f:
            self.assertEqual(text, f.read())
        config = tomllib.loads(text)
        self.assertEqual(config["data_dir"], "/var/lib/postamt")
        self.assertEqual(config["storage"]["backend"], "sqlite")
        ports = {"smtp": 25, "submission": 587, "submissions": 465, "pop3": 110, "pop3s": 995,
                 "imap": 143, "imaps": 993, "http": 80, "https": 443}
        for service, port in ports.items():
            self.assertEqual(config["listen"][service], [f"0.0.0.0:{port}", f"[::]:{port}"])
        # The packaged binary accepts it as it is, with data_dir moved out of /var/lib.
        scratch = os.path.join(self.tmp, "check")
        os.makedirs(scratch, exist_ok=True)
        line = 'data_dir = "/var/lib/postamt"\n'
        self.assertEqual(text.count(line), 1)
        copy = os.path.join(scratch, "postamt.toml")
        self.assertIn(PROCESS_SECTION, text)
        with open(copy, "w") as f:
            # This machine has no postamt account: the check resolves [process] names.
            f.write(text.replace(line, f'data_dir = "{scratch}/data"\n')
                    .replace(PROCESS_SECTION, NOBODY_SECTION))
        r = run([self.path("/usr/sbin/postamt"), "--config", copy, "config", "check"])
        self.assertEqual((r.returncode, r.stdout), (0, f"{copy}: configuration is valid\n"),
                         r.stderr)
        self.assertEqual(r.stderr, "")

    def test_conffiles(self):
        expected = ["/etc/postamt/postamt.toml"]
        if os.path.exists(FILTER_SOURCE):
            expected.append("/etc/fail2ban/filter.d/postamt.conf")
        with open(os.path.join(self.control, "conffiles")) as f:
            self.assertEqual(f.read().split(), expected)

    def test_maintainer_scripts(self):
        for name in ("postinst", "prerm", "postrm"):
            path = os.path.join(self.control, name)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o755, name)
            r = run(["sh", "-n", path])
            self.assertEqual(r.returncode, 0, f"{name}: {r.stderr}")
            with open(path) as f:
                self.assertTrue(f.readline().startswith("#!/bin/sh"), name)
        with open(os.path.join(self.control, "postinst")) as f:
            postinst = f.read()
        self.assertIn('adduser --system --group --quiet --home "$data" --no-create-home', postinst)
        self.assertIn("data=/var/lib/postamt\n", postinst)
        self.assertIn('install -d -o postamt -g postamt -m 0750 "$data"', postinst)
        self.assertIn('deb-systemd-helper enable "$unit"', postinst)
        self.assertIn("unit=postamt.service\n", postinst)
        with open(os.path.join(self.control, "postrm")) as f:
            postrm = f.read()
        # Data only on purge; the system user stays (files elsewhere may be its).
        purge = postrm[postrm.index('if [ "$1" = "purge" ]'):]
        self.assertIn("rm -rf /var/lib/postamt", purge)
        self.assertEqual(postrm.count("rm -rf"), 1)
        self.assertNotIn("deluser", postrm)
        self.assertNotIn("delgroup", postrm)

    def test_unit(self):
        unit = self.read("/lib/systemd/system/postamt.service")
        lines = set(unit.splitlines())
        for line in ("Type=notify",
                     "ExecStart=/usr/sbin/postamt --config /etc/postamt/postamt.toml serve",
                     "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure",
                     "User=postamt", "Group=postamt", "StateDirectory=postamt",
                     "AmbientCapabilities=CAP_NET_BIND_SERVICE",
                     "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "NoNewPrivileges=yes",
                     "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                     "PrivateDevices=yes", "ReadWritePaths=/var/lib/postamt",
                     "WantedBy=multi-user.target"):
            self.assertIn(line, lines)
        self.assertNotIn("@POSTAMT_", unit)  # every placeholder filled in

    def test_unit_verifies(self):
        analyze = shutil.which("systemd-analyze")
        if not analyze:
            self.skipTest("systemd-analyze is not installed (Debian package systemd)")
        # verify checks that ExecStart's program exists and that the Documentation= man
        # pages open: point both into the unpacked package, change nothing else.
        unit = self.read("/lib/systemd/system/postamt.service")
        folder = os.path.join(self.tmp, "verify")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "postamt.service")
        with open(path, "w") as f:
            f.write(unit.replace("ExecStart=/usr/sbin/postamt ",
                                 f"ExecStart={self.path('/usr/sbin/postamt')} "))
        env = {**os.environ, "MANPATH": self.path("/usr/share/man"),
               "SYSTEMD_LOG_LEVEL": "notice"}
        r = run([analyze, "verify", path], env=env)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "", ""))

    def man_page(self, name):
        with gzip.open(self.path(name), "rt", encoding="ascii") as f:
            return f.read()

    def groff_warnings(self, text):
        r = run(["groff", "-man", "-ww", "-z"], input=text)
        return r.returncode, r.stderr

    def test_man_page_8_has_every_command(self):
        page = self.man_page("/usr/share/man/man8/postamt.8.gz")
        self.assertEqual(self.groff_warnings(page), (0, ""))
        self.assertTrue(page.startswith(f'.TH POSTAMT 8 "" "postamt {self.version}"'))
        # Every command --help lists, walked to its leaves, has its own subsection.
        r = run([BIN, "--help"])
        commands = re.search(r"\nSubcommands:\n(.*)", r.stdout, re.S).group(1).split("\n")
        for line in filter(None, commands):
            name = line.split()[0]
            # groff writes a hyphen in a name as "\-".
            self.assertRegex(page, r'\n\.SS "postamt ' + name.replace("-", r"\\-") + r'\b',
                             name)
        for leaf in ("postamt domain add NAME", "postamt user add ADDRESS",
                     "postamt user quota set ADDRESS LIMITS...",
                     "postamt receipts policy show", "postamt queue retry ID"):
            self.assertIn('.SS "' + leaf.replace("-", "\\-") + '"', page)
        self.assertIn("\\-\\-password\\-stdin", page)
        self.assertIn("Import a Dovecot-format hash", page)

    def test_man_page_5_has_every_key(self):
        page = self.man_page("/usr/share/man/man5/postamt.toml.5.gz")
        self.assertEqual(self.groff_warnings(page), (0, ""))
        self.assertTrue(page.startswith(f'.TH POSTAMT.TOML 5 "" "postamt {self.version}"'))
        for key in sorted(config_keys()):
            self.assertIn("\n.B " + key.split(".")[-1].replace("-", "\\-") + "\n", page, key)


# Runs in a private mount namespace (unshare -m) whose /etc, /usr and /var are overlays
# on the real ones: dpkg installs, removes and purges the package for real, maintainer
# scripts and all, and every change lands in the overlays' upper folders, which go with
# the test. Triggers (man-db's index) are left pending: the overlays go anyway.
# $1: the .deb; $2: a scratch folder. Prints "name=value" lines to check.
DPKG_SCRIPT = r"""
set -eu
deb=$1 scratch=$2
for d in etc usr var; do
    mkdir -p "$scratch/$d/upper" "$scratch/$d/work"
    mount -t overlay overlay \
        -o "lowerdir=/$d,upperdir=$scratch/$d/upper,workdir=$scratch/$d/work" "/$d"
done
export DEBIAN_FRONTEND=noninteractive
show() { echo "$1=$(eval "$2" 2>&1 | tr '\n' ' ' | sed 's/ $//')"; }
as_postamt() { runuser -u postamt -- /usr/sbin/postamt --config /etc/postamt/postamt.toml "$@"; }

show install "dpkg --no-triggers -i '$deb' >/dev/null 2>&1; echo \$?"
show user "getent passwd postamt | cut -d: -f1,6,7"
show uid "id -u postamt"
show group "getent group postamt | cut -d: -f1"
show data "stat -c '%U %G %a' /var/lib/postamt"
show config "stat -c '%U %G %a' /etc/postamt/postamt.toml"
show enabled "readlink /etc/systemd/system/multi-user.target.wants/postamt.service"
show conffiles "dpkg-query -W -f='\${Conffiles}' postamt | awk '{print \$1}'"
if command -v systemd-analyze >/dev/null; then
    show verify "systemd-analyze verify /lib/systemd/system/postamt.service; echo rc=\$?"
fi
show check "as_postamt config check"
show domain "as_postamt domain add example.test"
show domains "as_postamt domain list"
# Root without --config, where no ./postamt.toml is: the installed file, and the command
# switches to [process] user (no root-owned file below, see not_postamt).
show root_user_add "cd / && echo secret-pw | /usr/sbin/postamt user add bob@example.test --password-stdin >/dev/null 2>&1; echo \$?"
show root_users "cd / && /usr/sbin/postamt user list"
show not_postamt "find /var/lib/postamt ! -user postamt"
echo '# a local change' >> /etc/postamt/postamt.toml
show reinstall "dpkg --no-triggers -i '$deb' >/dev/null 2>&1; echo \$?"
show kept_change "tail -n 1 /etc/postamt/postamt.toml"
show remove "dpkg --no-triggers -r postamt >/dev/null 2>&1; echo \$?"
show binary_after_remove "test -e /usr/sbin/postamt && echo present || echo gone"
show data_after_remove "test -d /var/lib/postamt && ls /var/lib/postamt | wc -l"
show config_after_remove "tail -n 1 /etc/postamt/postamt.toml"
show masked "readlink /etc/systemd/system/postamt.service"
show purge "dpkg --no-triggers -P postamt >/dev/null 2>&1; echo \$?"
show data_after_purge "test -e /var/lib/postamt && echo present || echo gone"
show config_after_purge "test -e /etc/postamt && echo present || echo gone"
show mask_after_purge "test -L /etc/systemd/system/postamt.service && echo present || echo gone"
show user_after_purge "getent passwd postamt | cut -d: -f1"
"""


def overlay_namespace_works():
    """Whether this machine lets root make a private mount namespace with an overlay
    (a container without CAP_SYS_ADMIN does not), on a merged-/usr system (/lib -> usr/lib,
    so that /usr's overlay takes /lib/systemd/system too)."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not os.path.islink("/lib"):
        return False
    with tempfile.TemporaryDirectory() as d:
        for sub in ("lower", "upper", "work", "merged"):
            os.mkdir(os.path.join(d, sub))
        r = run(["unshare", "-m", "mount", "-t", "overlay", "overlay", "-o",
                 f"lowerdir={d}/lower,upperdir={d}/upper,workdir={d}/work", f"{d}/merged"])
        return r.returncode == 0


@unittest.skipUnless(os.path.exists(CPACK_CONFIG), f"no {CPACK_CONFIG}: build folder not configured")
class DpkgInstallTest(unittest.TestCase):
    """dpkg -i, -r and -P of the package, in a mount namespace that keeps the machine as
    it was."""

    def test_install_remove_purge(self):
        if not overlay_namespace_works():
            self.skipTest("needs root, unshare and overlay mounts on a merged-/usr system")
        package = Package.get()
        with tempfile.TemporaryDirectory(prefix="postamt-dpkg-") as scratch:
            r = run(["unshare", "-m", "sh", "-c", DPKG_SCRIPT, "sh", package.deb, scratch])
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        values = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
        self.assertEqual(values["install"], "0", r.stdout)
        self.assertEqual(values["user"], "postamt:/var/lib/postamt:/usr/sbin/nologin")
        self.assertLess(int(values["uid"]), 1000)  # a system user
        self.assertEqual(values["group"], "postamt")
        self.assertEqual(values["data"], "postamt postamt 750")
        self.assertEqual(values["config"], "root root 644")
        self.assertEqual(values["enabled"], "/lib/systemd/system/postamt.service")
        self.assertEqual(values["conffiles"].split()[0], "/etc/postamt/postamt.toml")
        if "verify" in values:
            self.assertEqual(values["verify"], "rc=0")
        self.assertEqual(values["check"], "/etc/postamt/postamt.toml: configuration is valid")
        self.assertEqual(values["domains"], "example.test")
        self.assertEqual(values["root_user_add"], "0", r.stdout)
        self.assertIn("bob@example.test", values["root_users"])
        self.assertEqual(values["not_postamt"], "")  # the admin command's files are postamt's
        self.assertEqual(values["reinstall"], "0")
        self.assertEqual(values["kept_change"], "# a local change")  # a conffile
        self.assertEqual(values["remove"], "0")
        self.assertEqual(values["binary_after_remove"], "gone")
        self.assertNotEqual(values["data_after_remove"], "0")  # remove keeps the mail
        self.assertEqual(values["config_after_remove"], "# a local change")
        self.assertEqual(values["masked"], "/dev/null")
        self.assertEqual(values["purge"], "0")
        self.assertEqual(values["data_after_purge"], "gone")
        self.assertEqual(values["config_after_purge"], "gone")
        self.assertEqual(values["mask_after_purge"], "gone")
        self.assertEqual(values["user_after_purge"], "postamt")  # system users stay


class ConfigurationReferenceTest(unittest.TestCase):
    """docs/configuration.md, the source of postamt.toml(5), names every key."""

    def test_reader_finds_keys(self):
        keys = config_keys()
        for key in ("hostname", "data_dir", "log_level", "listen.smtp", "tls.private_key",
                    "smtp.trusted_networks", "outbound.relay", "dns.forwarders",
                    "outbound.max_age", "quota.admins", "http.max_websocket_message",
                    "receipts.max_remote_per_hour"):
            self.assertIn(key, keys)
        self.assertGreater(len(keys), 80)

    def test_every_key_documented(self):
        missing = config_keys() - documented_keys()
        self.assertEqual(missing, set(), "keys src/base/config.cpp reads that "
                         "docs/configuration.md does not describe")

    def test_no_key_documented_that_does_not_exist(self):
        self.assertEqual(documented_keys() - config_keys(), set())


@unittest.skipUnless(os.path.exists(os.path.join(BUILD_DIR, "cmake_install.cmake")),
                     "build folder not configured")
class PrefixInstallTest(unittest.TestCase):
    """`cmake --install --prefix P`: everything below P, /etc as P/etc."""

    def test_layout_follows_prefix(self):
        with tempfile.TemporaryDirectory(prefix="postamt-install-") as prefix:
            r = run(["cmake", "--install", BUILD_DIR, "--prefix", prefix])
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            for p in ("sbin/postamt", "etc/postamt/postamt.toml",
                      "lib/systemd/system/postamt.service", "share/man/man8/postamt.8.gz",
                      "share/man/man5/postamt.toml.5.gz", "share/doc/postamt/README.md"):
                self.assertTrue(os.path.isfile(os.path.join(prefix, p)), p)
            with open(os.path.join(prefix, "lib/systemd/system/postamt.service")) as f:
                unit = f.read()
            self.assertIn(f"ExecStart={prefix}/sbin/postamt --config "
                          f"{prefix}/etc/postamt/postamt.toml serve\n", unit)
            # Nothing went outside the prefix: every installed file is below it.
            with open(os.path.join(BUILD_DIR, "install_manifest.txt")) as f:
                for line in f:
                    self.assertTrue(line.startswith(prefix + "/"), line)


if __name__ == "__main__":
    unittest.main()
