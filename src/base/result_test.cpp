#include "base/result.h"

#include <gtest/gtest.h>

namespace postamt {
namespace {
Result<int> half(int v) {
  if (v % 2) return Error{ErrorKind::invalid, "odd"};
  return v / 2;
}
Result<int> quarter(int v) {
  auto h = half(v);
  POSTAMT_TRY(h);
  return half(*h);
}
}  // namespace

TEST(Result, ValueAndError) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(r.error().message, "odd");
  EXPECT_EQ(to_string(ErrorKind::not_found), "not-found");
}

TEST(Result, VoidResult) {
  Result<void> ok;
  EXPECT_TRUE(ok);
  Result<void> bad(ErrorKind::io, "fsync failed");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::io);
}

TEST(ResultDeathTest, WrongAccessAborts) {
  Result<int> r(ErrorKind::invalid, "x");
  EXPECT_DEATH((void)r.value(), "");
}

}  // namespace postamt
