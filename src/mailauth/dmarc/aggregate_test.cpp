#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mailauth/dmarc/aggregate.h"

namespace postamt::dmarc {
namespace {
namespace fs = std::filesystem;

constexpr int64_t kDec7 = 1796601600;  // 2026-12-07T00:00:00Z

ReportEntry entry(std::string ip, bool dkim_aligned, int64_t time = kDec7 + 3600) {
  ReportEntry e;
  e.time = time;
  e.source_ip = std::move(ip);
  e.header_from = "example.org";
  e.envelope_from = "bounce.example.org";
  e.policy_domain = "example.org";
  e.published.p = Policy::reject;
  e.published.pct = 100;
  e.policy = Policy::reject;
  e.dkim_aligned = dkim_aligned;
  e.result = dkim_aligned ? Outcome::pass : Outcome::fail;
  e.disposition = dkim_aligned ? Policy::none : Policy::reject;
  if (dkim_aligned) e.dkim.push_back({"example.org", "s1", "pass"});
  e.spf = {"bounce.example.org", "mfrom", "softfail"};
  return e;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DmarcDates, UtcDate) {
  EXPECT_EQ(utc_date(kDec7), "2026-12-07");
  EXPECT_EQ(utc_date(kDec7 - 1), "2026-12-06");
  EXPECT_EQ(utc_date(0), "1970-01-01");
  EXPECT_EQ(*parse_utc_date("2026-12-07"), kDec7);
  EXPECT_EQ(*parse_utc_date("2024-02-29"), 1709164800);
  EXPECT_FALSE(parse_utc_date("2026-02-29"));
  EXPECT_FALSE(parse_utc_date("2026-13-01"));
  EXPECT_FALSE(parse_utc_date("2026-1-01"));
  EXPECT_EQ(parse_utc_date("07.12.2026").error().message,
            "\"07.12.2026\" is not a date of the form YYYY-MM-DD");
}

TEST(DmarcReportLine, JsonLineExactAndRoundTrip) {
  ReportEntry e = entry("192.0.2.1", true);
  e.published.sp = Policy::quarantine;
  EXPECT_EQ(to_json_line(e),
            R"({"date":"2026-12-07","time":1796605200,"source_ip":"192.0.2.1",)"
            R"("header_from":"example.org","envelope_from":"bounce.example.org",)"
            R"("policy_domain":"example.org","p":"reject","sp":"quarantine","adkim":"r",)"
            R"("aspf":"r","pct":100,"fo":"0","policy":"reject","result":"pass",)"
            R"("disposition":"none","dkim_aligned":true,"spf_aligned":false,)"
            R"("dkim":[{"domain":"example.org","selector":"s1","result":"pass"}],)"
            R"("spf":{"domain":"bounce.example.org","scope":"mfrom","result":"softfail"}})");
  auto back = parse_json_line(to_json_line(e));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, e);
  ReportEntry no_sp = entry("2001:db8::1", false);
  EXPECT_EQ(*parse_json_line(to_json_line(no_sp)), no_sp);
}

TEST(DmarcReportLine, BadLines) {
  EXPECT_EQ(parse_json_line("{\"time\":1").error().message, "not a JSON object");
  EXPECT_EQ(parse_json_line("[]").error().message, "not a JSON object");
  EXPECT_EQ(parse_json_line("{}").error().message, "time is missing or bad");
  std::string line = to_json_line(entry("192.0.2.1", false));
  std::string bad = line;
  bad.replace(bad.find("\"disposition\":\"reject\""), 22, "\"disposition\":\"drop\"");
  EXPECT_EQ(parse_json_line(bad).error().message, "disposition is missing or bad");
}

TEST(DmarcReportEntry, FromAnEvaluation) {
  Input in;
  in.from_domain = "example.org";
  in.spf_domain = "example.org";
  in.spf_pass = true;
  in.dkim_pass_domains = {"example.org"};
  Verdict v;
  v.result = Outcome::pass;
  v.policy = Policy::quarantine;
  v.policy_domain = "example.org";
  v.record = Record{};
  v.record->p = Policy::quarantine;
  v.dkim_aligned = v.spf_aligned = true;
  ReportEntry e = report_entry(in, v, "192.0.2.9", kDec7);
  EXPECT_EQ(e.header_from, "example.org");
  EXPECT_EQ(e.published.p, Policy::quarantine);
  EXPECT_EQ(e.dkim, (std::vector<DkimResult>{{"example.org", "", "pass"}}));
  EXPECT_EQ(e.spf, (SpfResult{"example.org", "mfrom", "pass"}));
  EXPECT_TRUE(e.spf_aligned);
}

class AggregateLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("dmarc_log_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

TEST_F(AggregateLogTest, AppendsOneLinePerEntryIntoTheDaysFile) {
  fs::create_directories(dir);  // data_dir exists; its dmarc folder is made on demand
  AggregateLog log(dir / "dmarc", 31);
  const mode_t old_umask = ::umask(077);
  ASSERT_TRUE(log.append(entry("192.0.2.1", true)).ok());
  ::umask(old_umask);
  ASSERT_TRUE(log.append(entry("192.0.2.2", false)).ok());
  const fs::path file = dir / "dmarc" / "2026-12-07.jsonl";
  EXPECT_EQ(read(file), to_json_line(entry("192.0.2.1", true)) + "\n" +
                            to_json_line(entry("192.0.2.2", false)) + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  ASSERT_EQ(::stat((dir / "dmarc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);  // made under umask 077 (0750 asked)
}

TEST_F(AggregateLogTest, ANewDayRemovesFilesOlderThanReportDays) {
  fs::create_directories(dir / "dmarc");
  for (const char* name : {"2026-12-04.jsonl", "2026-12-05.jsonl", "2026-12-06.jsonl", "notes.txt",
                           "2026-99-99.jsonl"})
    std::ofstream(dir / "dmarc" / name) << "x\n";
  AggregateLog log(dir / "dmarc", 2);  // keep the day written and the 2 before it
  ASSERT_TRUE(log.append(entry("192.0.2.1", true, kDec7 + 10)).ok());
  EXPECT_FALSE(fs::exists(dir / "dmarc" / "2026-12-04.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "dmarc" / "2026-12-05.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "dmarc" / "2026-12-06.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "dmarc" / "notes.txt"));
  EXPECT_TRUE(fs::exists(dir / "dmarc" / "2026-99-99.jsonl"));
  // The next day: 2026-12-05 goes now.
  ASSERT_TRUE(log.append(entry("192.0.2.1", true, kDec7 + 86400)).ok());
  EXPECT_FALSE(fs::exists(dir / "dmarc" / "2026-12-05.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "dmarc" / "2026-12-06.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "dmarc" / "2026-12-08.jsonl"));
}

TEST_F(AggregateLogTest, UnwritableFolderIsAnIoError) {
  fs::create_directories(dir);
  std::ofstream(dir / "file") << "x";
  AggregateLog log(dir / "file" / "dmarc", 31);
  auto r = log.append(entry("192.0.2.1", true));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::io);
  EXPECT_EQ(r.error().message, (dir / "file" / "dmarc").string() + ": Not a directory");
}

TEST(DmarcAggregateXml, GroupsRowsByIpAndResults) {
  std::vector<ReportEntry> entries = {entry("192.0.2.1", true),
                                      entry("192.0.2.1", true, kDec7 + 7200),
                                      entry("198.51.100.7", false), entry("192.0.2.1", true)};
  // Sampled out: a reject not enacted because of pct.
  ReportEntry sampled = entry("198.51.100.7", false);
  sampled.disposition = Policy::quarantine;
  sampled.envelope_from = "";
  sampled.spf = {"helo.example.net", "helo", "none"};
  entries.push_back(sampled);
  ReportEntry other = entry("203.0.113.5", false);
  other.policy_domain = "example.net";
  entries.push_back(other);
  // The last entry for the domain carries the record as published then.
  ReportEntry last = entry("192.0.2.1", true);
  last.published.sp = Policy::quarantine;
  last.published.adkim = Alignment::strict;
  last.published.pct = 50;
  last.published.fo = "1";
  entries.push_back(last);

  ReportMeta meta{"Mail & Co <ops>", "postmaster@mx.example.test",
                  "mx.example.test!example.org!2026-12-07", kDec7, kDec7 + 86399};
  auto xml = aggregate_xml(meta, "Example.ORG", entries);
  ASSERT_TRUE(xml) << xml.error().message;
  EXPECT_EQ(*xml, R"(<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <version>1.0</version>
  <report_metadata>
    <org_name>Mail &amp; Co &lt;ops&gt;</org_name>
    <email>postmaster@mx.example.test</email>
    <report_id>mx.example.test!example.org!2026-12-07</report_id>
    <date_range>
      <begin>1796601600</begin>
      <end>1796687999</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>example.org</domain>
    <adkim>s</adkim>
    <aspf>r</aspf>
    <p>reject</p>
    <sp>quarantine</sp>
    <pct>50</pct>
    <fo>1</fo>
  </policy_published>
  <record>
    <row>
      <source_ip>192.0.2.1</source_ip>
      <count>4</count>
      <policy_evaluated>
        <disposition>none</disposition>
        <dkim>pass</dkim>
        <spf>fail</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_from>bounce.example.org</envelope_from>
      <header_from>example.org</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>example.org</domain>
        <selector>s1</selector>
        <result>pass</result>
      </dkim>
      <spf>
        <domain>bounce.example.org</domain>
        <scope>mfrom</scope>
        <result>softfail</result>
      </spf>
    </auth_results>
  </record>
  <record>
    <row>
      <source_ip>198.51.100.7</source_ip>
      <count>1</count>
      <policy_evaluated>
        <disposition>reject</disposition>
        <dkim>fail</dkim>
        <spf>fail</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_from>bounce.example.org</envelope_from>
      <header_from>example.org</header_from>
    </identifiers>
    <auth_results>
      <spf>
        <domain>bounce.example.org</domain>
        <scope>mfrom</scope>
        <result>softfail</result>
      </spf>
    </auth_results>
  </record>
  <record>
    <row>
      <source_ip>198.51.100.7</source_ip>
      <count>1</count>
      <policy_evaluated>
        <disposition>quarantine</disposition>
        <dkim>fail</dkim>
        <spf>fail</spf>
        <reason>
          <type>sampled_out</type>
        </reason>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>example.org</header_from>
    </identifiers>
    <auth_results>
      <spf>
        <domain>helo.example.net</domain>
        <scope>helo</scope>
        <result>none</result>
      </spf>
    </auth_results>
  </record>
</feedback>
)");
}

TEST(DmarcAggregateXml, NoEntryForTheDomain) {
  std::vector<ReportEntry> entries = {entry("192.0.2.1", true)};
  auto xml = aggregate_xml(ReportMeta{}, "example.net", entries);
  ASSERT_FALSE(xml);
  EXPECT_EQ(xml.error().kind, ErrorKind::not_found);
  EXPECT_EQ(xml.error().message, "no DMARC data for example.net");
}

}  // namespace
}  // namespace postamt::dmarc
