#include "mailauth/checker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/base64.h"
#include "dns/testing/fake_resolver.h"
#include "mailauth/dkim/sign.h"
#include "mailauth/dkim/test_keys.h"

namespace postamt::mailauth {
namespace {

using dns::testing::FakeResolver;

constexpr std::string_view kPsl = "com\norg\ntest\nco.uk\n";

std::string message(std::string_view from, std::string_view extra = "") {
  return "From: " + std::string(from) + "\r\nTo: bob@example.org\r\nSubject: hi\r\n" +
         std::string(extra) + "\r\nhello\r\n";
}

class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_.add_txt("pass.test", "v=spf1 ip4:192.0.2.1 -all");
    dns_.add_txt("_dmarc.pass.test", "v=DMARC1; p=reject");
    dns_.add_txt("forged.test", "v=spf1 -all");
    dns_.add_txt("_dmarc.forged.test", "v=DMARC1; p=reject");
    dns_.add_txt("junk.test", "v=spf1 -all");
    dns_.add_txt("_dmarc.junk.test", "v=DMARC1; p=quarantine");
    dns_.add_txt("signed.test", "v=spf1 -all");
    dns_.add_txt("_dmarc.signed.test", "v=DMARC1; p=reject");
    dns_.add_txt("sel._domainkey.signed.test", std::string(dkim::test_keys::kEd25519Record));
    dns_.add_txt("lax.test", "v=spf1 -all");
    dns_.add_txt("_dmarc.lax.test", "v=DMARC1; p=reject; pct=0");
    dns_.add_empty("nopolicy.test");
  }

  Checker checker(Settings settings = {}) {
    settings.authserv_id = "mx.example.org";
    return Checker(
        dns_, *psl_, nullptr, std::move(settings), [] { return 50; },
        [] { return std::chrono::system_clock::from_time_t(1'800'000'000); });
  }

  Decision check(const Checker& c, std::string_view sender, const std::string& msg,
                 std::string ip = "192.0.2.1") {
    return c.check(Inbound{std::move(ip), "client.test", std::string(sender), msg});
  }

  std::string signed_message(std::string_view body_text = "hello") {
    std::string msg = "From: news@signed.test\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\n" +
                      std::string(body_text) + "\r\n";
    auto key = dkim::PrivateKey::from_ed25519_seed(*base64::decode(dkim::test_keys::kEd25519Seed));
    EXPECT_TRUE(key);
    dkim::SigningKey signing{"signed.test", "sel", dkim::Algorithm::ed25519_sha256, *key, {}};
    auto field =
        dkim::sign_message(msg, signing, std::chrono::system_clock::from_time_t(1'799'999'000));
    EXPECT_TRUE(field) << field.error().message;
    return *field + msg;
  }

  FakeResolver dns_;
  std::unique_ptr<dmarc::PublicSuffixList> psl_ =
      std::make_unique<dmarc::PublicSuffixList>(*dmarc::PublicSuffixList::parse(kPsl));
};

TEST_F(CheckerTest, AlignedSpfPassAcceptsWithTheWholeHeader) {
  auto c = checker();
  Decision d = check(c, "a@pass.test", message("a@pass.test"));
  EXPECT_EQ(d.action, Action::accept);
  EXPECT_EQ(d.header,
            "Authentication-Results: mx.example.org;\r\n"
            " dkim=none;\r\n"
            " spf=pass smtp.mailfrom=a@pass.test;\r\n"
            " dmarc=pass (p=reject dis=none) header.from=pass.test;\r\n"
            " arc=none\r\n");
  EXPECT_EQ(d.summary,
            "authentication: dkim=none spf=pass (domain=pass.test) dmarc=pass (from=pass.test) "
            "arc=none action=accept");
}

TEST_F(CheckerTest, DmarcRejectAndQuarantineAndPolicyNone) {
  auto c = checker();
  Decision reject = check(c, "a@forged.test", message("ceo@forged.test"));
  EXPECT_EQ(reject.action, Action::reject);
  EXPECT_EQ(reject.reason, "Message rejected: it fails the DMARC policy of forged.test (RFC 7489)");
  EXPECT_NE(reject.header.find(" dmarc=fail (p=reject dis=reject)\r\n"
                               " reason=\"no aligned identifier; policy reject at forged.test\"\r\n"
                               " header.from=forged.test;\r\n"),
            std::string::npos)
      << reject.header;

  Decision junk = check(c, "x@junk.test", message("x@junk.test"));
  EXPECT_EQ(junk.action, Action::quarantine);
  EXPECT_EQ(junk.reason, "");

  // pct=0 spares every failing message from reject: it becomes quarantine (RFC 7489 §6.6.4).
  Decision lax = check(c, "x@lax.test", message("x@lax.test"));
  EXPECT_EQ(lax.action, Action::quarantine);

  Decision none = check(c, "x@nopolicy.test", message("x@nopolicy.test"));
  EXPECT_EQ(none.action, Action::accept);
  EXPECT_NE(none.header.find("dmarc=none"), std::string::npos) << none.header;
}

TEST_F(CheckerTest, AlignedDkimPassOutweighsSpfFailAndATamperedBodyDoesNot) {
  auto c = checker();
  Decision good = check(c, "bounce@elsewhere.test", signed_message());
  EXPECT_EQ(good.action, Action::accept) << good.header;
  EXPECT_NE(
      good.header.find(" dkim=pass header.d=signed.test header.i=@signed.test header.s=sel\r\n"
                       " header.a=ed25519-sha256 header.b="),
      std::string::npos)
      << good.header;
  EXPECT_NE(good.header.find("dmarc=pass"), std::string::npos) << good.header;

  std::string tampered = signed_message();
  tampered.replace(tampered.rfind("hello"), 5, "HELLO");
  Decision bad = check(c, "bounce@elsewhere.test", tampered);
  EXPECT_EQ(bad.action, Action::reject) << bad.header;
  EXPECT_NE(bad.header.find("dkim=fail"), std::string::npos) << bad.header;
}

TEST_F(CheckerTest, DnsTroubleOnTheAuthorsDomainDefersButNotOnAForgersDomain) {
  auto c = checker();
  dns_.fail("troubled.test", ErrorKind::temporary);
  dns_.add_txt("_dmarc.troubled.test", "v=DMARC1; p=reject");
  Decision own = check(c, "a@troubled.test", message("a@troubled.test"));
  EXPECT_EQ(own.action, Action::defer) << own.header;
  EXPECT_EQ(own.reason,
            "Authentication of troubled.test could not be completed (DNS), try again later");

  // The forger picks a MAIL FROM domain whose DNS fails: DMARC still fails for the author.
  dns_.fail("slow.test", ErrorKind::temporary);
  Decision forger = check(c, "a@slow.test", message("ceo@forged.test"));
  EXPECT_EQ(forger.action, Action::reject) << forger.header;
}

TEST_F(CheckerTest, ReportOnlyModeAcceptsAndWithoutAFromDmarcIsPermerror) {
  Settings report_only;
  report_only.enforce_dmarc = false;
  auto c = checker(report_only);
  Decision d = check(c, "a@forged.test", message("ceo@forged.test"));
  EXPECT_EQ(d.action, Action::accept);
  EXPECT_NE(d.header.find("dmarc=fail"), std::string::npos) << d.header;

  // RFC 7489 §6.6.1: without exactly one author domain DMARC cannot protect anybody, so
  // enforcing servers refuse such a message; reporting ones accept it.
  const std::string two_froms =
      "From: ceo@bank.test\r\nFrom: x@pass.test\r\nSubject: x\r\n\r\nbody\r\n";
  Decision lenient = check(c, "a@pass.test", two_froms);
  EXPECT_EQ(lenient.action, Action::accept);
  EXPECT_NE(lenient.header.find("dmarc=permerror"), std::string::npos) << lenient.header;
  auto strict = checker();
  Decision no_from = check(strict, "a@pass.test", "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(no_from.action, Action::accept);
  EXPECT_NE(no_from.header.find("dmarc=permerror"), std::string::npos) << no_from.header;
  Decision two = check(strict, "a@pass.test", two_froms);
  EXPECT_EQ(two.action, Action::reject);
  EXPECT_EQ(two.reason,
            "Message rejected: it needs exactly one author address with a valid domain (RFC 7489 "
            "section 6.6.1): the message has several From fields");
  EXPECT_EQ(check(strict, "a@pass.test", message("svc@mail_x.bank.test")).action, Action::reject);
}

TEST_F(CheckerTest, AggregateRowsAreWrittenForMessagesWithADmarcRecord) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("postamt-checker-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  dmarc::AggregateLog log(dir / "dmarc", 31);
  Settings settings;
  settings.authserv_id = "mx.example.org";
  Checker c(
      dns_, *psl_, &log, settings, [] { return 50; },
      [] { return std::chrono::system_clock::from_time_t(1'800'000'000); });
  check(c, "x@junk.test", message("x@junk.test"));
  check(c, "x@nopolicy.test", message("x@nopolicy.test"));  // no record: no row
  std::ifstream in(dir / "dmarc" / "2027-01-15.jsonl");
  std::string line;
  std::vector<dmarc::ReportEntry> rows;
  while (std::getline(in, line)) rows.push_back(*dmarc::parse_json_line(line));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].header_from, "junk.test");
  EXPECT_EQ(rows[0].source_ip, "192.0.2.1");
  EXPECT_EQ(rows[0].disposition, dmarc::Policy::quarantine);
  EXPECT_EQ(rows[0].spf.result, "fail");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace postamt::mailauth
