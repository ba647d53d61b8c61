// Case folding and decoded part text for searching (mime/text_search.h).
#include "mime/text_search.h"

#include <random>

#include <gtest/gtest.h>

namespace postamt::mime {
namespace {

TEST(FoldCase, AsciiAndUnicodeSimpleFolding) {
  EXPECT_EQ(fold_case("Hello WORLD 42"), "hello world 42");
  EXPECT_EQ(fold_case("\xC3\x89T\xC3\x89"), "\xC3\xA9t\xC3\xA9");                // ÉTÉ -> été
  EXPECT_EQ(fold_case("\xCE\xA3\xCE\x9F\xCE\xA6"), "\xCF\x83\xCE\xBF\xCF\x86");  // ΣΟΦ -> σοφ
  EXPECT_EQ(fold_case("\xE2\x84\xAA"), "k");                                     // Kelvin sign
  EXPECT_EQ(fold_case("\xC3\x9F"), "\xC3\x9F");  // ß: only full folding gives "ss"
  EXPECT_EQ(fold_case("a\xFF"
                      "b"),
            "a\xEF\xBF\xBD"
            "b");  // ill-formed -> U+FFFD
}

TEST(FoldCase, ContainsFolded) {
  EXPECT_TRUE(contains_folded("Caf\xC3\x89 Noir", fold_case("caf\xC3\xA9")));
  EXPECT_TRUE(contains_folded("anything", ""));
  EXPECT_TRUE(contains_folded("", ""));
  EXPECT_FALSE(contains_folded("Cafe", fold_case("caf\xC3\xA9")));
  EXPECT_FALSE(contains_folded("ab", "abc"));
}

// An ASCII haystack is searched in place; the answers must equal folding a copy.
TEST(FoldCase, ContainsFoldedAsciiHaystack) {
  EXPECT_TRUE(contains_folded("Lunch PLANS today", fold_case("plans")));
  EXPECT_TRUE(contains_folded("PLANS", "plans"));
  EXPECT_TRUE(contains_folded("xx[Plans]", "[plans]"));
  EXPECT_TRUE(contains_folded("abcabd", "abd"));
  EXPECT_FALSE(contains_folded("Lunch plan", "plans"));
  EXPECT_FALSE(contains_folded("a@b", "a`b"));  // '@' and '`' differ by 0x20 but do not fold
  EXPECT_FALSE(contains_folded("[Z]", "[z\x7B"));
  EXPECT_FALSE(contains_folded("Cafe", fold_case("caf\xC3\xA9")));  // non-ASCII needle
  // Non-ASCII haystacks still fold every character: KELVIN SIGN folds to 'k'.
  EXPECT_TRUE(
      contains_folded("\xE2\x84\xAA"
                      "elvin",
                      "kelvin"));
  // Needles longer than the skip table's 255 cap, and as long as the haystack.
  std::string long_text(300, 'a');
  long_text += "Needle";
  std::string long_needle(299, 'a');
  long_needle += "aneedle";
  EXPECT_TRUE(contains_folded(long_text, long_needle));
  EXPECT_FALSE(contains_folded(long_text, long_needle + "x"));
  EXPECT_TRUE(contains_folded("ABC", "abc"));
  EXPECT_FALSE(contains_folded("ABD", "abc"));
  // Many random ASCII texts and needles over a small alphabet, against a folded copy.
  std::mt19937 random(7);
  const std::string alphabet = "aAbB @`[{zZ";
  auto text_of = [&](size_t n) {
    std::string t;
    for (size_t i = 0; i < n; ++i) t += alphabet[random() % alphabet.size()];
    return t;
  };
  for (int round = 0; round < 2000; ++round) {
    std::string hay = text_of(random() % 40);
    std::string needle = fold_case(text_of(1 + random() % 4));
    ASSERT_EQ(contains_folded(hay, needle), fold_case(hay).find(needle) != std::string::npos)
        << hay << " / " << needle;
  }
  for (std::string_view hay : {"Hello World", "HELLO", "say hello", "h", "", "0123456789"}) {
    for (std::string_view needle : {"hello", "o w", "l", "9", "xyz", "hello world!"}) {
      EXPECT_EQ(contains_folded(hay, needle), fold_case(hay).find(needle) != std::string::npos)
          << hay << " / " << needle;
    }
  }
}

TEST(DecodedText, EncodingsAndCharsets) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\nd=E9j=E0 vu=\r\n!\r\n"
      "--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n"
      "--b\r\nContent-Type: message/rfc822\r\n\r\n"
      "Subject: inner\r\nContent-Type: text/html; charset=utf-8\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nPGI+w6k8L2I+\r\n"
      "--b--\r\n";
  Message m = parse(raw);
  auto parts = text_parts(m);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(decoded_text(m, m.part(parts[0])), "d\xC3\xA9j\xC3\xA0 vu!");
  EXPECT_EQ(decoded_text(m, m.part(parts[1])), "<b>\xC3\xA9</b>");
}

TEST(DecodedText, SinglePartDefaultsAndUnknownCharset) {
  Message plain = parse("Subject: x\r\n\r\nbody text\r\n");
  ASSERT_EQ(text_parts(plain), std::vector<uint32_t>{0});
  EXPECT_EQ(decoded_text(plain, plain.root()), "body text\r\n");
  Message odd = parse("Content-Type: text/plain; charset=x-nonsense\r\n\r\n\xE9\r\n");
  EXPECT_EQ(decoded_text(odd, odd.root()), "\xE9\r\n");
}

}  // namespace
}  // namespace postamt::mime
