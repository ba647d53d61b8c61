#include "pop3/proto/response.h"

#include <gtest/gtest.h>

namespace postamt::pop3::proto {
namespace {

TEST(Pop3Response, OkAndErr) {
  EXPECT_EQ(ok(), "+OK\r\n");
  EXPECT_EQ(ok("2 320"), "+OK 2 320\r\n");
  EXPECT_EQ(err("no such message"), "-ERR no such message\r\n");
  EXPECT_EQ(err("maildrop locked", ResponseCode::in_use), "-ERR [IN-USE] maildrop locked\r\n");
  EXPECT_EQ(err("wait", ResponseCode::login_delay), "-ERR [LOGIN-DELAY] wait\r\n");
  EXPECT_EQ(err("later", ResponseCode::sys_temp), "-ERR [SYS/TEMP] later\r\n");
  EXPECT_EQ(err("broken", ResponseCode::sys_perm), "-ERR [SYS/PERM] broken\r\n");
  EXPECT_EQ(err("bad credentials", ResponseCode::auth), "-ERR [AUTH] bad credentials\r\n");
  EXPECT_EQ(err("", ResponseCode::auth), "-ERR [AUTH]\r\n");
  EXPECT_EQ(err(""), "-ERR\r\n");
}

TEST(Pop3Response, TextCannotForgeLines) {
  EXPECT_EQ(ok("a\r\n+OK b"), "+OK a  +OK b\r\n");
  EXPECT_EQ(err(std::string_view("x\0y", 3)), "-ERR x y\r\n");
}

TEST(Pop3Response, Continuation) {
  EXPECT_EQ(continuation(""), "+ \r\n");
  EXPECT_EQ(continuation("cmVhbG0="), "+ cmVhbG0=\r\n");
}

TEST(Pop3Response, MultilineListing) {
  EXPECT_EQ(multiline("2 messages", {"1 120", "2 200"}),
            "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n");
  EXPECT_EQ(multiline("", {}), "+OK\r\n.\r\n");
  EXPECT_EQ(multiline("x", {".hidden", "a.b"}), "+OK x\r\n..hidden\r\na.b\r\n.\r\n");
}

TEST(Pop3Response, DotStuffing) {
  std::string out;
  append_dot_stuffed(out, ".\r\n..\r\n.a\r\nb.\r\n\r\n.");
  EXPECT_EQ(out, "..\r\n...\r\n..a\r\nb.\r\n\r\n..");
  EXPECT_EQ(multiline_payload("msg", "a\r\n.\r\nb\r\n"), "+OK msg\r\na\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(multiline_payload("msg", ""), "+OK msg\r\n.\r\n");
  // An unterminated last line is closed so the terminator stands alone.
  EXPECT_EQ(multiline_payload("msg", "a\r\n.b"), "+OK msg\r\na\r\n..b\r\n.\r\n");
}

// Undoing the stuffing the way a client does (RFC 1939 §3) gives back the payload.
TEST(Pop3Response, DotStuffingRoundTrip) {
  std::string payload = ".\r\n..\r\n.x.\r\n\r\n...\r\nend\r\n";
  std::string wire = multiline_payload("", payload);
  std::string body = wire.substr(std::string("+OK\r\n").size());
  ASSERT_EQ(body.substr(body.size() - 5), "\r\n.\r\n");
  body.resize(body.size() - 3);
  std::string unstuffed;
  bool line_start = true;
  for (size_t i = 0; i < body.size(); ++i) {
    if (line_start && body[i] == '.') {
      line_start = false;
      continue;
    }
    unstuffed.push_back(body[i]);
    line_start = body[i] == '\n';
  }
  EXPECT_EQ(unstuffed, payload);
}

TEST(Pop3Response, CapaLines) {
  Capabilities c;
  c.stls = true;
  c.sasl = {"PLAIN", "SCRAM-SHA-256"};
  c.implementation = "Postamt";
  EXPECT_EQ(multiline("Capability list follows", capa_lines(c)),
            "+OK Capability list follows\r\n"
            "TOP\r\nUSER\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUIDL\r\nSTLS\r\n"
            "SASL PLAIN SCRAM-SHA-256\r\nIMPLEMENTATION Postamt\r\n.\r\n");
  Capabilities bare{false, false, false, false, false, false, false, {}, ""};
  EXPECT_TRUE(capa_lines(bare).empty());
}

}  // namespace
}  // namespace postamt::pop3::proto
