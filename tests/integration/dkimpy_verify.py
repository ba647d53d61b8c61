"""Verifies every DKIM-Signature of a message with dkimpy (Debian python3-dkim), the
test oracle of test_dkim.py. Run with an interpreter that has dkimpy:

    python3 dkimpy_verify.py MESSAGE_FILE RECORDS_JSON

RECORDS_JSON maps "<selector>._domainkey.<domain>" to the TXT record text. Prints one
line per signature, topmost first: "pass" or "fail <reason>"."""

import json
import sys

import dkim


def main():
    with open(sys.argv[1], "rb") as f:
        message = f.read()
    with open(sys.argv[2]) as f:
        records = json.load(f)

    def dnsfunc(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        record = records.get(name.rstrip("."))
        return record.encode() if record is not None else None

    verifier = dkim.DKIM(message)
    count = sum(1 for name, _ in verifier.headers if name.lower() == b"dkim-signature")
    for i in range(count):
        v = dkim.DKIM(message)
        try:
            ok = v.verify(idx=i, dnsfunc=dnsfunc)
            print("pass" if ok else "fail signature did not verify")
        except dkim.DKIMException as e:
            print(f"fail {e}")


if __name__ == "__main__":
    main()
