#include "smtp/proto/reply_parser.h"

#include <gtest/gtest.h>

namespace postamt::smtp::proto {
namespace {

// Feeds `input` in pieces of `chunk` octets (0 = whole) and collects every reply.
std::vector<Reply> replies(std::string_view input, size_t chunk) {
  ReplyParser p;
  std::vector<Reply> out;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t n = chunk == 0 ? input.size() - pos : std::min(chunk, input.size() - pos);
    p.feed(input.substr(pos, n));
    pos += n;
    for (;;) {
      auto r = p.next();
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
      if (!r || !*r) break;
      out.push_back(std::move(**r));
    }
  }
  EXPECT_FALSE(p.has_pending_input());
  return out;
}

// Exactly one complete reply, e.g. "250-a\r\n250 b\r\n"; fails for less or more.
Result<Reply> parse_reply(std::string_view text) {
  ReplyParser parser;
  parser.feed(text);
  auto r = parser.next();
  if (!r) return r.error();
  if (!*r) return Error{ErrorKind::invalid, "incomplete reply"};
  Reply reply = std::move(**r);
  if (parser.has_pending_input()) return Error{ErrorKind::invalid, "more than one reply"};
  return reply;
}

std::vector<Reply> replies_all_ways(std::string_view input) {
  auto whole = replies(input, 0);
  for (size_t chunk : {1u, 2u, 7u}) EXPECT_EQ(replies(input, chunk), whole) << "chunk " << chunk;
  return whole;
}

TEST(ReplyParser, PipelinedRepliesInPieces) {
  auto r = replies_all_ways(
      "250-mx.example Hello\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"
      "250 2.1.0 Ok\r\n"
      "550-5.1.1 No such\r\n550 5.1.1 user\r\n"
      "354 End data with <CR><LF>.<CR><LF>\r\n"
      "221\r\n");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0], (Reply{250, std::nullopt, {"mx.example Hello", "PIPELINING", "SIZE 1000"}}));
  EXPECT_EQ(r[1], (Reply{250, EnhancedCode{2, 1, 0}, {"Ok"}}));
  EXPECT_EQ(r[2], (Reply{550, EnhancedCode{5, 1, 1}, {"No such", "user"}}));
  EXPECT_EQ(r[3], (Reply{354, std::nullopt, {"End data with <CR><LF>.<CR><LF>"}}));
  EXPECT_EQ(r[4], (Reply{221, std::nullopt, {""}}));
}

TEST(ReplyParser, EnhancedCodeOnlyWhenEveryLineAgreesWithTheClass) {
  auto r = replies_all_ways(
      "250 5.0.0 odd\r\n"
      "451-4.3.0 a\r\n451 b\r\n"
      "250 2.0.0\r\n"
      "250 2.0.0x\r\n");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0], (Reply{250, std::nullopt, {"5.0.0 odd"}}));
  EXPECT_EQ(r[1], (Reply{451, std::nullopt, {"4.3.0 a", "b"}}));
  EXPECT_EQ(r[2], (Reply{250, EnhancedCode{2, 0, 0}, {""}}));
  EXPECT_EQ(r[3], (Reply{250, std::nullopt, {"2.0.0x"}}));
}

TEST(ReplyParser, BareLfTolerated) {
  auto r = replies_all_ways("220 hi\n250-a\n250 b\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1], (Reply{250, std::nullopt, {"a", "b"}}));
}

TEST(ReplyParser, EncodeThenParseRoundTrip) {
  Reply original{452, code::kTempTooManyRecipients, {"Too many", "recipients"}};
  auto parsed = parse_reply(encode_reply(original));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, original);
}

TEST(ReplyParser, Errors) {
  for (const char* bad :
       {"25 x\r\n", "abc\r\n", "650 x\r\n", "250x\r\n", "250-a\r\n251 b\r\n", "150 x\r\n"}) {
    ReplyParser p;
    p.feed(bad);
    auto r = p.next();
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid) << bad;
    // Sticky: the connection is unusable afterwards.
    p.feed("250 ok\r\n");
    EXPECT_FALSE(p.next().ok());
  }
}

TEST(ReplyParser, LineAndLineCountLimits) {
  ReplyParser p;
  p.feed("250 " + std::string(kMaxReplyLineOctets, 'x'));
  auto r = p.next();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::limit);

  ReplyParser ok_long;
  ok_long.feed("250 " + std::string(kMaxReplyLineOctets - 6, 'x') + "\r\n");
  auto fits = ok_long.next();
  ASSERT_TRUE(fits.ok());
  ASSERT_TRUE(*fits);

  ReplyParser many;
  std::string lines;
  for (size_t i = 0; i < kMaxReplyLines; ++i) lines += "250-x\r\n";
  many.feed(lines + "250 end\r\n");
  auto m = many.next();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().kind, ErrorKind::limit);
}

TEST(ReplyParser, ParseReplyWantsExactlyOne) {
  EXPECT_FALSE(parse_reply("250 a\r\n250 b\r\n").ok());
  EXPECT_FALSE(parse_reply("250-a\r\n").ok());
  EXPECT_FALSE(parse_reply("250 a").ok());
  EXPECT_TRUE(parse_reply("250 a\r\n").ok());
}

TEST(Ehlo, ExtractsKeywordsAndParams) {
  auto reply = parse_reply(
      "250-mx.example greets you\r\n"
      "250-PIPELINING\r\n"
      "250-size 35882577\r\n"
      "250-AUTH PLAIN LOGIN\r\n"
      "250-AUTH=LOGIN XOAUTH2\r\n"
      "250--bad\r\n"
      "250 8BITMIME\r\n");
  ASSERT_TRUE(reply.ok());
  auto info = parse_ehlo(*reply);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->domain, "mx.example");
  ASSERT_EQ(info->extensions.size(), 4u);
  EXPECT_EQ(info->extensions[0], (EhloExtension{"PIPELINING", {}}));
  EXPECT_EQ(info->extensions[1], (EhloExtension{"SIZE", {"35882577"}}));
  EXPECT_EQ(info->extensions[2], (EhloExtension{"AUTH", {"PLAIN", "LOGIN", "LOGIN", "XOAUTH2"}}));
  EXPECT_EQ(info->extensions[3], (EhloExtension{"8BITMIME", {}}));
  EXPECT_TRUE(info->has("pipelining"));
  EXPECT_FALSE(info->has("CHUNKING"));
  EXPECT_EQ(info->size_limit(), 35882577u);
}

TEST(Ehlo, SizeWithoutValueAndRefusal) {
  auto info = parse_ehlo(Reply{250, std::nullopt, {"mx", "SIZE"}});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size_limit(), 0u);
  auto none = parse_ehlo(Reply{250, std::nullopt, {"mx"}});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->size_limit(), std::nullopt);
  EXPECT_FALSE(parse_ehlo(Reply{502, code::kBadCommand, {"no"}}).ok());
}

TEST(Ehlo, RoundTripWithOurBuilder) {
  ServerExtensions ext;
  ext.size = 1000;
  ext.auth_mechanisms = {"PLAIN"};
  auto reply = parse_reply(encode_reply(ehlo_reply("mx.example", "hi", ext)));
  ASSERT_TRUE(reply.ok());
  auto info = parse_ehlo(*reply);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size_limit(), 1000u);
  EXPECT_TRUE(info->has("ENHANCEDSTATUSCODES"));
  EXPECT_EQ(info->find("AUTH")->params, std::vector<std::string>{"PLAIN"});
}

}  // namespace
}  // namespace postamt::smtp::proto
