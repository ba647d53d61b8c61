#include "mailauth/dkim/canon.h"

#include <gtest/gtest.h>

namespace postamt::dkim {
namespace {

// RFC 6376 §3.4.5, Example 1 (the message is the same for all three examples).
constexpr std::string_view kExample =
    "A: X\r\n"
    "B : Y\t\r\n"
    "\tZ  \r\n"
    "\r\n"
    " C \r\n"
    "D \t E\r\n"
    "\r\n"
    "\r\n";

TEST(DkimCanon, SplitsTheHeaderOfTheRfcExample) {
  auto fields = split_header(kExample);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].name, "A");
  EXPECT_EQ(fields[0].raw, "A: X\r\n");
  EXPECT_EQ(fields[1].name, "B");
  EXPECT_EQ(fields[1].raw, "B : Y\t\r\n\tZ  \r\n");
  EXPECT_EQ(body_of(kExample), " C \r\nD \t E\r\n\r\n\r\n");
}

TEST(DkimCanon, Rfc6376Example1Relaxed) {
  auto fields = split_header(kExample);
  EXPECT_EQ(canonicalize_header(fields[0].raw, Canon::relaxed), "a:X\r\n");
  EXPECT_EQ(canonicalize_header(fields[1].raw, Canon::relaxed), "b:Y Z\r\n");
  EXPECT_EQ(canonicalize_body(body_of(kExample), Canon::relaxed), " C\r\nD E\r\n");
}

TEST(DkimCanon, Rfc6376Example2Simple) {
  auto fields = split_header(kExample);
  EXPECT_EQ(canonicalize_header(fields[0].raw, Canon::simple), "A: X\r\n");
  EXPECT_EQ(canonicalize_header(fields[1].raw, Canon::simple), "B : Y\t\r\n\tZ  \r\n");
  EXPECT_EQ(canonicalize_body(body_of(kExample), Canon::simple), " C \r\nD \t E\r\n");
}

TEST(DkimCanon, EmptyBodies) {
  // §3.4.3: an empty body is one CRLF under simple; §3.4.4: empty under relaxed.
  EXPECT_EQ(canonicalize_body("", Canon::simple), "\r\n");
  EXPECT_EQ(canonicalize_body("", Canon::relaxed), "");
  EXPECT_EQ(canonicalize_body("\r\n\r\n", Canon::simple), "\r\n");
  EXPECT_EQ(canonicalize_body("\r\n \t\r\n", Canon::relaxed), "");
  EXPECT_EQ(canonicalize_body(" \t\r\n", Canon::simple), " \t\r\n");
}

TEST(DkimCanon, MissingFinalCrlfIsAdded) {
  EXPECT_EQ(canonicalize_body("abc", Canon::simple), "abc\r\n");
  EXPECT_EQ(canonicalize_body("abc  ", Canon::relaxed), "abc\r\n");
  EXPECT_EQ(canonicalize_body("a\r\n\r\nb", Canon::relaxed), "a\r\n\r\nb\r\n");
}

TEST(DkimCanon, InnerEmptyLinesStay) {
  EXPECT_EQ(canonicalize_body("a\r\n\r\n\r\nb\r\n\r\n", Canon::simple), "a\r\n\r\n\r\nb\r\n");
}

TEST(DkimCanon, BareLfIsAnOrdinaryByte) {
  EXPECT_EQ(canonicalize_body("a\nb\r\n", Canon::simple), "a\nb\r\n");
}

TEST(DkimCanon, RelaxedHeaderDetails) {
  EXPECT_EQ(canonicalize_header("SUBJECT:\t hello   world \t\r\n", Canon::relaxed),
            "subject:hello world\r\n");
  EXPECT_EQ(canonicalize_header("Subject:\r\n folded\r\n", Canon::relaxed), "subject:folded\r\n");
  EXPECT_EQ(canonicalize_header("X-Empty:\r\n", Canon::relaxed), "x-empty:\r\n");
  EXPECT_EQ(canonicalize_header("X-Empty:   \r\n", Canon::relaxed), "x-empty:\r\n");
  // Without a final CRLF (the signature field itself when the caller cuts it).
  EXPECT_EQ(canonicalize_header("To: a", Canon::relaxed), "to:a\r\n");
  EXPECT_EQ(canonicalize_header("To: a", Canon::simple), "To: a\r\n");
}

TEST(DkimCanon, SplitHeaderWithoutBody) {
  constexpr std::string_view m = "A: 1\r\nB: 2";
  auto fields = split_header(m);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[1].raw, "B: 2");
  EXPECT_EQ(body_of(m), "");
  EXPECT_EQ(body_of("\r\nonly body"), "only body");
  EXPECT_TRUE(split_header("\r\nonly body").empty());
}

TEST(DkimCanon, LinesWithoutColonHaveNoName) {
  auto fields = split_header("garbage line\r\nA: 1\r\n\r\n");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].name, "");
  EXPECT_EQ(fields[1].name, "A");
}

}  // namespace
}  // namespace postamt::dkim
