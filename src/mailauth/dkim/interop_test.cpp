// Messages signed by other DKIM implementations (testdata/README.md) verify with ours.
#include <gtest/gtest.h>

#include "dns/testing/fake_resolver.h"
#include "mailauth/dkim/verify.h"
#include "support/files.h"

namespace postamt::dkim {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

struct Signed {
  std::string message;
  dns::testing::FakeResolver dns;
};

void load(const std::string& name, Signed& out) {
  std::string dir = std::string(DKIM_TESTDATA) + "/";
  out.message = postamt::testing::read_file(dir + name + ".eml");
  std::string txt = postamt::testing::read_file(dir + name + ".txt");
  size_t space = txt.find(' ');
  ASSERT_NE(space, std::string::npos);
  std::string record = txt.substr(space + 1);
  while (!record.empty() && record.back() == '\n') record.pop_back();
  out.dns.add_txt(txt.substr(0, space), record);
}

const system_clock::time_point kNow{seconds(1796630400)};

class DkimInterop : public ::testing::TestWithParam<std::string> {};

TEST_P(DkimInterop, VerifiesAndDetectsTampering) {
  Signed s;
  load(GetParam(), s);
  VerifyLimits limits;
  auto r = verify_message(s.message, s.dns, limits, kNow);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, Status::pass) << r[0].reason;
  EXPECT_EQ(r[0].domain, "interop.example");

  std::string header_changed = s.message;
  header_changed.replace(header_changed.find("Mary Smith"), 10, "Mary Smyth");
  EXPECT_EQ(verify_message(header_changed, s.dns, limits, kNow)[0].reason,
            "signature did not verify");
  std::string body_changed = s.message;
  body_changed.replace(body_changed.find("Hello"), 5, "Hallo");
  EXPECT_EQ(verify_message(body_changed, s.dns, limits, kNow)[0].reason,
            "body hash did not verify");
}

INSTANTIATE_TEST_SUITE_P(Dkimpy, DkimInterop,
                         ::testing::Values("dkimpy-rsa-relaxed", "dkimpy-rsa-simple",
                                           "dkimpy-rsa-length", "dkimpy-ed25519"));

TEST(DkimInteropLength, TextAfterL) {
  Signed s;
  load("dkimpy-rsa-length", s);
  VerifyLimits limits;  // unsigned_body = policy by default: appended text keeps no pass
  auto r = verify_message(s.message + "P.S. appended\r\n", s.dns, limits, kNow);
  EXPECT_EQ(r[0].status, Status::policy);
  // The two empty lines that ended the body are no longer trailing (§3.4.3): 4 + 15.
  EXPECT_EQ(r[0].reason, "l= leaves 19 body bytes unsigned");
  limits.unsigned_body = UnsignedBody::accept;
  EXPECT_EQ(verify_message(s.message + "P.S. appended\r\n", s.dns, limits, kNow)[0].status,
            Status::pass);
}

TEST(DkimInteropSha1, OpenDkimRsaSha1IsPermerror) {
  Signed s;
  load("opendkim-rsa-sha1", s);
  auto r = verify_message(s.message, s.dns, VerifyLimits{}, kNow);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, Status::permerror);
  EXPECT_EQ(r[0].reason, "rsa-sha1 is not accepted (RFC 8301)");
  EXPECT_EQ(r[0].algorithm, "rsa-sha1");
  EXPECT_EQ(r[0].selector, "od2048");
}

}  // namespace
}  // namespace postamt::dkim
