#include "admin/dmarc_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "mailauth/dmarc/aggregate.h"

namespace postamt::admin {
namespace {
namespace fs = std::filesystem;

class DmarcReportCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    config.hostname = "mx.example.test";
    config.data_dir = fs::temp_directory_path() / ("dmarc_report_" + std::to_string(::getpid()));
    fs::remove_all(config.data_dir);
    fs::create_directories(config.data_dir / "dmarc");
  }
  void TearDown() override { fs::remove_all(config.data_dir); }

  static dmarc::ReportEntry entry(std::string ip) {
    dmarc::ReportEntry e;
    e.time = 1796601600 + 60;  // 2026-12-07
    e.source_ip = std::move(ip);
    e.header_from = "example.org";
    e.envelope_from = "example.org";
    e.policy_domain = "example.org";
    e.published.p = dmarc::Policy::reject;
    e.policy = dmarc::Policy::reject;
    e.result = dmarc::Outcome::fail;
    e.disposition = dmarc::Policy::reject;
    e.spf = {"example.org", "mfrom", "fail"};
    return e;
  }

  Config config;
  std::vector<std::string> warnings;
};

TEST_F(DmarcReportCommand, BuildsTheReportAndSkipsBrokenLines) {
  const fs::path file = config.data_dir / "dmarc" / "2026-12-07.jsonl";
  std::ofstream(file) << dmarc::to_json_line(entry("192.0.2.1")) << "\n"
                      << "{\"time\":17966\n"
                      << dmarc::to_json_line(entry("192.0.2.1")) << "\n";
  DmarcReportRequest request{"Example.ORG.", "2026-12-07", "", ""};
  auto xml = dmarc_report(config, request, warnings);
  ASSERT_TRUE(xml) << xml.error().message;
  EXPECT_NE(xml->find("    <org_name>mx.example.test</org_name>\n"
                      "    <email>postmaster@mx.example.test</email>\n"
                      "    <report_id>mx.example.test!example.org!1796601600!1796687999"
                      "</report_id>\n"),
            std::string::npos)
      << *xml;
  EXPECT_NE(xml->find("<source_ip>192.0.2.1</source_ip>\n      <count>2</count>"),
            std::string::npos);
  EXPECT_EQ(warnings, std::vector<std::string>{"line 2 of " + file.string() +
                                               " is not a report line: not a JSON object"});

  DmarcReportRequest named{"example.org", "2026-12-07", "Example Mail", "dmarc@example.test"};
  auto with_names = dmarc_report(config, named, warnings);
  ASSERT_TRUE(with_names);
  EXPECT_NE(with_names->find("<org_name>Example Mail</org_name>\n    "
                             "<email>dmarc@example.test</email>"),
            std::string::npos);
}

TEST_F(DmarcReportCommand, Errors) {
  std::ofstream(config.data_dir / "dmarc" / "2026-12-07.jsonl")
      << dmarc::to_json_line(entry("192.0.2.1")) << "\n";
  auto other = dmarc_report(config, {"example.net", "2026-12-07", "", ""}, warnings);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().kind, ErrorKind::not_found);
  EXPECT_EQ(other.error().message, "no DMARC data for example.net on 2026-12-07");
  auto no_day = dmarc_report(config, {"example.org", "2026-12-08", "", ""}, warnings);
  ASSERT_FALSE(no_day);
  EXPECT_EQ(no_day.error().kind, ErrorKind::not_found);
  EXPECT_EQ(no_day.error().message, "no DMARC data for 2026-12-08: " +
                                        (config.data_dir / "dmarc" / "2026-12-08.jsonl").string() +
                                        " does not exist");
  auto bad_date = dmarc_report(config, {"example.org", "2026-12-7", "", ""}, warnings);
  ASSERT_FALSE(bad_date);
  EXPECT_EQ(bad_date.error().message, "\"2026-12-7\" is not a date of the form YYYY-MM-DD");
  auto bad_domain = dmarc_report(config, {"../x", "2026-12-07", "", ""}, warnings);
  ASSERT_FALSE(bad_domain);
  EXPECT_EQ(bad_domain.error().message, "\"../x\" is not a domain");
  EXPECT_TRUE(warnings.empty());
}

}  // namespace
}  // namespace postamt::admin
