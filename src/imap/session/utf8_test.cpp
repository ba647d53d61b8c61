// UTF8=ACCEPT (RFC 6855): ENABLE turns on UTF-8 mailbox names and quoted strings (BAD
// when not UTF-8), SEARCH CHARSET becomes BAD, APPEND takes UTF8 (literal8) data; until
// then an APPEND whose header holds 8-bit octets is NO, whether held or streamed. With
// [imap] utf8_accept = false none of it is offered and such messages are taken.
#include <fmt/format.h>

#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

constexpr std::string_view kUtf8Header =
    "Subject: Gr\xC3\xBC\xC3\x9F"
    "e\r\n\r\nbody\r\n";
constexpr std::string_view kRefused =
    "NO The message header holds 8-bit octets; ENABLE UTF8=ACCEPT first\r\n";

std::string literal(std::string_view bytes) {
  return fmt::format("{{{}}}\r\n{}", bytes.size(), bytes);
}
std::string literal8(std::string_view bytes) {
  return fmt::format("~{{{}}}\r\n{}", bytes.size(), bytes);
}

TEST_F(ImapSession, Utf8HeadersNeedUtf8Accept) {
  // Header 8-bit: NO, also when CATENATE builds it; body 8-bit only: fine; UTF8 data,
  // as a message or a CATENATE part, before ENABLE: BAD.
  std::string out =
      after_login("b APPEND INBOX " + literal(kUtf8Header) + "\r\n" + "c APPEND INBOX " +
                  literal("Subject: x\r\n\r\nGr\xC3\xBC\r\n") + "\r\nd APPEND INBOX UTF8 (" +
                  literal8(kUtf8Header) + ")\r\n" + "e APPEND INBOX CATENATE (UTF8 (" +
                  literal8("Subject: x\r\n") + "))\r\nf APPEND INBOX CATENATE (TEXT " +
                  literal(kUtf8Header) + ")\r\n");
  EXPECT_EQ(out,
            fmt::format("+ Ready for literal data\r\nb {0}"
                        "+ Ready for literal data\r\nc OK [APPENDUID {1} 1] APPEND completed\r\n"
                        "+ Ready for literal data\r\n"
                        "d BAD UTF8 message data needs ENABLE UTF8=ACCEPT\r\n"
                        "+ Ready for literal data\r\n"
                        "e BAD UTF8 message data needs ENABLE UTF8=ACCEPT\r\n"
                        "+ Ready for literal data\r\nf {0}",
                        kRefused, inbox_validity()));
  EXPECT_EQ(inbox_bytes().size(), 1u);
}

TEST_F(ImapSession, Utf8AcceptEnabled) {
  std::string out = after_login(
      "b ENABLE UTF8=ACCEPT\r\n"
      "c APPEND INBOX UTF8 (" +
      literal8(kUtf8Header) + ")\r\n" + "d APPEND INBOX " + literal(kUtf8Header) +
      "\r\ne APPEND INBOX CATENATE (UTF8 (" + literal8("Subject: \xC3\xA9\r\n") + ") TEXT " +
      literal("\r\nbody\r\n") +
      ")\r\n"
      "f CREATE \"Entw\xC3\xBCrfe\"\r\n"
      "g LIST \"\" Entw*\r\n"
      "h CREATE \"Gr\xFC\xDF\"\r\n"
      "i SELECT INBOX\r\n"
      "j SEARCH CHARSET UTF-8 SUBJECT \"Gr\xC3\xBC\"\r\n"
      "k SEARCH SUBJECT \"GR\xC3\x9C\"\r\n"
      "l ENABLE UTF8=ACCEPT\r\n");
  const UidValidity inbox = inbox_validity();
  const std::string select =
      out.substr(out.find("* FLAGS"), out.find("i OK") - out.find("* FLAGS"));
  EXPECT_EQ(out, fmt::format(
                     "* ENABLED UTF8=ACCEPT\r\nb OK ENABLE completed\r\n"
                     "+ Ready for literal data\r\nc OK [APPENDUID {0} 1] APPEND completed\r\n"
                     "+ Ready for literal data\r\nd OK [APPENDUID {0} 2] APPEND completed\r\n"
                     "+ Ready for literal data\r\n+ Ready for literal data\r\n"
                     "e OK [APPENDUID {0} 3] APPEND completed\r\n"
                     "{1}"
                     "* LIST (\\HasNoChildren) \"/\" \"Entw\xC3\xBCrfe\"\r\ng OK LIST completed\r\n"
                     "h BAD CREATE: quoted string is not UTF-8\r\n"
                     "{2}i OK [READ-WRITE] SELECT completed\r\n"
                     "j BAD SEARCH CHARSET is not allowed after ENABLE UTF8=ACCEPT\r\n"
                     "* SEARCH 1 2\r\nk OK SEARCH completed\r\n"
                     "l BAD ENABLE is only valid before a mailbox is selected\r\n",
                     inbox,
                     created("f", validity_of("Entw\xC3\xBC"
                                              "rfe")),
                     select));
  std::vector<std::string> stored = inbox_bytes();
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0], kUtf8Header);
  EXPECT_EQ(stored[1], kUtf8Header);
  EXPECT_EQ(stored[2], "Subject: \xC3\xA9\r\n\r\nbody\r\n");
}

// A message streamed to the blob store (over max_inline_literal) is checked the same way.
TEST_F(ImapSession, Utf8HeadersOfStreamedMessages) {
  services_.limits.authenticated.max_inline_literal = 1024;
  std::string big = std::string(kUtf8Header) + std::string(4096, 'x') + "\r\n";
  std::string out = after_login("b APPEND INBOX " + literal(big) + "\r\nc ENABLE UTF8=ACCEPT\r\n" +
                                "d APPEND INBOX UTF8 (" + literal8(big) + ")\r\n");
  EXPECT_EQ(out,
            fmt::format("+ Ready for literal data\r\nb {}"
                        "* ENABLED UTF8=ACCEPT\r\nc OK ENABLE completed\r\n"
                        "+ Ready for literal data\r\nd OK [APPENDUID {} 1] APPEND completed\r\n",
                        kRefused, inbox_validity()));
  EXPECT_EQ(inbox_bytes(), std::vector<std::string>{big});
}

TEST_F(ImapSession, Utf8AcceptSwitchedOff) {
  services_.utf8_accept = false;
  std::string out =
      run("a LOGIN alice@example.org secret\r\nb ENABLE UTF8=ACCEPT\r\n"
          "c APPEND INBOX " +
          literal(kUtf8Header) + "\r\n");
  EXPECT_EQ(out.find("UTF8=ACCEPT]"), std::string::npos) << out;
  EXPECT_EQ(ending(out,
                   "* ENABLED\r\nb OK ENABLE completed\r\n+ Ready for literal data\r\n"
                   "c OK [APPENDUID " +
                       std::to_string(inbox_validity()) + " 1] APPEND completed\r\n"),
            "* ENABLED\r\nb OK ENABLE completed\r\n+ Ready for literal data\r\n"
            "c OK [APPENDUID " +
                std::to_string(inbox_validity()) + " 1] APPEND completed\r\n");
  EXPECT_EQ(inbox_bytes(), std::vector<std::string>{std::string(kUtf8Header)});
}

}  // namespace
}  // namespace postamt::imap::testing
