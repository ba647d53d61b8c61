#include <gtest/gtest.h>

#include "jmap/proto/arguments.h"

namespace postamt::jmap {
namespace {

TEST(JmapDate, UtcDates) {
  EXPECT_EQ(parse_utc_date("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_utc_date("2014-10-30T06:12:00Z"), 1414649520);
  EXPECT_EQ(parse_utc_date("2014-10-30T06:12:00.5Z"), 1414649520);
  EXPECT_EQ(parse_utc_date("2014-10-30T06:12:00.001Z"), 1414649520);
  EXPECT_EQ(parse_utc_date("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(parse_utc_date("2000-02-29T12:00:00Z"), 951825600);
  EXPECT_EQ(parse_utc_date("0000-01-01T00:00:00Z"), -62167219200);
  EXPECT_EQ(parse_utc_date("9999-12-31T23:59:59Z"), 253402300799);
  EXPECT_EQ(parse_utc_date("2016-12-31T23:59:60Z"), 1483228800);  // leap second
}

TEST(JmapDate, UtcDateRejects) {
  for (std::string_view bad : {
           "2014-10-30T14:12:00+08:00",  // UTCDate needs Z
           "2014-10-30t06:12:00Z",       // lower case
           "2014-10-30T06:12:00z",
           "2014-10-30 06:12:00Z",
           "2014-10-30T06:12:00.000Z",  // zero fraction must be omitted
           "2014-10-30T06:12:00.0Z",
           "2014-10-30T06:12:00.Z",
           "2014-10-30T06:12Z",
           "2014-10-30T06:12:00",
           "2014-10-30",
           "",
           "2014-13-01T00:00:00Z",
           "2014-00-01T00:00:00Z",
           "2014-02-29T00:00:00Z",  // not a leap year
           "1900-02-29T00:00:00Z",
           "2014-04-31T00:00:00Z",
           "2014-10-00T00:00:00Z",
           "2014-10-30T24:00:00Z",
           "2014-10-30T23:60:00Z",
           "2014-10-30T23:59:61Z",
           "2014-10-30T06:12:00ZZ",
           "2014-10-30T06:12:00Z ",
           " 2014-10-30T06:12:00Z",
           "+2014-10-30T06:12:00Z",
           "14-10-30T06:12:00Z",
           "2014-1-30T06:12:00Z",
           "2014-10-30T6:12:00Z",
           "2014-10-30T06:12:0aZ",
       }) {
    EXPECT_EQ(parse_utc_date(bad), std::nullopt) << bad;
  }
}

TEST(JmapDate, DatesWithOffsets) {
  EXPECT_EQ(parse_date("2014-10-30T14:12:00+08:00"), 1414649520);
  EXPECT_EQ(parse_date("2014-10-29T22:42:00-07:30"), 1414649520);
  EXPECT_EQ(parse_date("2014-10-30T06:12:00Z"), 1414649520);
  EXPECT_EQ(parse_date("2014-10-30T06:12:00-00:00"), 1414649520);
  EXPECT_EQ(parse_date("2014-10-30T06:12:00.25+00:00"), 1414649520);
  EXPECT_EQ(parse_date("2014-10-30T06:12:00+0800"), std::nullopt);
  EXPECT_EQ(parse_date("2014-10-30T06:12:00+08"), std::nullopt);
  EXPECT_EQ(parse_date("2014-10-30T06:12:00+24:00"), std::nullopt);
  EXPECT_EQ(parse_date("2014-10-30T06:12:00+08:60"), std::nullopt);
  EXPECT_EQ(parse_date("2014-10-30T06:12:00.00+08:00"), std::nullopt);
  EXPECT_EQ(parse_date("2014-10-30T06:12:00"), std::nullopt);
}

TEST(JmapDate, Formats) {
  EXPECT_EQ(format_utc_date(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_utc_date(1414649520), "2014-10-30T06:12:00Z");
  EXPECT_EQ(format_utc_date(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_utc_date(951825600), "2000-02-29T12:00:00Z");
  EXPECT_EQ(format_utc_date(253402300799), "9999-12-31T23:59:59Z");
  EXPECT_EQ(format_utc_date(253402300800), "9999-12-31T23:59:59Z");
  EXPECT_EQ(format_utc_date(-62167219200), "0000-01-01T00:00:00Z");
  EXPECT_EQ(format_utc_date(INT64_MIN), "0000-01-01T00:00:00Z");
  EXPECT_EQ(format_utc_date(INT64_MAX), "9999-12-31T23:59:59Z");
  for (int64_t t : {int64_t{-62167219200}, int64_t{-86401}, int64_t{0}, int64_t{1709164800},
                    int64_t{4102444799}, int64_t{253402300799}}) {
    EXPECT_EQ(parse_utc_date(format_utc_date(t)), t) << t;
  }
}

}  // namespace
}  // namespace postamt::jmap
