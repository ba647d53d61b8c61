#include "mime/report.h"

#include <gtest/gtest.h>

#include "mime/message.h"

namespace postamt::mime {
namespace {

RandomSource counter() {
  auto n = std::make_shared<uint32_t>(0);
  return [n] { return (*n)++; };
}

ReportSpec mdn_spec() {
  ReportSpec s;
  s.report_type = "disposition-notification";
  s.human_text = "Your message was displayed.\n";
  s.machine_type = "message/disposition-notification";
  s.machine_groups = {{{"Final-Recipient", "rfc822; bob@example.test"},
                       {"Disposition", "manual-action/MDN-sent-manually; displayed"}}};
  s.original = ReportOriginal::headers;
  s.original_content = "Subject: hi\nMessage-ID: <1@x>\n";
  return s;
}

TEST(Report, ExactBytesAndParsesBack) {
  auto r = build_report(mdn_spec(), counter());
  ASSERT_TRUE(r);
  const std::string b = "=_report_0123456789ABCDEFGHIJKLMN";
  EXPECT_EQ(r->content_type,
            "multipart/report; report-type=disposition-notification; boundary=\"" + b + "\"");
  EXPECT_EQ(r->body,
            "This is a MIME-encapsulated report.\r\n\r\n"
            "--" +
                b +
                "\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
                "Your message was displayed.\r\n"
                "\r\n--" +
                b +
                "\r\n"
                "Content-Type: message/disposition-notification\r\n\r\n"
                "Final-Recipient: rfc822; bob@example.test\r\n"
                "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
                "\r\n--" +
                b +
                "\r\n"
                "Content-Type: text/rfc822-headers\r\n\r\n"
                "Subject: hi\r\nMessage-ID: <1@x>\r\n"
                "\r\n--" +
                b + "--\r\n");
  std::string whole = "Content-Type: " + r->content_type + "\r\n\r\n" + r->body;
  Message m = parse(whole);
  ASSERT_EQ(m.root().child_count, 3u);
  auto kids = m.children(m.root());
  EXPECT_EQ(m.part(kids[1]).content_type.subtype, "disposition-notification");
  EXPECT_EQ(m.part(kids[2]).content_type.subtype, "rfc822-headers");
  const Part& text = m.part(kids[0]);
  EXPECT_EQ(whole.substr(text.body_start, text.body_size()), "Your message was displayed.\r\n");
}

TEST(Report, BoundaryAvoidsContentEvenWithConstantRandom) {
  ReportSpec s = mdn_spec();
  s.human_text =
      "--=_report_000000000000000000000000 and =_report_00000000000000000000000000000000";
  auto r = build_report(s, [] { return 0u; });
  ASSERT_TRUE(r);
  EXPECT_NE(r->content_type.find("boundary=\"=_report_0000000000000000000000000000000000000000\""),
            std::string::npos);
}

TEST(Report, NonAsciiHumanTextIsBase64) {
  ReportSpec s = mdn_spec();
  s.human_text = "Gel\xC3\xB6scht";
  s.original = ReportOriginal::none;
  auto r = build_report(s, counter());
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("Content-Transfer-Encoding: base64\r\n\r\nR2Vsw7ZzY2h0DQo=\r\n"),
            std::string::npos);
  EXPECT_EQ(r->body.find("rfc822-headers"), std::string::npos);
}

TEST(Report, RefusesHeaderInjection) {
  ReportSpec s = mdn_spec();
  s.machine_groups[0][0].value = "rfc822; a@x\r\nBcc: y@z";
  auto r = build_report(s, counter());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  s = mdn_spec();
  s.machine_groups[0][0].name = "Bad Name";
  EXPECT_FALSE(build_report(s, counter()));
  s = mdn_spec();
  s.report_type = "x; evil=1";
  EXPECT_FALSE(build_report(s, counter()));
  s = mdn_spec();
  s.machine_type = "message";
  EXPECT_FALSE(build_report(s, counter()));
}

}  // namespace
}  // namespace postamt::mime
