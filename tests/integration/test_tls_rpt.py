"""`postamt tls-rpt report` against the real binary: the RFC 8460 §4 aggregate report of
the lines the outbound worker records in data_dir/tls-rpt (src/queue/tls_report.h)."""

import json
import os
import unittest

from harness import Postamt

LINES = [
    {"time": 1765000000, "domain": "example.org", "policy_type": "sts",
     "policy_string": ["version: STSv1", "mode: testing", "mx: *.example.org",
                       "max_age: 86400"],
     "mx_patterns": ["*.example.org"], "mx_host": "mx1.example.org",
     "address": "192.0.2.25", "success": True},
    {"time": 1765000001, "domain": "example.org", "policy_type": "sts",
     "policy_string": ["version: STSv1", "mode: testing", "mx: *.example.org",
                       "max_age: 86400"],
     "mx_patterns": ["*.example.org"], "mx_host": "mx1.example.org",
     "address": "192.0.2.25", "success": False, "failure": "starttls-not-supported"},
    {"time": 1765000002, "domain": "example.net", "policy_type": "no-policy-found",
     "mx_host": "mx.example.net", "address": "192.0.2.80", "success": True},
]


class TlsRptReportTest(unittest.TestCase):
    def setUp(self):
        self.p = Postamt(services=())
        self.addCleanup(self.p.close)
        folder = os.path.join(self.p.dir, "data", "tls-rpt")
        os.makedirs(folder)
        with open(os.path.join(folder, "2025-12-06.jsonl"), "w") as f:
            for line in LINES:
                f.write(json.dumps(line) + "\n")
            f.write('{"cut off\n')

    def test_report_of_one_domain_and_day(self):
        r = self.p.cli("tls-rpt", "report", "example.org", "--date", "2025-12-06")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(r.err, "postamt: 1 damaged lines skipped\n")
        self.assertEqual(
            r.out,
            '{"organization-name":"mail.example.test","date-range":'
            '{"start-datetime":"2025-12-06T00:00:00Z","end-datetime":"2025-12-06T23:59:59Z"},'
            '"contact-info":"postmaster@mail.example.test",'
            '"report-id":"2025-12-06.example.org@mail.example.test",'
            '"policies":[{"policy":{"policy-type":"sts","policy-string":'
            '["version: STSv1","mode: testing","mx: *.example.org","max_age: 86400"],'
            '"policy-domain":"example.org","mx-host":["*.example.org"]},'
            '"summary":{"total-successful-session-count":1,"total-failure-session-count":1},'
            '"failure-details":[{"result-type":"starttls-not-supported",'
            '"receiving-mx-hostname":"mx1.example.org","receiving-ip":"192.0.2.25",'
            '"failed-session-count":1}]}]}\n')
        report = json.loads(r.out)  # I-JSON that a report parser reads back
        self.assertEqual(report["policies"][0]["summary"]["total-failure-session-count"], 1)

    def test_other_domain_and_options(self):
        r = self.p.cli("tls-rpt", "report", "EXAMPLE.NET.", "--date", "2025-12-06",
                       "--organization", "Example Inc.", "--contact", "tls@example.test")
        self.assertEqual(r.code, 0, r)
        report = json.loads(r.out)
        self.assertEqual(report["organization-name"], "Example Inc.")
        self.assertEqual(report["contact-info"], "tls@example.test")
        self.assertEqual(report["policies"],
                         [{"policy": {"policy-type": "no-policy-found",
                                      "policy-domain": "example.net"},
                           "summary": {"total-successful-session-count": 1,
                                       "total-failure-session-count": 0}}])

    def test_errors(self):
        r = self.p.cli("tls-rpt", "report", "example.org", "--date", "2025-12-07")
        data = os.path.join(self.p.dir, "data", "tls-rpt", "2025-12-07.jsonl")
        self.assertEqual((r.code, r.out, r.err),
                         (1, "", f"postamt: no TLS-RPT data for 2025-12-07 ({data})\n"))
        r = self.p.cli("tls-rpt", "report", "example.com", "--date", "2025-12-06")
        self.assertEqual((r.code, r.err),
                         (1, "postamt: no TLS sessions to example.com recorded on 2025-12-06\n"))
        r = self.p.cli("tls-rpt", "report", "example.org", "--date", "06.12.2025")
        self.assertEqual((r.code, r.err),
                         (1, 'postamt: "06.12.2025" is not a day like 2026-12-07\n'))
        r = self.p.cli("tls-rpt", "report", "example.org")
        self.assertEqual(r.code, 2)


if __name__ == "__main__":
    unittest.main()
