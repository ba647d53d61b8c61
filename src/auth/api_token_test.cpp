#include "auth/api_token.h"

#include <gtest/gtest.h>

namespace postamt::auth {
namespace {

TEST(ApiToken, FreshTokensHaveTheDocumentedShapeAndDiffer) {
  std::string a = new_api_token();
  std::string b = new_api_token();
  EXPECT_EQ(a.size(), 4u + 43u);
  EXPECT_TRUE(a.starts_with("pat_"));
  EXPECT_TRUE(looks_like_api_token(a));
  EXPECT_NE(a, b);
}

TEST(ApiToken, HashIsHexSha256OfTheWholeToken) {
  // SHA-256("abc") from FIPS 180-2 appendix B.1.
  EXPECT_EQ(api_token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiToken, ShapeCheckRefusesNearMisses) {
  std::string good = "pat_" + std::string(43, 'A');
  EXPECT_TRUE(looks_like_api_token(good));
  EXPECT_FALSE(looks_like_api_token("pat_" + std::string(42, 'A')));
  EXPECT_FALSE(looks_like_api_token("pat_" + std::string(44, 'A')));
  EXPECT_FALSE(looks_like_api_token("tok_" + std::string(43, 'A')));
  EXPECT_FALSE(looks_like_api_token("pat_" + std::string(42, 'A') + "="));
  EXPECT_FALSE(looks_like_api_token(""));
}

}  // namespace
}  // namespace postamt::auth
