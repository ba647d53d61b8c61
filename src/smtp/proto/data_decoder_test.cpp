#include "smtp/proto/data_decoder.h"

#include <gtest/gtest.h>

namespace postamt::smtp::proto {
namespace {

struct Decoded {
  std::string body;
  size_t consumed = 0;  // total input octets consumed
  bool done = false;
  uint64_t octets = 0;
  bool too_large = false;
  bool line_too_long = false;
  uint64_t bare_cr = 0;
  uint64_t bare_lf = 0;
  std::optional<Reply> rejection;

  bool operator==(const Decoded&) const = default;
};

// Feeds `input` in pieces of `chunk` octets (0 = whole), the way the session will.
Decoded decode(std::string_view input, size_t chunk, DataDecoderOptions options = {}) {
  DataDecoder d(options);
  Decoded out;
  size_t pos = 0;
  while (pos < input.size() && !d.done()) {
    size_t n = chunk == 0 ? input.size() - pos : std::min(chunk, input.size() - pos);
    size_t used = d.feed(input.substr(pos, n), out.body);
    EXPECT_LE(used, n);
    if (!d.done()) {
      EXPECT_EQ(used, n);
    }
    out.consumed += used;
    pos += n;
  }
  out.done = d.done();
  out.octets = d.message_octets();
  out.too_large = d.too_large();
  out.line_too_long = d.line_too_long();
  out.bare_cr = d.bare_cr_count();
  out.bare_lf = d.bare_lf_count();
  if (d.done()) out.rejection = data_rejection(d);
  return out;
}

// Decodes in every chunking and checks they agree; returns the whole-input result.
Decoded decode_all_ways(std::string_view input, DataDecoderOptions options = {}) {
  Decoded whole = decode(input, 0, options);
  for (size_t chunk : {1u, 2u, 7u}) {
    EXPECT_EQ(decode(input, chunk, options), whole) << "chunk " << chunk;
  }
  return whole;
}

TEST(DataDecoder, SimpleMessageAndPipelinedRest) {
  std::string input = "Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n";
  Decoded d = decode_all_ways(input);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "Subject: hi\r\n\r\nbody\r\n");
  EXPECT_EQ(d.consumed, input.size() - 6);
  EXPECT_EQ(d.octets, d.body.size());
  EXPECT_EQ(d.rejection, std::nullopt);
}

TEST(DataDecoder, EmptyMessage) {
  Decoded d = decode_all_ways(".\r\n");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "");
  EXPECT_EQ(d.consumed, 3u);
}

TEST(DataDecoder, FeedAfterDoneConsumesNothing) {
  DataDecoder d({});
  std::string out;
  EXPECT_EQ(d.feed(".\r\nMAIL", out), 3u);
  EXPECT_EQ(d.feed("MAIL FROM:<>\r\n", out), 0u);
  EXPECT_EQ(out, "");
}

TEST(DataDecoder, DotUnstuffing) {
  Decoded d = decode_all_ways("..\r\n..leading\r\n.x\r\nmid.dle\r\n...\r\n.\r\n");
  EXPECT_EQ(d.body, ".\r\n.leading\r\nx\r\nmid.dle\r\n..\r\n");
  EXPECT_TRUE(d.done);
}

TEST(DataDecoder, UnstuffThenStuffRoundTrip) {
  // What a client sends for body lines ".", "..", ".a", "" and "b.".
  std::string original = ".\r\n..\r\n.a\r\n\r\nb.\r\n";
  std::string stuffed;
  bool line_start = true;
  for (char c : original) {
    if (line_start && c == '.') stuffed.push_back('.');
    stuffed.push_back(c);
    line_start = c == '\n';
  }
  Decoded d = decode_all_ways(stuffed + ".\r\n");
  EXPECT_EQ(d.body, original);
}

TEST(DataDecoder, OnlyCrLfDotCrLfEnds) {
  // Each of these is content; none may end the data (SMTP smuggling).
  for (const char* smuggle :
       {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\n.\r", "\r\n.\r", "\r\n.\r\r\n"}) {
    std::string input = std::string("a") + smuggle + "MAIL FROM:<x@y>";
    Decoded d = decode_all_ways(input);
    EXPECT_FALSE(d.done) << testing::PrintToString(smuggle);
    EXPECT_EQ(d.consumed, input.size());
    EXPECT_GT(d.bare_cr + d.bare_lf, 0u) << testing::PrintToString(smuggle);
  }
}

TEST(DataDecoder, SmugglingBytesKeptAsContentUnderReject) {
  // "\n.\n" does not end and does not start a line: the dot is not unstuffed.
  Decoded d = decode_all_ways("a\n.\nb\r\n.\r\n");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "a\n.\nb\r\n");
  EXPECT_EQ(d.bare_lf, 2u);
  EXPECT_EQ(d.bare_cr, 0u);
  ASSERT_TRUE(d.rejection);
  EXPECT_EQ(encode_reply(*d.rejection), "550 5.6.0 Message contains bare CR or LF\r\n");
}

TEST(DataDecoder, NormalizeTurnsBareEndsIntoCrLf) {
  DataDecoderOptions o;
  o.bare_line_ends = BareLineEnds::normalize;
  Decoded d = decode_all_ways("a\nb\rc\r\r\nd\n.\r\ne\r\n.\r\n", o);
  EXPECT_TRUE(d.done);
  // "\n.\r\n" after a bare LF is not a line start: the dot stays as content.
  EXPECT_EQ(d.body, "a\r\nb\r\nc\r\n\r\nd\r\n.\r\ne\r\n");
  EXPECT_EQ(d.bare_lf, 2u);
  EXPECT_EQ(d.bare_cr, 2u);
  EXPECT_EQ(d.rejection, std::nullopt);
}

// What Python's smtplib sends for an LF-only message: a dot stuffed after every LF, and
// "\r\n.\r\n" at the end. Normalised, the stuffing is undone as after a CRLF.
TEST(DataDecoder, NormalizeUnstuffsAfterABareLineEnd) {
  DataDecoderOptions o;
  o.bare_line_ends = BareLineEnds::normalize;
  Decoded d = decode_all_ways("Subject: s\n\n..hidden\n..\nlast\r\n.\r\n", o);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "Subject: s\r\n\r\n.hidden\r\n.\r\nlast\r\n");
  EXPECT_EQ(d.bare_lf, 4u);
  EXPECT_EQ(d.rejection, std::nullopt);
}

TEST(DataDecoder, NormalizeStillEndsOnlyAtCrLfDotCrLf) {
  DataDecoderOptions o;
  o.bare_line_ends = BareLineEnds::normalize;
  for (const char* smuggle :
       {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\n.\r", "\r\n.\r", "\r\n.\r\r\n"}) {
    std::string input = std::string("a") + smuggle + "MAIL FROM:<x@y>";
    Decoded d = decode_all_ways(input, o);
    EXPECT_FALSE(d.done) << testing::PrintToString(smuggle);
    EXPECT_EQ(d.consumed, input.size());
  }
  // The lone dots are kept, each on a line of its own, after a real CRLF too.
  Decoded d = decode_all_ways("a\n.\nb\r.\r\n.\nc\r\n.\rd\r\n.\r\n", o);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "a\r\n.\r\nb\r\n.\r\n.\r\nc\r\n.\r\nd\r\n");
}

TEST(DataDecoder, NulOctetsAreRefused) {
  for (BareLineEnds policy : {BareLineEnds::reject, BareLineEnds::normalize}) {
    DataDecoder d({0, kMaxTextLineOctets, policy});
    std::string out;
    d.feed(std::string("a\0b\r\n\0\0\r\n.\r\n", 12), out);
    ASSERT_TRUE(d.done());
    EXPECT_EQ(d.nul_count(), 3u);
    auto rejection = data_rejection(d);
    ASSERT_TRUE(rejection);
    EXPECT_EQ(encode_reply(*rejection), "550 5.6.0 Message contains NUL octets\r\n");
  }
}

TEST(DataDecoder, DotCrThenOtherIsStuffingPlusBareCr) {
  Decoded d = decode_all_ways("x\r\n.\rY\r\n.\r\n");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "x\r\n\rY\r\n");
  EXPECT_EQ(d.bare_cr, 1u);
}

TEST(DataDecoder, SizeLimitStopsStoringButFindsTheEnd) {
  DataDecoderOptions o;
  o.max_message_octets = 10;
  Decoded d = decode_all_ways("0123456789\r\nmore\r\n.\r\nRSET\r\n", o);
  EXPECT_TRUE(d.done);
  EXPECT_TRUE(d.too_large);
  EXPECT_EQ(d.octets, 18u);
  EXPECT_EQ(d.body, "0123456789");
  EXPECT_EQ(d.consumed, 21u);
  ASSERT_TRUE(d.rejection);
  EXPECT_EQ(encode_reply(*d.rejection), "552 5.3.4 Message size exceeds fixed maximum\r\n");

  Decoded exact = decode_all_ways("01234567\r\n.\r\n", o);
  EXPECT_FALSE(exact.too_large);
  EXPECT_EQ(exact.body, "01234567\r\n");
  EXPECT_EQ(exact.rejection, std::nullopt);
}

TEST(DataDecoder, LineLimitCountsCrLfButNotTheStuffedDot) {
  std::string line998(998, 'x');
  Decoded ok = decode_all_ways(line998 + "\r\n.." + std::string(997, 'y') + "\r\n.\r\n");
  EXPECT_FALSE(ok.line_too_long);
  EXPECT_EQ(ok.rejection, std::nullopt);

  Decoded bad = decode_all_ways(line998 + "x\r\n.\r\n");
  EXPECT_TRUE(bad.done);
  EXPECT_TRUE(bad.line_too_long);
  ASSERT_TRUE(bad.rejection);
  EXPECT_EQ(encode_reply(*bad.rejection), "554 5.6.0 Message has a text line that is too long\r\n");
}

TEST(DataDecoder, NoLimitsWhenZero) {
  DataDecoderOptions o;
  o.max_line_octets = 0;
  Decoded d = decode_all_ways(std::string(5000, 'z') + "\r\n.\r\n", o);
  EXPECT_FALSE(d.line_too_long);
  EXPECT_EQ(d.body.size(), 5002u);
}

TEST(DataDecoder, CallerMayFlushOutputBetweenFeeds) {
  DataDecoder d({});
  std::string out;
  std::string stored;
  for (std::string_view piece : {"ab\r", "\n.", ".c\r\n", ".", "\r", "\n"}) {
    d.feed(piece, out);
    stored += out;
    out.clear();
  }
  EXPECT_TRUE(d.done());
  EXPECT_EQ(stored, "ab\r\n.c\r\n");
}

}  // namespace
}  // namespace postamt::smtp::proto
