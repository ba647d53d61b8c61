#include "auth/auth_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/log.h"

namespace postamt::auth {
namespace {

using namespace std::string_literals;

TEST(AuthLog, ExactLine) {
  EXPECT_EQ(auth_failure_line("smtp", "alice@example.org", "127.0.0.1", "PLAIN"),
            "auth failed: service=smtp user=<alice@example.org> rip=127.0.0.1 mechanism=PLAIN");
  EXPECT_EQ(auth_failure_line("imap", "", "2001:db8::1", "LOGIN"),
            "auth failed: service=imap user=<> rip=2001:db8::1 mechanism=LOGIN");
}

TEST(AuthLog, ClientTextCannotForgeLines) {
  EXPECT_EQ(
      auth_failure_line("pop3", "x> rip=10.0.0.1\r\nauth failed: user=<y", "192.0.2.7", "PLAIN\n"),
      "auth failed: service=pop3 user=<x? rip=10.0.0.1??auth failed: user=?y> "
      "rip=192.0.2.7 mechanism=PLAIN?");
  EXPECT_EQ(sanitize_for_log("a\0b\x7f"s, 64), "a?b?");
}

TEST(AuthLog, Utf8KeptInvalidReplaced) {
  EXPECT_EQ(sanitize_for_log("J\xC3\xBCrgen", 64), "J\xC3\xBCrgen");
  EXPECT_EQ(sanitize_for_log("a\xFF\xC3(b\xED\xA0\x80", 64),
            "a?"
            "?(b???");
}

TEST(AuthLog, TruncatesAtCharacterBoundary) {
  EXPECT_EQ(sanitize_for_log("abcdef", 6), "abcdef");
  EXPECT_EQ(sanitize_for_log("abcdefg", 6), "abcdef...");
  // The 2-byte "ü" at bytes 5-6 does not fit in 6 bytes: cut before it.
  EXPECT_EQ(sanitize_for_log("abcde\xC3\xBC", 6), "abcde...");
  const std::string line =
      auth_failure_line("smtp", std::string(100, 'u'), "192.0.2.1", std::string(30, 'M'));
  EXPECT_EQ(line, "auth failed: service=smtp user=<" + std::string(kLogUserMax, 'u') +
                      "...> rip=192.0.2.1 mechanism=" + std::string(kLogMechanismMax, 'M') + "...");
}

// The JSON line carries the address as a field too; the message is the text line's, which
// contrib/fail2ban/filter.d/postamt.conf matches (tests/integration/test_fail2ban.py).
TEST(AuthLog, JsonLineHasTheRemoteAddressField) {
  log::configure("mail.example.test", log::Level::info, log::Format::json);
  ::testing::internal::CaptureStderr();
  log_auth_failure("imaps", "a\"b", "192.0.2.7", "PLAIN");
  const std::string line = ::testing::internal::GetCapturedStderr();
  log::configure("localhost", log::Level::info, log::Format::text);
  EXPECT_NE(line.find(R"(","host":"mail.example.test","service":"imaps","pid":)" +
                      std::to_string(getpid()) +
                      R"(,"level":"warning","message":"auth failed: service=imaps user=<a\"b> )"
                      R"(rip=192.0.2.7 mechanism=PLAIN","remote_ip":"192.0.2.7"})"
                      "\n"),
            std::string::npos)
      << line;
}

}  // namespace
}  // namespace postamt::auth
