// `postamt tls-rpt report` over a data_dir with recorded lines.
#include "admin/tls_rpt.h"

#include <gtest/gtest.h>

#include "queue/tls_report.h"
#include "support/files.h"

namespace postamt::admin {
namespace {

class TlsRptTest : public ::testing::Test {
 protected:
  TlsRptTest() {
    config_.hostname = "mail.example.com";
    config_.data_dir = dir_.root();
  }
  void record(bool success, std::string failure = "") {
    queue::TlsReportLog log(dir_.root() / "tls-rpt",
                            [] { return queue::from_unix(1765000000); });  // 2025-12-06
    queue::TlsReportEntry e;
    e.domain = "example.org";
    e.policy_type = "sts";
    e.policy_string = {"version: STSv1", "mode: enforce", "mx: mx.example.org", "max_age: 60"};
    e.mx_patterns = {"mx.example.org"};
    e.mx_host = "mx.example.org";
    e.address = "192.0.2.1";
    e.success = success;
    e.failure = std::move(failure);
    log.record(e);
  }
  postamt::testing::TempDir dir_;
  Config config_;
};

TEST_F(TlsRptTest, ReportOfADay) {
  record(true);
  record(false, "certificate-host-mismatch");
  auto r = tls_rpt_report(config_, {"EXAMPLE.org", "2025-12-06", "", ""});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->skipped_lines, 0u);
  EXPECT_EQ(r->json,
            R"({"organization-name":"mail.example.com","date-range":)"
            R"({"start-datetime":"2025-12-06T00:00:00Z","end-datetime":"2025-12-06T23:59:59Z"},)"
            R"("contact-info":"postmaster@mail.example.com",)"
            R"("report-id":"2025-12-06.example.org@mail.example.com",)"
            R"("policies":[{"policy":{"policy-type":"sts","policy-string":)"
            R"(["version: STSv1","mode: enforce","mx: mx.example.org","max_age: 60"],)"
            R"("policy-domain":"example.org","mx-host":["mx.example.org"]},)"
            R"("summary":{"total-successful-session-count":1,"total-failure-session-count":1},)"
            R"("failure-details":[{"result-type":"certificate-host-mismatch",)"
            R"("receiving-mx-hostname":"mx.example.org","receiving-ip":"192.0.2.1",)"
            R"("failed-session-count":1}]}]})"
            "\n");
  auto named = tls_rpt_report(
      config_, {"example.org", "2025-12-06", "Example Org", "tls-reports@example.com"});
  ASSERT_TRUE(named);
  EXPECT_TRUE(named->json.starts_with(R"({"organization-name":"Example Org",)")) << named->json;
  EXPECT_NE(named->json.find(R"("contact-info":"tls-reports@example.com",)"), std::string::npos);
}

TEST_F(TlsRptTest, Errors) {
  auto missing = tls_rpt_report(config_, {"example.org", "2025-12-07", "", ""});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(missing.error().message, "no TLS-RPT data for 2025-12-07 (" +
                                         (dir_.root() / "tls-rpt/2025-12-07.jsonl").string() + ")");
  record(true);
  auto other = tls_rpt_report(config_, {"example.net", "2025-12-06", "", ""});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message, "no TLS sessions to example.net recorded on 2025-12-06");
  auto day = tls_rpt_report(config_, {"example.org", "../../etc/passwd", "", ""});
  ASSERT_FALSE(day);
  EXPECT_EQ(day.error().message, "\"../../etc/passwd\" is not a day like 2026-12-07");
  auto domain = tls_rpt_report(config_, {"exa mple.org", "2025-12-06", "", ""});
  ASSERT_FALSE(domain);
  EXPECT_EQ(domain.error().message, "exa mple.org is not an ASCII host name");
}

}  // namespace
}  // namespace postamt::admin
