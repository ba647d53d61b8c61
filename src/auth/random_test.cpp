#include "auth/random.h"

#include <gtest/gtest.h>

namespace postamt::auth {
namespace {

TEST(RandomHex, LengthAlphabetAndNoRepeats) {
  std::string a = random_hex(16);
  std::string b = random_hex(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
  EXPECT_EQ(random_hex(0), "");
}

}  // namespace
}  // namespace postamt::auth
