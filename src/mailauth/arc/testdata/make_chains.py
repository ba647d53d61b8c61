#!/usr/bin/python3
"""Writes the ARC test messages of this folder with Debian's dkimpy (python3-dkim,
python3-authres) as an independent sealer, so that arc/verify_test.cpp checks our
validator against chains we did not build ourselves.

    /usr/bin/python3 src/mailauth/arc/testdata/make_chains.py

Inputs: the three RSA test keys beside this script (relay.key, list.key, fwd.key; test
keys only, never used anywhere else). Outputs, overwritten each run:
  keys.txt          one "<selector>._domainkey.<domain> <TXT record>" line per key
  chain1.eml        one ARC set (relay.example, cv=none)
  chain2.eml        two sets; the mailing list changed Subject and body before sealing,
                    so AMS i=1 no longer verifies (oldest-pass = 2), the chain still passes
  chain3.eml        three sets (the forwarder seals the list's message unchanged)
  cv_fail_last.eml  the list's set says cv=fail (it seals only its own set, RFC 8617
                    §5.1.2)
  cv_fail_mid.eml   set 2 says cv=fail and set 3 (cv=pass) seals the whole chain anyway
Every message is checked with dkim.arc_verify before it is written, and each run gives
the same signatures (fixed timestamps; RSA PKCS#1 v1.5 is deterministic).
"""
import base64
import os
import subprocess
import sys

import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1796000000  # 2026-11-30, the seal times are T0, T0 + 60, T0 + 120

KEYS = {
    # name: (domain, selector, key file)
    "relay": (b"relay.example", b"arc1", "relay.key"),
    "list": (b"lists.example", b"seal2026", "list.key"),
    "fwd": (b"fwd.example", b"s3", "fwd.key"),
}

ORIGINAL = (
    b"From: Alice <alice@origin.example>\r\n"
    b"To: team@lists.example\r\n"
    b"Subject: Quarterly numbers\r\n"
    b"Date: Mon, 30 Nov 2026 09:00:00 +0000\r\n"
    b"Message-ID: <q4-numbers@origin.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello team,\r\n"
    b"\r\n"
    b"the numbers are in the usual place.\r\n"
    b"\r\n"
    b"Alice\r\n"
)


def key(name):
    with open(os.path.join(HERE, KEYS[name][2]), "rb") as f:
        return f.read()


def txt_record(name):
    der = subprocess.run(
        ["openssl", "rsa", "-in", os.path.join(HERE, KEYS[name][2]), "-pubout", "-outform", "DER"],
        check=True, capture_output=True).stdout
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def dnsfunc(qname, timeout=5):
    for name in KEYS:
        domain, selector, _ = KEYS[name]
        if qname.rstrip(b".") == selector + b"._domainkey." + domain:
            return txt_record(name).encode()
    return None


def seal(message, name, results, t):
    """Adds the receiving ADMD's Authentication-Results (as its MTA would) and the ARC
    set of `name` on top; returns the new message without the A-R field (ARC sets carry
    it in the AAR; an A-R of an earlier hop would be removed at the next boundary)."""
    domain, selector, _ = KEYS[name]
    ar = b"Authentication-Results: " + domain + b"; " + results + b"\r\n"
    arc_set = dkim.arc_sign(ar + message, selector, domain, key(name), domain,
                            include_headers=[b"from", b"to", b"subject", b"date",
                                             b"message-id", b"mime-version", b"content-type"],
                            timestamp=t)
    if not arc_set:
        sys.exit("dkimpy refused to seal for %s" % name)
    return b"".join(arc_set) + message


def check(message, expected):
    cv, _, reason = dkim.arc_verify(message, dnsfunc=dnsfunc)
    if cv != expected:
        sys.exit("dkimpy says %r (%s), expected %r" % (cv, reason, expected))


def write(name, message):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(message)


def list_rewrite(message):
    # What a mailing list does: a subject tag and a footer.
    message = message.replace(b"Subject: Quarterly numbers", b"Subject: [team] Quarterly numbers")
    return message + b"-- \r\nteam mailing list\r\n"


def main():
    with open(os.path.join(HERE, "keys.txt"), "w") as f:
        for name in ("relay", "list", "fwd"):
            domain, selector, _ = KEYS[name]
            f.write("%s._domainkey.%s %s\n" % (selector.decode(), domain.decode(), txt_record(name)))

    hop1 = seal(ORIGINAL, "relay",
                b"spf=pass smtp.mailfrom=origin.example; dkim=none; arc=none", T0)
    check(hop1, dkim.CV_Pass)
    write("chain1.eml", hop1)

    hop2 = seal(list_rewrite(hop1), "list",
                b"arc=pass smtp.remote-ip=192.0.2.10; spf=pass smtp.mailfrom=relay.example",
                T0 + 60)
    check(hop2, dkim.CV_Pass)
    write("chain2.eml", hop2)

    hop3 = seal(hop2, "fwd", b"arc=pass smtp.remote-ip=198.51.100.7", T0 + 120)
    check(hop3, dkim.CV_Pass)
    write("chain3.eml", hop3)

    # The list found the chain broken: cv=fail, and its seal covers only its own set.
    failed = seal(list_rewrite(hop1), "list", b"arc=fail smtp.remote-ip=192.0.2.10", T0 + 60)
    check(failed, None)  # dkimpy: "ARC-Seal[2] reported failure, the chain is terminated"
    write("cv_fail_last.eml", failed)

    # A later hop that seals over a failed set (an RFC 8617 sealer stops instead).
    # dkimpy's seal then covers sets 1..3, of which set 2's AS signs only itself, so
    # dkimpy reports the chain as terminated as well.
    over = seal(failed, "fwd", b"arc=pass smtp.remote-ip=198.51.100.7", T0 + 120)
    write("cv_fail_mid.eml", over)


if __name__ == "__main__":
    main()
