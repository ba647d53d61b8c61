#include "mime/line_endings.h"

#include <gtest/gtest.h>

namespace postamt::mime {
namespace {

TEST(LineEndings, BareLfBecomesCrlfAndTheRestStays) {
  EXPECT_EQ(to_crlf("a\nb\r\nc\rd\n\n"), "a\r\nb\r\nc\rd\r\n\r\n");
  EXPECT_EQ(to_crlf(""), "");
  EXPECT_EQ(to_crlf("\n"), "\r\n");
  EXPECT_EQ(to_crlf("no line end"), "no line end");
  EXPECT_TRUE(has_bare_lf("a\r\nb\n"));
  EXPECT_TRUE(has_bare_lf("\n"));
  EXPECT_FALSE(has_bare_lf("a\r\nb\r\n"));
  EXPECT_FALSE(has_bare_lf("a\rb"));
}

// A piece may end between CR and LF, or right before a bare LF: every split gives the
// same bytes as the whole.
TEST(LineEndings, PiecesGiveTheSameBytesAsTheWhole) {
  const std::string input = "Subject: x\r\nFrom: y\n\nbody\r\r\nlast\n";
  const std::string whole = to_crlf(input);
  for (size_t piece : {1u, 2u, 3u, 7u}) {
    CrlfConverter converter;
    std::string out;
    for (size_t at = 0; at < input.size(); at += piece)
      converter.feed(std::string_view(input).substr(at, piece), out);
    EXPECT_EQ(out, whole) << piece;
    EXPECT_EQ(converter.converted(), 3u);
  }
}

}  // namespace
}  // namespace postamt::mime
