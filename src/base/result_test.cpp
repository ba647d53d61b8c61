#include "base/result.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>

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

// A codec's own error type: the same Result, with E that carries what the protocol needs.
enum class SyntaxKind { unknown_verb, bad_argument };
struct SyntaxError {
  SyntaxKind kind = SyntaxKind::bad_argument;
  std::string detail;
};
struct Verb {
  std::string name;
};

Result<Verb, SyntaxError> parse_verb(std::string_view text) {
  if (text.empty()) return {SyntaxKind::bad_argument, "empty"};
  if (text != "NOOP") return SyntaxError{SyntaxKind::unknown_verb, std::string(text)};
  return Verb{std::string(text)};
}

Result<std::string, SyntaxError> verb_name(std::string_view text) {
  auto verb = parse_verb(text);
  POSTAMT_TRY(verb);
  return verb->name;
}

TEST(Result, OwnErrorType) {
  EXPECT_EQ(*verb_name("NOOP"), "NOOP");
  auto unknown = verb_name("HELO");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, SyntaxKind::unknown_verb);
  EXPECT_EQ(unknown.error().detail, "HELO");
  auto empty = parse_verb("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, SyntaxKind::bad_argument);
  EXPECT_EQ(empty.error().detail, "empty");
  Result<void, SyntaxError> failed(SyntaxKind::unknown_verb, "x");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().detail, "x");
}

// A value of a type T is built from converts without naming T.
TEST(Result, ConvertsFromWhatTheValueIsBuiltFrom) {
  Result<std::string> text = "literal";
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "literal");
  Result<std::variant<int, std::string>> either = std::string("s");
  ASSERT_TRUE(either);
  EXPECT_EQ(std::get<std::string>(*either), "s");
}

TEST(ResultDeathTest, WrongAccessAborts) {
  Result<int> r(ErrorKind::invalid, "x");
  EXPECT_DEATH((void)r.value(), "");
}

}  // namespace postamt
