"""ARC interoperability with Debian's dkimpy (python3-dkim), the independent implementation
the ARC code is checked against (docs/mail-authentication/arc.md, Testing).

- src/mailauth/arc/testdata/sealed1.eml and sealed3.eml hold ARC sets made by Postamt's
  sealer (src/mailauth/arc/seal_test.cpp checks that seal() gives exactly these bytes):
  dkimpy must find the chains valid.
- The chains dkimpy sealed itself (chain*.eml, from make_chains.py) must still be what
  verify_test.cpp expects of them, so the two test sets cannot drift apart.
"""

import os
import sys
import unittest

try:
    import dkim
except ImportError:  # a python3 that is not Debian's: use Debian's python3-dkim
    sys.path.append("/usr/lib/python3/dist-packages")
    import dkim

SOURCE = os.environ.get("POSTAMT_SOURCE_DIR",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TESTDATA = os.path.join(SOURCE, "src", "mailauth", "arc", "testdata")


def read(name):
    with open(os.path.join(TESTDATA, name), "rb") as f:
        return f.read()


def keys():
    table = {}
    for line in read("keys.txt").decode().splitlines():
        name, record = line.split(" ", 1)
        table[name.encode()] = record.encode()
    return table


KEYS = keys()


def dnsfunc(name, timeout=5):
    return KEYS.get(name.rstrip(b"."))


class DkimpyVerifiesOurSeals(unittest.TestCase):
    def verify(self, name):
        cv, results, reason = dkim.arc_verify(read(name), dnsfunc=dnsfunc)
        return cv, [(r["instance"], r["ams-valid"], r["as-valid"]) for r in results], reason

    def test_first_set(self):
        cv, results, reason = self.verify("sealed1.eml")
        self.assertEqual(cv, dkim.CV_Pass, reason)
        self.assertEqual(results, [(1, True, True)])

    def test_third_set_on_dkimpy_chain(self):
        # Our set i=3 over dkimpy's two; AMS i=1 broke when the list changed the message.
        cv, results, reason = self.verify("sealed3.eml")
        self.assertEqual(cv, dkim.CV_Pass, reason)
        self.assertEqual(results, [(3, True, True), (2, True, True), (1, False, True)])

    def test_a_change_after_our_seal_fails(self):
        cv, _, reason = dkim.arc_verify(read("sealed3.eml") + b"PS\r\n", dnsfunc=dnsfunc)
        self.assertEqual(cv, dkim.CV_Fail)
        self.assertEqual(reason, "Most recent ARC-Message-Signature did not validate")


class DkimpyChainsAreAsExpected(unittest.TestCase):
    def test_valid_chains(self):
        for name in ("chain1.eml", "chain2.eml", "chain3.eml"):
            cv, _, reason = dkim.arc_verify(read(name), dnsfunc=dnsfunc)
            self.assertEqual(cv, dkim.CV_Pass, name + ": " + reason)

    def test_cv_fail_chains(self):
        for name in ("cv_fail_last.eml", "cv_fail_mid.eml"):
            cv, _, reason = dkim.arc_verify(read(name), dnsfunc=dnsfunc)
            self.assertIsNone(cv, name)
            self.assertEqual(reason, "ARC-Seal[2] reported failure, the chain is terminated")


if __name__ == "__main__":
    unittest.main()
