#include "imap/proto/sequence_set.h"

#include <gtest/gtest.h>

namespace postamt::imap::proto {
namespace {

TEST(ImapSequenceSet, ParsesRfcExample) {
  // RFC 9051 §9 sequence-set example: 2,4:7,9,12:* in a mailbox with 15 messages.
  auto s = parse_sequence_set("2,4:7,9,12:*", AllowSaved::no);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ranges(), (std::vector<SeqRange>{{2, 2}, {4, 7}, {9, 9}, {12, kStar}}));
  EXPECT_EQ(s->resolve(15), (std::vector<UidInterval>{{2, 2}, {4, 7}, {9, 9}, {12, 15}}));
  EXPECT_EQ(s->to_string(), "2,4:7,9,12:*");
}

TEST(ImapSequenceSet, ResolvesReversedAndOverlappingRanges) {
  // RFC 9051 §9: *:4,5:7 with 10 messages is 4..10.
  auto s = parse_sequence_set("*:4,5:7", AllowSaved::no);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->resolve(10), (std::vector<UidInterval>{{4, 10}}));
  // 3291:* includes the last UID even when it is smaller than 3291.
  auto u = parse_sequence_set("3291:*", AllowSaved::no);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->resolve(100), (std::vector<UidInterval>{{100, 3291}}));
}

TEST(ImapSequenceSet, MergesAdjacentAtTheTopOfTheRange) {
  auto s = parse_sequence_set("4294967295,4294967294", AllowSaved::no);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->resolve(1), (std::vector<UidInterval>{{4294967294u, 4294967295u}}));
}

TEST(ImapSequenceSet, SavedResult) {
  auto s = parse_sequence_set("$", AllowSaved::yes);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->is_saved());
  EXPECT_EQ(s->to_string(), "$");
  EXPECT_FALSE(parse_sequence_set("$", AllowSaved::no).ok());
  EXPECT_FALSE(parse_sequence_set("1,$", AllowSaved::yes).ok());
}

TEST(ImapSequenceSet, RejectsMalformed) {
  for (const char* bad : {"", "0", "1:0", "01", "1,", ",1", "1,,2", "1:2:3", "4294967296", "a",
                          "1:", ":1", "**", "-1"}) {
    EXPECT_FALSE(parse_sequence_set(bad, AllowSaved::yes).ok()) << bad;
  }
}

TEST(ImapSequenceSet, FromNumbersCompresses) {
  EXPECT_EQ(SequenceSet::from_numbers({5, 1, 2, 3, 3, 9, 10}).to_string(), "1:3,5,9:10");
  EXPECT_EQ(SequenceSet::from_numbers({}).to_string(), "");
  EXPECT_TRUE(SequenceSet::from_numbers({}).empty());
  EXPECT_EQ(SequenceSet::from_numbers({0, 7}).to_string(), "7");
}

// RFC 5267 §3.2: ESORT's ALL keeps the sorted order; only ascending runs are ranges.
TEST(ImapSequenceSet, InOrderKeepsTheOrder) {
  EXPECT_EQ(SequenceSet::in_order({5, 4, 1, 2, 3, 9}).to_string(), "5,4,1:3,9");
  EXPECT_EQ(SequenceSet::in_order({23765, 23764, 23763, 23761}).to_string(),
            "23765,23764,23763,23761");
  EXPECT_EQ(SequenceSet::in_order({0, 7}).to_string(), "7");
  EXPECT_TRUE(SequenceSet::in_order({}).empty());
}

}  // namespace
}  // namespace postamt::imap::proto
