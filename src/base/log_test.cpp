#include "base/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace postamt::log {
namespace {

using namespace std::chrono_literals;

// 2026-11-27T21:30:00.123Z
const std::chrono::system_clock::time_point kWhen =
    std::chrono::system_clock::time_point(1795815000s) + 123ms;

Record record(std::string_view text, Level level = Level::info) {
  return Record{kWhen, "mail.example.test", "smtpd", 1234, level, text, {}};
}

TEST(Log, TextLineIsPostfixShaped) {
  EXPECT_EQ(render(record("4FZ1XK2AB: from=<a@x>, size=1234"), Format::text),
            "2026-11-27T21:30:00.123Z mail.example.test postamt/smtpd[1234]: 4FZ1XK2AB: "
            "from=<a@x>, size=1234\n");
  EXPECT_EQ(render(record("disk full", Level::error), Format::text),
            "2026-11-27T21:30:00.123Z mail.example.test postamt/smtpd[1234]: error: disk full\n");
  // Control characters never reach the log raw (log injection); other bytes do.
  EXPECT_EQ(render(record("a\r\nb\x7f\xff", Level::warning), Format::text),
            "2026-11-27T21:30:00.123Z mail.example.test postamt/smtpd[1234]: warning: "
            "a\\x0d\\x0ab\\x7f\xff\n");
}

TEST(Log, JsonLineHasFixedMembersInOrder) {
  Record r = record("4FZ1XK2AB: removed", Level::warning);
  r.fields = {{"queue_id", "4FZ1XK2AB"}, {"remote_ip", "192.0.2.1"}};
  EXPECT_EQ(render(r, Format::json),
            R"({"time":"2026-11-27T21:30:00.123Z","host":"mail.example.test","service":"smtpd",)"
            R"("pid":1234,"level":"warning","message":"4FZ1XK2AB: removed",)"
            R"("queue_id":"4FZ1XK2AB","remote_ip":"192.0.2.1"})"
            "\n");
  EXPECT_EQ(render(record("x", Level::debug), Format::json),
            R"({"time":"2026-11-27T21:30:00.123Z","host":"mail.example.test","service":"smtpd",)"
            R"("pid":1234,"level":"debug","message":"x"})"
            "\n");
}

TEST(Log, JsonEscapingIsExact) {
  EXPECT_EQ(json_escape(R"(say "hi" \ bye)"), R"(say \"hi\" \\ bye)");
  EXPECT_EQ(json_escape(std::string("\0\x01\t\n\r\x1f\x7f", 7)),
            R"(\u0000\u0001\u0009\u000a\u000d\u001f\u007f)");
  // Well-formed UTF-8 stays as it is (2, 3 and 4 bytes).
  EXPECT_EQ(json_escape("Grüße € 😀"), "Grüße € 😀");
  // Every byte outside well-formed UTF-8 is one U+FFFD: a lone continuation byte, a
  // truncated sequence, an overlong form, a surrogate, a code point above U+10FFFF.
  EXPECT_EQ(json_escape("a\x80z"), R"(a\ufffdz)");
  EXPECT_EQ(json_escape("\xe2\x82"), R"(\ufffd\ufffd)");
  EXPECT_EQ(json_escape("\xc0\xaf"), R"(\ufffd\ufffd)");
  EXPECT_EQ(json_escape("\xed\xa0\x80"), R"(\ufffd\ufffd\ufffd)");
  EXPECT_EQ(json_escape("\xf4\x90\x80\x80"), R"(\ufffd\ufffd\ufffd\ufffd)");
  EXPECT_EQ(json_escape("\xff"), R"(\ufffd)");
  // The boundaries themselves are fine.
  EXPECT_EQ(json_escape("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");
  EXPECT_EQ(json_escape("\xed\x9f\xbf"), "\xed\x9f\xbf");
}

TEST(Log, MessageLinesCarryTheQueueIdInTextAndJson) {
  configure("mail.example.test", Level::info, Format::json);
  ::testing::internal::CaptureStderr();
  message(Level::info, "qmgr", "ABC123", "from=<{}>, size={}", "a@x", 7);
  message(Level::debug, "qmgr", "ABC123", "not written");
  const std::string json = ::testing::internal::GetCapturedStderr();
  configure("mail.example.test", Level::info, Format::text);
  ::testing::internal::CaptureStderr();
  message(Level::info, "qmgr", "ABC123", "removed");
  const std::string text = ::testing::internal::GetCapturedStderr();
  configure("localhost", Level::info, Format::text);

  const std::string pid = std::to_string(getpid());
  ASSERT_EQ(json.find("\n"), json.size() - 1) << json;  // exactly one line
  EXPECT_TRUE(json.starts_with(R"({"time":")")) << json;
  EXPECT_NE(json.find(R"(Z","host":"mail.example.test","service":"qmgr","pid":)" + pid +
                      R"(,"level":"info","message":"ABC123: from=<a@x>, size=7",)"
                      R"("queue_id":"ABC123"})"
                      "\n"),
            std::string::npos)
      << json;
  EXPECT_TRUE(text.ends_with(" mail.example.test postamt/qmgr[" + pid + "]: ABC123: removed\n"))
      << text;
}

}  // namespace
}  // namespace postamt::log
