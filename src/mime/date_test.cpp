#include "mime/date.h"

#include <gtest/gtest.h>

namespace postamt::mime {
namespace {

// 1996-07-17T09:44:25Z
constexpr int64_t kJul17 = 837596665;

TEST(Date, Rfc5322Forms) {
  EXPECT_EQ(parse_date("Wed, 17 Jul 1996 02:44:25 -0700"), (DateTime{kJul17, -420}));
  EXPECT_EQ(parse_date("17 Jul 1996 02:44:25 -0700"), (DateTime{kJul17, -420}));
  EXPECT_EQ(parse_date(" Wed,\r\n 17 Jul 1996 09:44:25 +0000 (UTC)"), (DateTime{kJul17, 0}));
  EXPECT_EQ(parse_date("Thu, 1 Jan 1970 00:00:00 +0000"), (DateTime{0, 0}));
  EXPECT_EQ(parse_date("Sat, 29 Feb 2020 12:00:00 +0530"), (DateTime{1582957800, 330}));
}

TEST(Date, ObsoleteForms) {
  // RFC 5322 §4.3: 2- and 3-digit years, named zones, missing seconds.
  EXPECT_EQ(parse_date("17 Jul 96 02:44:25 PDT"), (DateTime{kJul17, -420}));
  EXPECT_EQ(parse_date("17 Jul 096 02:44:25 PDT"), (DateTime{kJul17, -420}));
  EXPECT_EQ(parse_date("1 Jan 05 00:00 GMT"), (DateTime{1104537600, 0}));
  EXPECT_EQ(parse_date("17 Jul 1996 09:44:25 Z"), (DateTime{kJul17, 0}));
  EXPECT_EQ(parse_date("17 Jul 1996 09:44:25 A"), (DateTime{kJul17, 0}));
  EXPECT_EQ(parse_date("17 Jul 1996 09:44:25"), (DateTime{kJul17, 0}));
  EXPECT_EQ(parse_date("17-Jul-1996 02:44:25 -0700"), (DateTime{kJul17, -420}));
}

TEST(Date, Invalid) {
  for (std::string bad :
       {"", "yesterday", "32 Jul 1996 00:00:00 +0000", "29 Feb 2019 00:00:00 +0000",
        "17 Foo 1996 00:00 +0000", "17 Jul 1996 24:00:00 +0000", "17 Jul 1996 02:60 +0000",
        "17 Jul 1996 02 +0000", "17 Jul 1996 02:44:25 +07"})
    EXPECT_EQ(parse_date(bad), std::nullopt) << bad;
}

TEST(Date, Formatting) {
  DateTime dt{kJul17, -420};
  EXPECT_EQ(format_rfc5322_date(dt), "Wed, 17 Jul 1996 02:44:25 -0700");
  EXPECT_EQ(format_rfc5322_date(DateTime{0, 90}), "Thu, 1 Jan 1970 01:30:00 +0130");
  EXPECT_EQ(format_rfc5322_date(DateTime{-1, 0}), "Wed, 31 Dec 1969 23:59:59 +0000");
}

}  // namespace
}  // namespace postamt::mime
