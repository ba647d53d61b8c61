#include "base/base64.h"

#include <gtest/gtest.h>

namespace postamt {

TEST(Base64, Rfc4648Vectors) {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(base64::encode(plain[i]), coded[i]);
    EXPECT_EQ(base64::decode(coded[i]), std::string(plain[i]));
    EXPECT_EQ(base64::decode_lenient(coded[i]), plain[i]);
  }
}

TEST(Base64, StrictRejects) {
  EXPECT_EQ(base64::decode("Zg="), std::nullopt);       // bad length
  EXPECT_EQ(base64::decode("Zh=="), std::nullopt);      // non-canonical bits
  EXPECT_EQ(base64::decode("Zm9v\r\n"), std::nullopt);  // whitespace
  EXPECT_EQ(base64::decode("Z=9v"), std::nullopt);      // padding inside
  EXPECT_EQ(base64::decode("AGFsaWNlAHNlY3JldA=="), std::string("\0alice\0secret", 13));
}

TEST(Base64, LenientSkipsNoise) {
  EXPECT_EQ(base64::decode_lenient("Zm9v\r\nYmFy\r\n"), "foobar");
  EXPECT_EQ(base64::decode_lenient("Zm 9v*Yg=="), "foob");
}

}  // namespace postamt
