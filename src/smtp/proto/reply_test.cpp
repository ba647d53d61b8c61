#include "smtp/proto/reply.h"

#include <gtest/gtest.h>

namespace postamt::smtp::proto {
namespace {

TEST(Reply, SingleLineWithEnhancedCode) {
  EXPECT_EQ(encode_reply(make_reply(250, code::kOk, "Ok")), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(encode_reply(make_reply(552, code::kMessageTooBig, "Too big")),
            "552 5.3.4 Too big\r\n");
}

TEST(Reply, MultiLineRepeatsEnhancedCodeOnEveryLine) {
  Reply r{250, code::kOk, {"first", "second", "last"}};
  EXPECT_EQ(encode_reply(r), "250-2.0.0 first\r\n250-2.0.0 second\r\n250 2.0.0 last\r\n");
}

TEST(Reply, WithoutEnhancedCode) {
  EXPECT_EQ(encode_reply(Reply{220, std::nullopt, {"mx.example ESMTP Postamt"}}),
            "220 mx.example ESMTP Postamt\r\n");
  EXPECT_EQ(encode_reply(Reply{354, std::nullopt, {"End data with <CR><LF>.<CR><LF>"}}),
            "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(encode_reply(Reply{334, std::nullopt, {""}}), "334\r\n");
  EXPECT_EQ(encode_reply(Reply{250, std::nullopt, {}}), "250\r\n");
  EXPECT_EQ(encode_reply(Reply{250, code::kOk, {}}), "250 2.0.0\r\n");
  EXPECT_EQ(encode_reply(Reply{250, std::nullopt, {"", "x"}}), "250-\r\n250 x\r\n");
}

TEST(Reply, LineBreaksInTextCannotForgeLines) {
  Reply r = make_reply(550, code::kMailboxUnknown, std::string("no\r\n250 2.0.0 Ok\0x", 18));
  EXPECT_EQ(encode_reply(r), "550 5.1.1 no  250 2.0.0 Ok x\r\n");
}

TEST(Reply, EnhancedCodeToString) {
  EXPECT_EQ(code::kEncryptionRequired.to_string(), "5.7.11");
  EXPECT_EQ((EnhancedCode{4, 123, 999}).to_string(), "4.123.999");
}

TEST(Reply, EhloReplyAllExtensions) {
  ServerExtensions ext;
  ext.size = 10485760;
  ext.chunking = true;
  ext.binary_mime = true;
  ext.smtputf8 = true;
  ext.dsn = true;
  ext.starttls = true;
  ext.auth_mechanisms = {"PLAIN", "LOGIN"};
  EXPECT_EQ(encode_reply(ehlo_reply("mx.example", "Hello client.example", ext)),
            "250-mx.example Hello client.example\r\n"
            "250-PIPELINING\r\n"
            "250-SIZE 10485760\r\n"
            "250-8BITMIME\r\n"
            "250-CHUNKING\r\n"
            "250-BINARYMIME\r\n"
            "250-SMTPUTF8\r\n"
            "250-DSN\r\n"
            "250-ENHANCEDSTATUSCODES\r\n"
            "250-STARTTLS\r\n"
            "250 AUTH PLAIN LOGIN\r\n");
}

TEST(Reply, EhloReplyMinimal) {
  ServerExtensions ext;
  ext.pipelining = false;
  ext.eight_bit_mime = false;
  ext.enhanced_status_codes = false;
  ext.binary_mime = true;  // ignored without chunking (RFC 3030 §3)
  EXPECT_EQ(encode_reply(ehlo_reply("mx.example", "", ext)), "250 mx.example\r\n");
  ext.size = 0;
  EXPECT_EQ(encode_reply(ehlo_reply("mx.example", "hi", ext)), "250-mx.example hi\r\n250 SIZE\r\n");
}

}  // namespace
}  // namespace postamt::smtp::proto
