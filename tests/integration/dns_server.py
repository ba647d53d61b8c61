"""A tiny authoritative DNS server over UDP on loopback for MX routing tests.
Answers MX, A and AAAA questions from a fixed table; NXDOMAIN otherwise."""

import socket
import struct
import threading

TYPE_A, TYPE_MX, TYPE_AAAA = 1, 15, 28


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def decode_question(packet):
    pos, labels = 12, []
    while packet[pos]:
        n = packet[pos]
        labels.append(packet[pos + 1:pos + 1 + n].decode())
        pos += n + 1
    qtype, qclass = struct.unpack("!HH", packet[pos + 1:pos + 5])
    return ".".join(labels).lower(), qtype, packet[12:pos + 5]


class DnsServer:
    """records: {("name", TYPE_MX): [(pref, "host")], ("host", TYPE_A): ["127.0.0.2"]}"""

    def __init__(self, records):
        self.records = records
        self.queries = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = self.sock.getsockname()
        self.running = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while self.running:
            try:
                packet, peer = self.sock.recvfrom(512)
            except OSError:
                return
            if len(packet) < 17:
                continue
            qid = packet[:2]
            name, qtype, question = decode_question(packet)
            self.queries.append((name, qtype))
            answers = b""
            count = 0
            for value in self.records.get((name, qtype), []):
                if qtype == TYPE_MX:
                    rdata = struct.pack("!H", value[0]) + encode_name(value[1])
                elif qtype == TYPE_A:
                    rdata = socket.inet_aton(value)
                else:
                    rdata = socket.inet_pton(socket.AF_INET6, value)
                answers += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata
                count += 1
            known = any(k[0] == name for k in self.records)
            rcode = 0 if known else 3
            flags = 0x8400 | 0x0100 | rcode  # response, authoritative, recursion desired echo
            header = qid + struct.pack("!HHHHH", flags, 1, count, 0, 0)
            self.sock.sendto(header + question + answers, peer)

    def close(self):
        self.running = False
        self.sock.close()
