#include "pop3/proto/message.h"

#include <gtest/gtest.h>

#include "pop3/proto/response.h"

namespace postamt::pop3::proto {
namespace {

struct Case {
  const char* name;
  std::string stored;
  std::string payload;
};

std::vector<Case> cases() {
  return {
      {"crlf", "Subject: a\r\n\r\nbody\r\n", "Subject: a\r\n\r\nbody\r\n"},
      {"bare_lf", "Subject: a\n\nbody\n", "Subject: a\r\n\r\nbody\r\n"},
      {"mixed", "Subject: a\r\n\nline1\nline2\r\n", "Subject: a\r\n\r\nline1\r\nline2\r\n"},
      {"no_final_eol", "Subject: a\n\nlast", "Subject: a\r\n\r\nlast\r\n"},
      {"no_final_eol_crlf", "Subject: a\r\n\r\nlast", "Subject: a\r\n\r\nlast\r\n"},
      {"lone_cr_is_content", "a\rb\n", "a\rb\r\n"},
      {"trailing_cr", "a\r", "a\r\r\n"},
      {"empty", "", ""},
      {"only_newlines", "\n\r\n\n", "\r\n\r\n\r\n"},
      {"dots", ".\n..\n", ".\r\n..\r\n"},
  };
}

TEST(Pop3Message, PayloadAndSize) {
  for (const auto& c : cases()) {
    EXPECT_EQ(message_payload(c.stored), c.payload) << c.name;
    EXPECT_EQ(message_octets(c.stored), c.payload.size()) << c.name;
    EXPECT_EQ(message_octets(c.stored), message_payload(c.stored).size()) << c.name;
  }
}

TEST(Pop3Message, SizeIsBeforeStuffing) {
  std::string stored = ".a\n.\n";
  EXPECT_EQ(message_octets(stored), 7u);  // ".a\r\n.\r\n"
  EXPECT_EQ(multiline_payload("", message_payload(stored)), "+OK\r\n..a\r\n..\r\n.\r\n");
}

// Every piece RetrEncoder hands out with pieces of at most `max_octets`.
std::vector<std::string> retr_pieces(std::string_view stored, size_t max_octets) {
  RetrEncoder encoder(stored);
  std::vector<std::string> pieces;
  while (!encoder.done()) {
    std::string piece;
    encoder.append_next(piece, max_octets);
    pieces.push_back(std::move(piece));
  }
  return pieces;
}

std::string joined(const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += p;
  return out;
}

// RETR's one-pass encoder gives exactly the bytes of the two-step reference
// (canonical payload, then dot-stuffing and terminator), whatever the piece size.
TEST(Pop3Message, RetrEncoderMatchesPayloadThenStuffingForEveryPieceSize) {
  auto all = cases();
  all.push_back({"dot_lines", ".\r\n..\n.x\r\n\r\n.", ""});
  all.push_back({"dot_after_lone_cr", "a\r.b\n.\r", ""});
  for (const auto& c : all) {
    std::string expected = multiline_payload("", message_payload(c.stored)).substr(5);
    for (size_t max = 1; max <= expected.size() + 1; ++max) {
      auto pieces = retr_pieces(c.stored, max);
      EXPECT_EQ(joined(pieces), expected) << c.name << " max " << max;
      for (size_t i = 0; i < pieces.size(); ++i) {
        EXPECT_LE(pieces[i].size(), max) << c.name;
        // Only the last piece may be short: the encoder fills each piece.
        if (i + 1 < pieces.size()) {
          EXPECT_EQ(pieces[i].size(), max) << c.name;
        }
      }
    }
  }
  EXPECT_EQ(retr_pieces("", 10), (std::vector<std::string>{".\r\n"}));
}

// Piece boundaries inside a CRLF pair, right after a "." line's stuffed dots, before a
// lone CR, inside the terminator, and a last line without line end (RFC 1939 §3, §11).
TEST(Pop3Message, RetrEncoderPieceBoundaries) {
  std::string stored = "ab\r\n.\r\nc\rd\nend";
  EXPECT_EQ(retr_pieces(stored, 3),
            (std::vector<std::string>{"ab\r", "\n..", "\r\nc", "\rd\r", "\nen", "d\r\n", ".\r\n"}));
  EXPECT_EQ(retr_pieces(stored, 2),
            (std::vector<std::string>{"ab", "\r\n", "..", "\r\n", "c\r", "d\r", "\ne", "nd", "\r\n",
                                      ".\r", "\n"}));
  // The stuffed dot and the line's own dot in different pieces.
  EXPECT_EQ(retr_pieces(".x\n", 1),
            (std::vector<std::string>{".", ".", "x", "\r", "\n", ".", "\r", "\n"}));
}

// A message larger than a piece: each piece is full, nothing is lost at the seams.
TEST(Pop3Message, RetrEncoderLargeMessage) {
  std::string stored;
  for (int i = 0; i < 20000; ++i) stored += i % 7 == 0 ? ".dotted line\n" : "an ordinary line\r\n";
  std::string expected = multiline_payload("", message_payload(stored)).substr(5);
  auto pieces = retr_pieces(stored, 64 * 1024);
  ASSERT_EQ(pieces.size(), (expected.size() + 64 * 1024 - 1) / (64 * 1024));
  EXPECT_EQ(joined(pieces), expected);
}

TEST(Pop3Message, TopHeadersBlankLineAndNBodyLines) {
  std::string stored = "From: a\nSubject: s\n\nl1\nl2\r\nl3\n";
  EXPECT_EQ(top_payload(stored, 0), "From: a\r\nSubject: s\r\n\r\n");
  EXPECT_EQ(top_payload(stored, 2), "From: a\r\nSubject: s\r\n\r\nl1\r\nl2\r\n");
  EXPECT_EQ(top_payload(stored, 3), message_payload(stored));
  EXPECT_EQ(top_payload(stored, 1000), message_payload(stored));
}

TEST(Pop3Message, TopEdgeCases) {
  // No empty line: the whole message is header.
  EXPECT_EQ(top_payload("A: 1\nB: 2", 0), "A: 1\r\nB: 2\r\n");
  // Empty lines inside the body count as body lines.
  EXPECT_EQ(top_payload("A: 1\n\n\n\nx\n", 2), "A: 1\r\n\r\n\r\n\r\n");
  // Final body line without EOL gets its CRLF.
  EXPECT_EQ(top_payload("A: 1\n\nlast", 5), "A: 1\r\n\r\nlast\r\n");
  EXPECT_EQ(top_payload("", 3), "");
}

}  // namespace
}  // namespace postamt::pop3::proto
