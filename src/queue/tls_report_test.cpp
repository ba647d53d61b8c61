// TLS-RPT data (RFC 8460): the JSON lines, the daily files, the aggregate report.
#include "queue/tls_report.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "support/files.h"

namespace postamt::queue {
namespace {

using namespace std::chrono_literals;

TlsReportEntry entry(std::string domain, std::string type, std::string mx, std::string address,
                     bool success) {
  TlsReportEntry e;
  e.domain = std::move(domain);
  e.policy_type = std::move(type);
  e.mx_host = std::move(mx);
  e.address = std::move(address);
  e.success = success;
  return e;
}

TlsReportEntry sts_entry(bool success, std::string failure = "", std::string detail = "") {
  TlsReportEntry e;
  e.domain = "example.org";
  e.policy_type = "sts";
  e.policy_string = {"version: STSv1", "mode: testing", "mx: *.example.org", "max_age: 86400"};
  e.mx_patterns = {"*.example.org"};
  e.mx_host = "mx1.example.org";
  e.address = "192.0.2.25";
  e.sending_address = "198.51.100.7";
  e.success = success;
  e.failure = std::move(failure);
  e.detail = std::move(detail);
  return e;
}

TEST(TlsReportLine, EncodesAndDecodes) {
  TlsReportEntry e = sts_entry(false, "certificate-expired", "X509_V_ERR_CERT_HAS_EXPIRED");
  e.receiving_helo = "mx1.example.org";
  const std::string line = encode_tls_report_line(e, from_unix(1765000000));
  EXPECT_EQ(line,
            R"({"time":1765000000,"domain":"example.org","policy_type":"sts","policy_string":)"
            R"(["version: STSv1","mode: testing","mx: *.example.org","max_age: 86400"],)"
            R"("mx_patterns":["*.example.org"],"mx_host":"mx1.example.org",)"
            R"("address":"192.0.2.25","sending_address":"198.51.100.7",)"
            R"("receiving_helo":"mx1.example.org","success":false,)"
            R"("failure":"certificate-expired","detail":"X509_V_ERR_CERT_HAS_EXPIRED"})"
            "\n");
  auto back = decode_tls_report_line(line);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, e);
  TlsReportEntry plain =
      entry("example.net", "no-policy-found", "mx.example.net", "2001:db8::1", true);
  EXPECT_EQ(encode_tls_report_line(plain, from_unix(0)),
            R"({"time":0,"domain":"example.net","policy_type":"no-policy-found",)"
            R"("mx_host":"mx.example.net","address":"2001:db8::1","success":true})"
            "\n");
  EXPECT_EQ(*decode_tls_report_line(encode_tls_report_line(plain, from_unix(0))), plain);
  EXPECT_FALSE(decode_tls_report_line("{\"domain\":\"a\""));
  EXPECT_FALSE(decode_tls_report_line("[]"));
  EXPECT_FALSE(decode_tls_report_line(R"({"domain":"a","policy_type":"sts"})"));
  EXPECT_FALSE(decode_tls_report_line(R"({"domain":1,"policy_type":"sts","success":true})"));
}

TEST(TlsReportLine, ResultTypes) {
  EXPECT_TRUE(is_result_type("starttls-not-supported"));
  EXPECT_TRUE(is_result_type("sts-webpki-invalid"));
  EXPECT_TRUE(is_result_type("dane-required"));
  EXPECT_FALSE(is_result_type("tls-failed"));
  EXPECT_FALSE(is_result_type(""));
}

TEST(TlsReportLog, OneFilePerUtcDay) {
  postamt::testing::TempDir dir;
  TimePoint now = from_unix(1765065599);  // 2025-12-06T23:59:59Z
  TlsReportLog log(dir.root() / "tls-rpt", [&] { return now; });
  log.record(sts_entry(true));
  now += 1s;
  log.record(sts_entry(false, "starttls-not-supported"));
  log.record(sts_entry(true));
  EXPECT_EQ(utc_day(from_unix(1765065599)), "2025-12-06");
  EXPECT_EQ(postamt::testing::read_file(dir.root() / "tls-rpt" / "2025-12-06.jsonl"),
            encode_tls_report_line(sts_entry(true), from_unix(1765065599)));
  EXPECT_EQ(postamt::testing::read_file(dir.root() / "tls-rpt" / "2025-12-07.jsonl"),
            encode_tls_report_line(sts_entry(false, "starttls-not-supported"), now) +
                encode_tls_report_line(sts_entry(true), now));
  struct stat st {};
  ASSERT_EQ(::stat((dir.root() / "tls-rpt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
}

TEST(TlsReportLog, UnwritableDirectoryIsLoggedNotThrown) {
  postamt::testing::TempDir dir;
  postamt::testing::write_file(dir.root() / "file", "x");
  TlsReportLog log(dir.root() / "file" / "tls-rpt");
  log.record(sts_entry(true));  // returns; the failure is in the log
  EXPECT_FALSE(std::filesystem::exists(dir.root() / "file" / "tls-rpt"));
}

TEST(TlsAggregateReport, Rfc8460Section4) {
  const TimePoint t = from_unix(1765000000);
  std::string lines;
  for (int i = 0; i < 3; ++i) lines += encode_tls_report_line(sts_entry(true), t);
  lines += encode_tls_report_line(sts_entry(false, "certificate-expired", "expired"), t);
  lines += encode_tls_report_line(sts_entry(false, "certificate-expired", "expired"), t);
  TlsReportEntry other_mx = sts_entry(false, "starttls-not-supported");
  other_mx.mx_host = "mx2.example.org";
  other_mx.address = "192.0.2.26";
  lines += encode_tls_report_line(other_mx, t);
  lines += "{\"cut short\n";  // a line a crash cut off is skipped
  TlsReportEntry none =
      entry("EXAMPLE.org", "no-policy-found", "mx3.example.org", "192.0.2.27", true);
  lines += encode_tls_report_line(none, t);
  lines +=
      encode_tls_report_line(entry("example.net", "sts", "mx.example.net", "192.0.2.99", true), t);
  TlsReportEntry untyped =
      entry("example.org", "no-policy-found", "mx3.example.org", "192.0.2.27", false);
  lines += encode_tls_report_line(untyped, t);

  TlsReportMeta meta{"Postamt at mail.example.com", "postmaster@mail.example.com",
                     "2025-12-06.example.org@mail.example.com", "2025-12-06"};
  auto r = tls_aggregate_report(meta, "Example.org.", lines);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->sessions, 8u);
  EXPECT_EQ(r->skipped_lines, 1u);
  EXPECT_EQ(r->json,
            R"({"organization-name":"Postamt at mail.example.com",)"
            R"("date-range":{"start-datetime":"2025-12-06T00:00:00Z",)"
            R"("end-datetime":"2025-12-06T23:59:59Z"},)"
            R"("contact-info":"postmaster@mail.example.com",)"
            R"("report-id":"2025-12-06.example.org@mail.example.com",)"
            R"("policies":[{"policy":{"policy-type":"sts","policy-string":)"
            R"(["version: STSv1","mode: testing","mx: *.example.org","max_age: 86400"],)"
            R"("policy-domain":"example.org","mx-host":["*.example.org"]},)"
            R"("summary":{"total-successful-session-count":3,"total-failure-session-count":3},)"
            R"("failure-details":[{"result-type":"certificate-expired",)"
            R"("sending-mta-ip":"198.51.100.7","receiving-mx-hostname":"mx1.example.org",)"
            R"("receiving-ip":"192.0.2.25","failed-session-count":2,)"
            R"("failure-reason-code":"expired"},)"
            R"({"result-type":"starttls-not-supported","sending-mta-ip":"198.51.100.7",)"
            R"("receiving-mx-hostname":"mx2.example.org","receiving-ip":"192.0.2.26",)"
            R"("failed-session-count":1}]},)"
            R"({"policy":{"policy-type":"no-policy-found","policy-domain":"example.org"},)"
            R"("summary":{"total-successful-session-count":1,"total-failure-session-count":1},)"
            R"("failure-details":[{"result-type":"validation-failure",)"
            R"("receiving-mx-hostname":"mx3.example.org","receiving-ip":"192.0.2.27",)"
            R"("failed-session-count":1}]}]})"
            "\n");
}

TEST(TlsAggregateReport, Errors) {
  TlsReportMeta meta{"o", "c@example.com", "id", "2025-12-06"};
  auto none = tls_aggregate_report(meta, "example.org", "");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::not_found);
  EXPECT_EQ(none.error().message, "no TLS sessions to example.org recorded on 2025-12-06");
  for (std::string day : {"2025-13-01", "2025-12-6", "25-12-06", "2025/12/06", ""}) {
    meta.day = day;
    auto bad = tls_aggregate_report(meta, "example.org", "");
    ASSERT_FALSE(bad) << day;
    EXPECT_EQ(bad.error().message, "\"" + day + "\" is not a day like 2026-12-07");
  }
}

}  // namespace
}  // namespace postamt::queue
