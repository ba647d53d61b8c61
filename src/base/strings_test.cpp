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

}  // namespace postamt
