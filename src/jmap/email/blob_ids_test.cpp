#include "jmap/email/blob_ids.h"

#include <gtest/gtest.h>

namespace postamt::jmap {
namespace {

const std::string kHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

BlobRef ref() {
  return *BlobRef::parse(kHex);
}

TEST(BlobIds, WholeBlobRoundTrips) {
  EXPECT_EQ(blob_id(ref()), "B" + kHex);
  auto parsed = parse_blob_id("B" + kHex);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->blob, ref());
  EXPECT_EQ(parsed->part_id, "");
}

TEST(BlobIds, PartRoundTrips) {
  for (std::string part : {"1", "2.1", "10.2.33", "1.1.1.1.1"}) {
    std::string id = part_blob_id(ref(), part);
    auto parsed = parse_blob_id(id);
    ASSERT_TRUE(parsed) << id;
    EXPECT_EQ(parsed->blob, ref());
    EXPECT_EQ(parsed->part_id, part);
  }
  EXPECT_EQ(part_blob_id(ref(), "2.10.3"), "B" + kHex + "_2-10-3");
}

TEST(BlobIds, IdsUseOnlyJmapIdCharacters) {
  std::string id = part_blob_id(ref(), "3.2.1");
  for (char c : id)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << id;
}

TEST(BlobIds, Rejects) {
  EXPECT_FALSE(parse_blob_id(""));
  EXPECT_FALSE(parse_blob_id("B"));
  EXPECT_FALSE(parse_blob_id(kHex));                                   // no "B"
  EXPECT_FALSE(parse_blob_id("b" + kHex));                             // lower-case prefix
  EXPECT_FALSE(parse_blob_id("B" + kHex.substr(1)));                   // 63 digits
  EXPECT_FALSE(parse_blob_id("B" + kHex + "0"));                       // 65 digits
  EXPECT_FALSE(parse_blob_id("B0123456789ABCDEF" + kHex.substr(16)));  // upper-case hex
  EXPECT_FALSE(parse_blob_id("B" + kHex + "_"));
  EXPECT_FALSE(parse_blob_id("B" + kHex + "_0"));
  EXPECT_FALSE(parse_blob_id("B" + kHex + "_01"));
  EXPECT_FALSE(parse_blob_id("B" + kHex + "_1-"));
  EXPECT_FALSE(parse_blob_id("B" + kHex + "_-1"));
  EXPECT_FALSE(parse_blob_id("B" + kHex + "_1--2"));
  EXPECT_FALSE(parse_blob_id("B" + kHex + "_1.2"));
  EXPECT_FALSE(parse_blob_id("B" + kHex + "_1a"));
  EXPECT_FALSE(parse_blob_id("B" + kHex + "-1"));
  EXPECT_FALSE(parse_blob_id("B" + kHex + "_" + std::string(200, '1')));  // over 255 / huge
}

TEST(BlobIds, PartIdSyntax) {
  EXPECT_TRUE(is_valid_part_id("1"));
  EXPECT_TRUE(is_valid_part_id("12.3"));
  EXPECT_FALSE(is_valid_part_id(""));
  EXPECT_FALSE(is_valid_part_id("0"));
  EXPECT_FALSE(is_valid_part_id("1."));
  EXPECT_FALSE(is_valid_part_id(".1"));
  EXPECT_FALSE(is_valid_part_id("1..2"));
  EXPECT_FALSE(is_valid_part_id("1234567890"));  // a number past uint32
}

}  // namespace
}  // namespace postamt::jmap
