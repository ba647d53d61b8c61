#include "jmap/proto/ijson.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace postamt::jmap {
namespace {

std::string error_of(std::string_view text, size_t depth = kDefaultMaxJsonDepth) {
  auto r = parse_ijson(text, depth);
  if (r.ok()) return "parsed: " + json::serialize(*r);
  return r.error().message;
}

TEST(JmapIJson, ParsesPlainJson) {
  auto r = parse_ijson(R"( {"a":[1,-2,3.5,true,null,"x\u00e9\ud83d\ude00"],"b":{}} )");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::serialize(*r),
            "{\"a\":[1,-2,3.5E0,true,null,\"x\xC3\xA9\xF0\x9F\x98\x80\"],\"b\":{}}");
}

TEST(JmapIJson, RejectsMalformedJson) {
  EXPECT_EQ(error_of(""), "incomplete JSON at octet 0");
  EXPECT_EQ(error_of("{\"a\":1"), "incomplete JSON at octet 6");
  EXPECT_EQ(error_of("{} x"), "extra data at octet 3");
  EXPECT_EQ(error_of("{}{}"), "extra data at octet 2");
  EXPECT_EQ(error_of("[1,]"), "syntax error at octet 3");
  EXPECT_EQ(error_of("[1] // c"), "extra data at octet 4");
  EXPECT_EQ(error_of("'a'"), "syntax error at octet 0");
}

TEST(JmapIJson, RejectsInvalidUtf8) {
  EXPECT_EQ(error_of("[\"\xC3\"]"), "syntax error at octet 2");
  EXPECT_EQ(error_of("[\"\xED\xA0\x80\"]"), "syntax error at octet 2");  // encoded surrogate
  EXPECT_EQ(error_of("[\"\xC0\xAF\"]"), "syntax error at octet 2");      // overlong
  EXPECT_EQ(error_of("{\"\xFF\":1}"), "syntax error at octet 2");
}

TEST(JmapIJson, RejectsLoneSurrogateEscapes) {
  EXPECT_EQ(error_of(R"(["\ud800"])"), "syntax error at octet 8");
  EXPECT_EQ(error_of(R"(["\ud800x"])"), "syntax error at octet 8");
  EXPECT_EQ(error_of(R"(["\udc00"])"), "illegal trailing surrogate at octet 8");
  EXPECT_EQ(error_of(R"(["\ud800\u0041"])"), "illegal trailing surrogate at octet 10");
}

TEST(JmapIJson, RejectsNoncharacters) {
  EXPECT_EQ(error_of("[\"\xEF\xB7\x90\"]"), "a string holds a Unicode noncharacter");
  EXPECT_EQ(error_of(R"(["\uffff"])"), "a string holds a Unicode noncharacter");
  EXPECT_EQ(error_of(R"(["\ud83f\udffe"])"), "a string holds a Unicode noncharacter");  // U+1FFFE
  EXPECT_EQ(error_of("{\"\xEF\xBF\xBE\":1}"), "a member name holds a Unicode noncharacter");
  EXPECT_TRUE(parse_ijson("[\"\xEF\xB7\x8F\xEF\xB7\xB0\xEF\xBF\xBD\"]").ok());  // FDCF FDF0 FFFD
}

TEST(JmapIJson, RejectsDuplicateMemberNames) {
  EXPECT_EQ(error_of(R"({"a":1,"a":2})"), "duplicate member name \"a\"");
  EXPECT_EQ(error_of(R"({"x":{"b":1,"\u0062":2}})"), "duplicate member name \"b\"");
  // The same name in different objects is fine.
  EXPECT_TRUE(parse_ijson(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})").ok());
}

TEST(JmapIJson, IntegersMustBeSafe) {
  EXPECT_EQ(error_of("[9007199254740991,-9007199254740991]"),
            "parsed: [9007199254740991,-9007199254740991]");
  EXPECT_EQ(error_of("[9007199254740992]"), "an integer is outside -(2^53-1)..2^53-1");
  EXPECT_EQ(error_of("[-9007199254740992]"), "an integer is outside -(2^53-1)..2^53-1");
  EXPECT_EQ(error_of("[18446744073709551615]"), "an integer is outside -(2^53-1)..2^53-1");
  EXPECT_EQ(error_of("[18446744073709551616]"), "an integer is outside -(2^53-1)..2^53-1");
  EXPECT_EQ(error_of("[-99999999999999999999999]"), "an integer is outside -(2^53-1)..2^53-1");
  // Written as fractions or with exponents they are doubles, which I-JSON allows.
  EXPECT_EQ(error_of("[1e20,9007199254740993.0]"), "parsed: [1E20,9.007199254740992E15]");
}

TEST(JmapIJson, RejectsNumbersBeyondDouble) {
  EXPECT_EQ(error_of("[1e400]"), "a number is too large for a double");
  EXPECT_EQ(error_of("[-1.5e309]"), "a number is too large for a double");
  EXPECT_EQ(error_of("[1e-400]"), "parsed: [0E0]");
}

TEST(JmapIJson, DepthLimitIsExact) {
  auto nested = [](size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  EXPECT_TRUE(parse_ijson(nested(64)).ok());
  auto r = parse_ijson(nested(65));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::limit);
  EXPECT_EQ(r.error().message, "arrays and objects nested more than 64 deep");
  EXPECT_EQ(error_of(nested(10'000)), "arrays and objects nested more than 64 deep");
  EXPECT_TRUE(parse_ijson(nested(3), 3).ok());
  EXPECT_EQ(error_of("{\"a\":{\"b\":[]}}", 2), "arrays and objects nested more than 2 deep");
}

}  // namespace
}  // namespace postamt::jmap
