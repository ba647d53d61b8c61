"""`postamt dmarc report` against the real binary (docs/mail-authentication/dmarc.md):
the RFC 7489 Appendix C aggregate report built from a day's lines in data_dir/dmarc,
compared byte for byte and read back with xml.etree; broken lines, a day without data,
a domain without data and bad arguments give the documented messages and exit codes."""

import json
import os
import unittest
import xml.etree.ElementTree as ET

from harness import Postamt

DAY = "2026-12-07"
BEGIN = 1796601600  # 2026-12-07T00:00:00Z


def line(ip, dkim_aligned, disposition, **extra):
    entry = {
        "date": DAY, "time": BEGIN + 3600, "source_ip": ip, "header_from": "example.org",
        "envelope_from": "example.org", "policy_domain": "example.org", "p": "reject",
        "sp": None, "adkim": "r", "aspf": "r", "pct": 100, "fo": "0", "policy": "reject",
        "result": "pass" if dkim_aligned else "fail", "disposition": disposition,
        "dkim_aligned": dkim_aligned, "spf_aligned": False,
        "dkim": [{"domain": "example.org", "selector": "s1", "result": "pass"}]
        if dkim_aligned else [],
        "spf": {"domain": "example.org", "scope": "mfrom", "result": "fail"},
    }
    entry.update(extra)
    return json.dumps(entry, separators=(",", ":")) + "\n"


EXPECTED = f"""\
<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <version>1.0</version>
  <report_metadata>
    <org_name>Example Mail</org_name>
    <email>dmarc@mail.example.test</email>
    <report_id>mail.example.test!example.org!{BEGIN}!{BEGIN + 86399}</report_id>
    <date_range>
      <begin>{BEGIN}</begin>
      <end>{BEGIN + 86399}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>example.org</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>reject</p>
    <sp>reject</sp>
    <pct>100</pct>
    <fo>0</fo>
  </policy_published>
  <record>
    <row>
      <source_ip>192.0.2.1</source_ip>
      <count>2</count>
      <policy_evaluated>
        <disposition>none</disposition>
        <dkim>pass</dkim>
        <spf>fail</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_from>example.org</envelope_from>
      <header_from>example.org</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>example.org</domain>
        <selector>s1</selector>
        <result>pass</result>
      </dkim>
      <spf>
        <domain>example.org</domain>
        <scope>mfrom</scope>
        <result>fail</result>
      </spf>
    </auth_results>
  </record>
  <record>
    <row>
      <source_ip>2001:db8::25</source_ip>
      <count>1</count>
      <policy_evaluated>
        <disposition>reject</disposition>
        <dkim>fail</dkim>
        <spf>fail</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_from>example.org</envelope_from>
      <header_from>example.org</header_from>
    </identifiers>
    <auth_results>
      <spf>
        <domain>example.org</domain>
        <scope>mfrom</scope>
        <result>fail</result>
      </spf>
    </auth_results>
  </record>
</feedback>
"""


class DmarcReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = Postamt(services=("smtp",))
        folder = os.path.join(cls.p.dir, "data", "dmarc")
        os.makedirs(folder)
        cls.file = os.path.join(folder, f"{DAY}.jsonl")
        with open(cls.file, "w") as f:
            f.write(line("192.0.2.1", True, "none"))
            f.write(line("2001:db8::25", False, "reject"))
            f.write(line("198.51.100.9", False, "reject", policy_domain="example.net"))
            f.write('{"date":"2026-12-07","time":17966')  # cut short by a crash
            f.write("\n" + line("192.0.2.1", True, "none"))

    @classmethod
    def tearDownClass(cls):
        cls.p.close()

    def test_report_exact(self):
        r = self.p.cli("dmarc", "report", "Example.ORG", "--date", DAY,
                       "--org-name", "Example Mail", "--email", "dmarc@mail.example.test")
        self.maxDiff = None
        self.assertEqual(r.code, 0, r)
        self.assertEqual(r.out, EXPECTED)
        self.assertEqual(r.err, f"postamt: warning: line 4 of {self.file} is not a report "
                                "line: not a JSON object\n")
        root = ET.fromstring(r.out)
        self.assertEqual([int(c.text) for c in root.iter("count")], [2, 1])
        self.assertEqual(root.find("policy_published/domain").text, "example.org")

    def test_defaults_from_hostname(self):
        r = self.p.cli("dmarc", "report", "example.net", "--date", DAY)
        self.assertEqual(r.code, 0, r)
        root = ET.fromstring(r.out)
        self.assertEqual(root.find("report_metadata/org_name").text, "mail.example.test")
        self.assertEqual(root.find("report_metadata/email").text, "postmaster@mail.example.test")
        self.assertEqual(root.find("record/row/source_ip").text, "198.51.100.9")

    def test_errors(self):
        r = self.p.cli("dmarc", "report", "example.com", "--date", DAY)
        self.assertEqual((r.code, r.out), (1, ""))
        self.assertIn("postamt: no DMARC data for example.com on 2026-12-07\n", r.err)
        r = self.p.cli("dmarc", "report", "example.org", "--date", "2026-12-08")
        missing = os.path.join(self.p.dir, "data", "dmarc", "2026-12-08.jsonl")
        self.assertEqual((r.code, r.out, r.err), (
            1, "", f"postamt: no DMARC data for 2026-12-08: {missing} does not exist\n"))
        r = self.p.cli("dmarc", "report", "example.org", "--date", "7.12.2026")
        self.assertEqual((r.code, r.err), (
            1, 'postamt: "7.12.2026" is not a date of the form YYYY-MM-DD\n'))
        r = self.p.cli("dmarc", "report", "example.org")
        self.assertEqual(r.code, 2)
        self.assertIn("--date is required", r.err)


if __name__ == "__main__":
    unittest.main()
