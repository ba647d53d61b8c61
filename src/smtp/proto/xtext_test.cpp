#include "smtp/proto/xtext.h"

#include <gtest/gtest.h>

namespace postamt::smtp::proto {
namespace {

TEST(Xtext, EncodesPlusEqualsSpaceControlAndNonAscii) {
  EXPECT_EQ(xtext_encode("e=mc2@example.com"), "e+3Dmc2@example.com");  // RFC 4954 §5
  EXPECT_EQ(xtext_encode("a+b c"), "a+2Bb+20c");
  EXPECT_EQ(xtext_encode(std::string("\x00\x7f\xc3\xa4", 4)), "+00+7F+C3+A4");
  EXPECT_EQ(xtext_encode("!~"), "!~");
  EXPECT_EQ(xtext_encode(""), "");
}

TEST(Xtext, DecodesHexchars) {
  EXPECT_EQ(xtext_decode("e+3Dmc2@example.com"), "e=mc2@example.com");
  EXPECT_EQ(xtext_decode("+41"), "A");
  EXPECT_EQ(xtext_decode(""), "");
}

TEST(Xtext, RejectsMalformed) {
  EXPECT_EQ(xtext_decode("+3d"), std::nullopt);  // lower-case hex
  EXPECT_EQ(xtext_decode("+3"), std::nullopt);
  EXPECT_EQ(xtext_decode("a+"), std::nullopt);
  EXPECT_EQ(xtext_decode("a b"), std::nullopt);
  EXPECT_EQ(xtext_decode("a=b"), std::nullopt);
  EXPECT_EQ(xtext_decode("\xc3\xa4"), std::nullopt);
  EXPECT_EQ(xtext_decode("+G0"), std::nullopt);
}

TEST(Xtext, RoundTripsEveryOctet) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(xtext_decode(xtext_encode(all)), all);
}

}  // namespace
}  // namespace postamt::smtp::proto
