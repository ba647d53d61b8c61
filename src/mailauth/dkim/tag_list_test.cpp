#include "mailauth/dkim/tag_list.h"

#include <gtest/gtest.h>

namespace postamt::dkim {
namespace {

TEST(DkimTagList, ParsesValuesWithFoldingWhitespace) {
  auto list = TagList::parse(" v=1; a = rsa-sha256 ;\r\n\tb=abc\r\n def ;h=from : to;");
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->tags().size(), 4u);
  EXPECT_EQ(*list->get("v"), "1");
  EXPECT_EQ(*list->get("a"), "rsa-sha256");
  EXPECT_EQ(*list->get("b"), "abc\r\n def");
  EXPECT_EQ(*list->get("h"), "from : to");
  EXPECT_EQ(strip_whitespace(*list->get("b")), "abcdef");
  EXPECT_FALSE(list->get("x").has_value());
}

TEST(DkimTagList, ValueOffsetPointsIntoTheText) {
  constexpr std::string_view text = "v=1; b= xyz ; c=relaxed";
  auto list = TagList::parse(text);
  ASSERT_TRUE(list);
  const Tag* b = list->find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(text.substr(b->value_offset, b->value.size()), "xyz");
}

TEST(DkimTagList, EmptyValuesAndLists) {
  auto list = TagList::parse("p=; s=");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list->get("p"), "");
  EXPECT_EQ(*list->get("s"), "");
  auto empty = TagList::parse("  ");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->tags().empty());
}

TEST(DkimTagList, TagNamesAreCaseSensitive) {
  auto list = TagList::parse("v=1; V=2");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list->get("V"), "2");
}

TEST(DkimTagList, Rejects) {
  // §3.2: a duplicate tag invalidates the whole list.
  auto dup = TagList::parse("v=1; a=x; v=1");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message, "tag list: duplicate tag v");
  EXPECT_EQ(TagList::parse("v").error().message, "tag list: no '=' after tag v");
  EXPECT_EQ(TagList::parse("1v=1").error().message, "tag list: bad tag name");
  EXPECT_EQ(TagList::parse("v=1;;").error().message, "tag list: bad tag name");
  EXPECT_EQ(TagList::parse("v=a\r\nb").error().message, "tag list: CRLF without folding");
  EXPECT_EQ(TagList::parse("v=a\x01").error().message, "tag list: bad byte in value of v");
  EXPECT_EQ(TagList::parse("v=\xc3\xa9").error().message, "tag list: bad byte in value of v");
}

}  // namespace
}  // namespace postamt::dkim
