#include "mail/preview.h"

#include <gtest/gtest.h>

namespace postamt::mail {
namespace {

std::string preview(std::string_view bytes, size_t max = kPreviewCharacters) {
  return message_preview(mime::parse(bytes), max);
}

TEST(Preview, PlainTextWithoutQuotesAndSignature) {
  EXPECT_EQ(preview("Subject: x\r\n\r\nHello Bob,\r\n\r\n  see   you\tat noon.\r\n"
                    "> what about lunch?\r\n>> earlier\r\n-- \r\nAlice\r\n"),
            "Hello Bob, see you at noon.");
  EXPECT_EQ(preview("Subject: x\r\n\r\n"), "");
  EXPECT_EQ(preview("Subject: x\r\n\r\n> only a quote\r\n"), "");
}

TEST(Preview, DecodedAndConvertedToUtf8) {
  EXPECT_EQ(
      preview("Content-Type: text/plain; charset=iso-8859-1\r\n"
              "Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe aus M=FCnchen\r\n"),
      "Gr\xC3\xBC\xC3\x9F"
      "e aus M\xC3\xBCnchen");
  EXPECT_EQ(preview("Content-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\nU2Now7ZuZSBHcsO8w59lDQo=\r\n"),
            "Sch\xC3\xB6ne Gr\xC3\xBC\xC3\x9F"
            "e");
}

TEST(Preview, PlainIsPreferredAndAttachmentsDoNotCount) {
  EXPECT_EQ(preview("Content-Type: multipart/alternative; boundary=b\r\n\r\n"
                    "--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
                    "--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b--\r\n"),
            "plain");
  EXPECT_EQ(preview("Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                    "--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
                    "\r\niVBORw0KGgo=\r\n"
                    "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; "
                    "filename=a.txt\r\n\r\nan attached file\r\n--b--\r\n"),
            "");
}

TEST(Preview, HtmlBecomesText) {
  EXPECT_EQ(preview("Content-Type: text/html\r\n\r\n"
                    "<html><head><title>T</title><style>p { color: red }</style></head>"
                    "<body><!-- hidden --><p>Caf&eacute; &amp; <b>bar</b>&nbsp;&lt;3</p>"
                    "<SCRIPT>alert(1)</SCRIPT><div>caf&#233; &#xE9;</div></body></html>\r\n"),
            "Caf&eacute; & bar <3 caf\xC3\xA9 \xC3\xA9");
}

TEST(Preview, AtMostTheLimitAndNeverHalfACharacter) {
  std::string body;
  for (int i = 0; i < 300; ++i) body += "\xC3\xA9";  // 300 x é, two octets each
  std::string out = preview("Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n");
  EXPECT_EQ(out.size(), 2 * kPreviewCharacters);
  EXPECT_EQ(preview("Subject: x\r\n\r\nabc def\r\n", 5), "abc d");
  // Control characters and ill-formed bytes go.
  EXPECT_EQ(preview("Content-Type: text/plain; charset=utf-8\r\n\r\na\x01"
                    "b\xFF"
                    "c\r\n"),
            "abc");
}

// Only the first 256 KiB of the decoded part are read: text after that many quoted
// lines is not reached.
TEST(Preview, ReadsOnlyTheBeginningOfAHugePart) {
  std::string quoted;
  while (quoted.size() < 256 * 1024) quoted += "> " + std::string(96, 'q') + "\r\n";
  EXPECT_EQ(preview("Subject: x\r\n\r\n" + quoted + "late text\r\n"), "");
  EXPECT_EQ(preview("Subject: x\r\n\r\n" + quoted.substr(0, 1000) + "early text\r\n"),
            "early text");
}

}  // namespace
}  // namespace postamt::mail
