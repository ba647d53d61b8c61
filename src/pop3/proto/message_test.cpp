#include "pop3/proto/message.h"

#include <gtest/gtest.h>

#include "pop3/proto/response.h"

namespace postamt::pop3::proto {
namespace {

struct Case {
  const char* name;
  std::string stored;
  std::string payload;
};

std::vector<Case> cases() {
  return {
      {"crlf", "Subject: a\r\n\r\nbody\r\n", "Subject: a\r\n\r\nbody\r\n"},
      {"bare_lf", "Subject: a\n\nbody\n", "Subject: a\r\n\r\nbody\r\n"},
      {"mixed", "Subject: a\r\n\nline1\nline2\r\n", "Subject: a\r\n\r\nline1\r\nline2\r\n"},
      {"no_final_eol", "Subject: a\n\nlast", "Subject: a\r\n\r\nlast\r\n"},
      {"no_final_eol_crlf", "Subject: a\r\n\r\nlast", "Subject: a\r\n\r\nlast\r\n"},
      {"lone_cr_is_content", "a\rb\n", "a\rb\r\n"},
      {"trailing_cr", "a\r", "a\r\r\n"},
      {"empty", "", ""},
      {"only_newlines", "\n\r\n\n", "\r\n\r\n\r\n"},
      {"dots", ".\n..\n", ".\r\n..\r\n"},
  };
}

TEST(Pop3Message, PayloadAndSize) {
  for (const auto& c : cases()) {
    EXPECT_EQ(message_payload(c.stored), c.payload) << c.name;
    EXPECT_EQ(message_octets(c.stored), c.payload.size()) << c.name;
    EXPECT_EQ(message_octets(c.stored), message_payload(c.stored).size()) << c.name;
  }
}

TEST(Pop3Message, SizeIsBeforeStuffing) {
  std::string stored = ".a\n.\n";
  EXPECT_EQ(message_octets(stored), 7u);  // ".a\r\n.\r\n"
  EXPECT_EQ(multiline_payload("", message_payload(stored)), "+OK\r\n..a\r\n..\r\n.\r\n");
}

TEST(Pop3Message, TopHeadersBlankLineAndNBodyLines) {
  std::string stored = "From: a\nSubject: s\n\nl1\nl2\r\nl3\n";
  EXPECT_EQ(top_payload(stored, 0), "From: a\r\nSubject: s\r\n\r\n");
  EXPECT_EQ(top_payload(stored, 2), "From: a\r\nSubject: s\r\n\r\nl1\r\nl2\r\n");
  EXPECT_EQ(top_payload(stored, 3), message_payload(stored));
  EXPECT_EQ(top_payload(stored, 1000), message_payload(stored));
}

TEST(Pop3Message, TopEdgeCases) {
  // No empty line: the whole message is header.
  EXPECT_EQ(top_payload("A: 1\nB: 2", 0), "A: 1\r\nB: 2\r\n");
  // Empty lines inside the body count as body lines.
  EXPECT_EQ(top_payload("A: 1\n\n\n\nx\n", 2), "A: 1\r\n\r\n\r\n\r\n");
  // Final body line without EOL gets its CRLF.
  EXPECT_EQ(top_payload("A: 1\n\nlast", 5), "A: 1\r\n\r\nlast\r\n");
  EXPECT_EQ(top_payload("", 3), "");
}

}  // namespace
}  // namespace postamt::pop3::proto
