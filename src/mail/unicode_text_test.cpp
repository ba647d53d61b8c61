#include "mail/unicode_text.h"

#include <gtest/gtest.h>

#include <string>

namespace postamt::mail {
namespace {

using namespace std::string_literals;

TEST(UnicodeText, WellFormedUtf8) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("Entw\xC3\xBCrfe"));
  EXPECT_TRUE(is_utf8("\xF0\x9F\x93\xAC"));   // U+1F4EC
  EXPECT_FALSE(is_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_utf8("\xC0\xAF"));          // overlong "/"
  EXPECT_FALSE(is_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_utf8("a\xFF"));
}

TEST(UnicodeText, ControlCharacters) {
  EXPECT_FALSE(has_control_character("alice@example.org \xC2\xA0x"));  // U+00A0 is not one
  for (const std::string& text :
       {"\x01"s, "a\x1B[2J"s, "a\x7F"s, "\0"s, "a\xC2\x80"s, "\xC2\x85"s, "\xC2\x9F"s}) {
    EXPECT_TRUE(has_control_character(text)) << testing::PrintToString(text);
  }
}

// RFC 5198 §2: "u" + U+0308 COMBINING DIAERESIS is U+00FC in NFC; Hangul jamo compose.
TEST(UnicodeText, Nfc) {
  EXPECT_EQ(*to_nfc("Entwu\xCC\x88rfe"), "Entw\xC3\xBCrfe");
  EXPECT_EQ(*to_nfc("Entw\xC3\xBCrfe"), "Entw\xC3\xBCrfe");
  EXPECT_EQ(*to_nfc("\xE1\x84\x80\xE1\x85\xA1"), "\xEA\xB0\x80");  // U+1100 U+1161 -> U+AC00
  EXPECT_EQ(*to_nfc("\xE2\x84\xAB"), "\xC3\x85");                  // ANGSTROM SIGN -> U+00C5
  EXPECT_EQ(*to_nfc(""), "");
}

}  // namespace
}  // namespace postamt::mail
