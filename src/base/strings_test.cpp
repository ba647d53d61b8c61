#include "base/strings.h"

#include <gtest/gtest.h>

namespace postamt {

TEST(Strings, CaseHelpers) {
  EXPECT_EQ(ascii_lower("InBoX-Ä"), "inbox-Ä");
  EXPECT_EQ(ascii_upper("ehlo"), "EHLO");
  EXPECT_TRUE(iequals("Mail FROM", "MAIL from"));
  EXPECT_FALSE(iequals("MAIL", "MAILS"));
  EXPECT_TRUE(istarts_with("mail from:<a>", "MAIL FROM:"));
  EXPECT_FALSE(istarts_with("MA", "MAIL"));
}

TEST(Strings, TrimAndSplit) {
  EXPECT_EQ(trim(" \t a b \r\n"), "a b");
  EXPECT_EQ(trim(""), "");
  auto parts = split("a,,b", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "a");
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parts[2], "b");
}

TEST(Strings, ParseU64) {
  EXPECT_EQ(parse_u64("0"), 0u);
  EXPECT_EQ(parse_u64("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_u64("18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_u64(""), std::nullopt);
  EXPECT_EQ(parse_u64("-1"), std::nullopt);
  EXPECT_EQ(parse_u64("1 "), std::nullopt);
}

TEST(Strings, HexValue) {
  EXPECT_EQ(hex_value('0'), 0);
  EXPECT_EQ(hex_value('9'), 9);
  EXPECT_EQ(hex_value('A'), 10);
  EXPECT_EQ(hex_value('f'), 15);
  EXPECT_EQ(hex_value('g'), -1);
  EXPECT_EQ(hex_value(' '), -1);
  EXPECT_EQ(hex_value('F', HexLetters::upper), 15);
  EXPECT_EQ(hex_value('f', HexLetters::upper), -1);  // RFC 3461 xtext
}

TEST(Strings, PercentDecode) {
  EXPECT_EQ(percent_decode("a%41b%2fc"), "aAb/c");
  EXPECT_EQ(percent_decode("%"), "%");
  EXPECT_EQ(percent_decode("%4"), "%4");
  EXPECT_EQ(percent_decode("%zz%41"), "%zzA");
  EXPECT_EQ(percent_decode("x%41"), "xA");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
}

}  // namespace postamt
