"""Real DNS zones on loopback for integration tests: Debian's `nsd` (authoritative, UDP
and TCP on one free port of 127.0.0.1) serving zones given as text, some of them
DNSSEC-signed with `ldns-keygen`/`ldns-signzone`, and a trust-anchor file for those.
Postamt reaches it as its `[dns]` forwarder and validates with libunbound.

    ZONE = '''
    @        MX   10 mx
    mx       A    127.0.0.2
    @        TXT  "v=spf1 -all"
    '''
    with DnsZone({"example.test": ZONE, "plain.test": ZONE},
                 signed={"example.test"}, bogus={"broken.test"}) as dns:
        dns.port                 # the UDP/TCP port on 127.0.0.1
        dns.trust_anchor_file    # DS records of the signed (and bogus) zones
        dns.config_toml()        # the whole [dns] table for Postamt's configuration

Zone text is zone-file syntax relative to the zone's name; the fixture adds $ORIGIN,
$TTL 300, an SOA and an NS record (ns.<zone>, A 127.0.0.1) in front. A zone in `bogus`
is signed with signatures that expired in 2020, so a validating resolver finds it
DNSSEC-bogus while its anchor is in the trust-anchor file. Zones in neither set are
unsigned: with only the test anchors configured they resolve as "insecure".

Names under .test: libunbound answers them NXDOMAIN itself (RFC 6761 §6.2) unless
`[dns] resolve_test_names = true`, which config_toml() sets.

Needs the Debian packages nsd and ldnsutils (scripts/install-deps). nsd runs in the
foreground as this user, in a temporary folder, without remote control; close() (or
leaving the `with`) stops it and removes the folder.
"""

import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time

ALGORITHM = "ECDSAP256SHA256"  # RFC 8624 §3.1: MUST implement; small and fast to sign


def _free_port():
    """A port free on 127.0.0.1 for both TCP and UDP at the time of the call."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                try:
                    u.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no port free for both TCP and UDP")


def _soa_query(zone):
    qname = b"".join(bytes([len(label)]) + label.encode() for label in zone.split(".")) + b"\0"
    return struct.pack("!HHHHHH", 0x5053, 0, 1, 0, 0, 0) + qname + struct.pack("!HH", 6, 1)


class DnsZone:
    def __init__(self, zones, signed=(), bogus=(), startup_timeout=10):
        self.zones = {name.rstrip(".").lower(): text for name, text in zones.items()}
        self.signed = {z.rstrip(".").lower() for z in signed}
        self.bogus = {z.rstrip(".").lower() for z in bogus}
        for z in self.signed | self.bogus:
            if z not in self.zones:
                raise ValueError(f"{z}: listed as signed or bogus but not given")
        self.dir = tempfile.mkdtemp(prefix="postamt-dns-")
        self.port = _free_port()
        self.trust_anchor_file = os.path.join(self.dir, "trust-anchors.key")
        self.process = None
        try:
            self._write_zones()
            self._start(startup_timeout)
        except BaseException:
            self.close()
            raise

    def config_toml(self, dnssec=True, timeout="5s"):
        return ("[dns]\n"
                f'forwarders = ["127.0.0.1:{self.port}"]\n'
                f"dnssec = {'true' if dnssec else 'false'}\n"
                f'trust_anchor_file = "{self.trust_anchor_file}"\n'
                f'timeout = "{timeout}"\n'
                "resolve_test_names = true\n")

    def close(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _run(self, *args):
        return subprocess.run(args, cwd=self.dir, check=True, capture_output=True, text=True,
                              timeout=60).stdout.strip()

    def _write_zones(self):
        anchors = []
        for zone, body in self.zones.items():
            text = (f"$ORIGIN {zone}.\n$TTL 300\n"
                    f"@ IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 300\n"
                    f"@ IN NS ns.{zone}.\nns IN A 127.0.0.1\n{body}\n")
            path = os.path.join(self.dir, zone + ".zone")
            with open(path, "w") as f:
                f.write(text)
            if zone in self.signed or zone in self.bogus:
                ksk = self._run("ldns-keygen", "-r", "/dev/urandom", "-a", ALGORITHM, "-k", zone)
                zsk = self._run("ldns-keygen", "-r", "/dev/urandom", "-a", ALGORITHM, zone)
                dates = ["-i", "20200101000000", "-e", "20200201000000"] if zone in self.bogus \
                    else []
                self._run("ldns-signzone", *dates, "-f", path + ".signed", path, zsk, ksk)
                os.replace(path + ".signed", path)
                with open(os.path.join(self.dir, ksk + ".ds")) as f:
                    anchors.append(f.read().strip())
        with open(self.trust_anchor_file, "w") as f:
            f.write("".join(line + "\n" for line in anchors))

    def _start(self, startup_timeout):
        conf = os.path.join(self.dir, "nsd.conf")
        with open(conf, "w") as f:
            f.write("server:\n"
                    f"  ip-address: 127.0.0.1@{self.port}\n"
                    "  do-ip6: no\n"
                    '  username: ""\n'
                    '  chroot: ""\n'
                    f'  zonesdir: "{self.dir}"\n'
                    f'  pidfile: "{self.dir}/nsd.pid"\n'
                    '  database: ""\n'
                    f'  zonelistfile: "{self.dir}/zone.list"\n'
                    f'  xfrdfile: "{self.dir}/xfrd.state"\n'
                    f'  xfrdir: "{self.dir}"\n'
                    f'  logfile: "{self.dir}/nsd.log"\n'
                    "  server-count: 1\n"
                    "  verbosity: 1\n"
                    "remote-control:\n"
                    "  control-enable: no\n")
            for zone in self.zones:
                f.write(f'zone:\n  name: "{zone}"\n  zonefile: "{zone}.zone"\n')
        self.process = subprocess.Popen(["nsd", "-d", "-c", conf], cwd=self.dir,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Ready when every zone answers its SOA over UDP.
        deadline = time.monotonic() + startup_timeout
        pending = set(self.zones)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            while pending:
                if self.process.poll() is not None:
                    raise RuntimeError(f"nsd exited: {self.process.stderr.read().decode()}"
                                       f"{self._log()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nsd did not serve {sorted(pending)}: {self._log()}")
                zone = next(iter(pending))
                try:
                    s.sendto(_soa_query(zone), ("127.0.0.1", self.port))
                    reply = s.recv(4096)
                    # NOERROR with one answer: the zone is loaded.
                    if reply[3] & 0x0F == 0 and struct.unpack("!H", reply[6:8])[0] >= 1:
                        pending.discard(zone)
                except OSError:
                    time.sleep(0.05)

    def _log(self):
        try:
            with open(os.path.join(self.dir, "nsd.log")) as f:
                return f.read()
        except OSError:
            return ""
