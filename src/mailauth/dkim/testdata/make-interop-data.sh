#!/bin/sh
# Makes the interop test data (README.md): messages signed by dkimpy (python3-dkim) and
# OpenDKIM (opendkim-tools), with the TXT records of their public keys. Run once by hand
# with Debian's /usr/bin/python3; the output is committed, the private keys are thrown away.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%s\r\n' \
  'From: "Joe Q. Public" <joe@interop.example>' \
  'To: Mary Smith <mary@example.net>' \
  'Subject:   Interop  test ' \
  'Date: Mon, 07 Dec 2026 06:00:00 +0000' \
  'Message-ID: <interop-1@interop.example>' \
  'MIME-Version: 1.0' \
  'Content-Type: text/plain; charset=us-ascii' \
  '' \
  'Hello  Mary,   ' \
  '' \
  'a line with trailing tabs		' \
  '' \
  '' > "$tmp/message.eml"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/rsa.pem" 2>/dev/null
/usr/bin/python3 - "$tmp" "$here" <<'PY'
import base64, subprocess, sys
import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

tmp, out = sys.argv[1], sys.argv[2]
message = open(f"{tmp}/message.eml", "rb").read()
rsa_pem = open(f"{tmp}/rsa.pem", "rb").read()
der = subprocess.run(["openssl", "pkey", "-in", f"{tmp}/rsa.pem", "-pubout", "-outform", "DER"],
                     check=True, capture_output=True).stdout
rsa_record = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
ed = ed25519.Ed25519PrivateKey.generate()
ed_seed = ed.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                           serialization.NoEncryption())
ed_pub = ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
ed_record = "v=DKIM1; k=ed25519; p=" + base64.b64encode(ed_pub).decode()
headers = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]

def write(name, sig, selector, record):
    open(f"{out}/{name}.eml", "wb").write(sig + message)
    open(f"{out}/{name}.txt", "w").write(f"{selector}._domainkey.interop.example {record}\n")
    dns = lambda n, timeout=5: record.encode()
    assert dkim.verify(sig + message, dnsfunc=dns), name

write("dkimpy-rsa-relaxed",
      dkim.sign(message, b"py2048", b"interop.example", rsa_pem, include_headers=headers,
                canonicalize=(b"relaxed", b"relaxed")), "py2048", rsa_record)
write("dkimpy-rsa-simple",
      dkim.sign(message, b"py2048", b"interop.example", rsa_pem, include_headers=headers,
                canonicalize=(b"simple", b"simple")), "py2048", rsa_record)
write("dkimpy-rsa-length",
      dkim.sign(message, b"py2048", b"interop.example", rsa_pem, include_headers=headers,
                canonicalize=(b"relaxed", b"simple"), length=True), "py2048", rsa_record)
write("dkimpy-ed25519",
      dkim.sign(message, b"pyed", b"interop.example", base64.b64encode(ed_seed),
                include_headers=headers, canonicalize=(b"relaxed", b"relaxed"),
                signature_algorithm=b"ed25519-sha256"), "pyed", ed_record)
open(f"{tmp}/rsa_record", "w").write(rsa_record)
PY

# opendkim-testmsg signs with rsa-sha1 (no option for rsa-sha256): the RFC 8301 case.
opendkim-testmsg -C -d interop.example -s od2048 -k "$tmp/rsa.pem" < "$tmp/message.eml" > "$here/opendkim-rsa-sha1.eml"
printf 'od2048._domainkey.interop.example %s\n' "$(cat "$tmp/rsa_record")" > "$here/opendkim-rsa-sha1.txt"
