#include "mime/message.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mime/test_support.h"

namespace postamt::mime {
namespace {

using testing::expect_well_formed;

std::string_view body_of(const Message& m, const Part& p) {
  return m.buffer().substr(p.body_start, p.body_size());
}
std::string_view header_of(const Message& m, const Part& p) {
  return m.buffer().substr(p.header_start, p.header_end - p.header_start);
}

TEST(MessageParse, SinglePartCrlfOffsets) {
  const std::string text = "Subject: hi\r\nFrom: a@b\r\n\r\nline1\r\nline2\r\n";
  Message m = parse(text);
  ASSERT_EQ(m.parts().size(), 1u);
  const Part& p = m.root();
  EXPECT_EQ(p.header_start, 0u);
  EXPECT_EQ(p.header_end, 26u);
  EXPECT_EQ(p.body_start, 26u);
  EXPECT_EQ(p.body_end, 40u);
  EXPECT_EQ(p.body_lines, 2u);
  EXPECT_EQ(p.body_bare_lf, 0u);
  EXPECT_EQ(p.content_type.type, "text");
  EXPECT_EQ(p.content_type.subtype, "plain");
  EXPECT_EQ(p.content_type.params, (std::vector<Parameter>{{"charset", "us-ascii"}}));
  ASSERT_EQ(p.field_count, 2u);
  const HeaderField& f = m.fields()[0];
  EXPECT_EQ(f.start, 0u);
  EXPECT_EQ(f.name_end, 7u);
  EXPECT_EQ(f.value_start, 8u);
  EXPECT_EQ(f.value_end, 11u);
  EXPECT_EQ(f.end, 13u);
  EXPECT_EQ(m.limits_hit(), LimitHit::none);
}

TEST(MessageParse, BareLfAndUnterminatedLastLine) {
  const std::string text = "Subject: x\n\none\ntwo";
  Message m = parse(text);
  const Part& p = m.root();
  EXPECT_EQ(p.header_end, 12u);
  EXPECT_EQ(body_of(m, p), "one\ntwo");
  EXPECT_EQ(p.body_lines, 2u);
  EXPECT_EQ(p.body_bare_lf, 1u);
}

TEST(MessageParse, HeaderWithoutBody) {
  const std::string text = "Subject: x\r\nTo: y\r\n";
  Message m = parse(text);
  EXPECT_EQ(m.root().header_end, text.size());
  EXPECT_EQ(m.root().body_start, text.size());
  EXPECT_EQ(m.root().body_end, text.size());
  EXPECT_EQ(m.root().field_count, 2u);
  EXPECT_EQ(m.root().body_lines, 0u);
}

TEST(MessageParse, FoldedFieldsAndUnfolding) {
  const std::string text = "Subject: a\r\n b\r\n\tc\r\nX: 1\r\n\r\n";
  Message m = parse(text);
  ASSERT_EQ(m.root().field_count, 2u);
  const HeaderField& f = m.fields()[0];
  EXPECT_EQ(f.raw_value(text), " a\r\n b\r\n\tc");
  EXPECT_EQ(f.end, text.find("X: 1"));
  EXPECT_EQ(unfold(f.raw_value(text)), "a b\tc");
  HeaderView h = m.header(m.root());
  EXPECT_EQ(h.value("SUBJECT"), "a b\tc");
  EXPECT_EQ(h.value("x"), "1");
  EXPECT_EQ(h.value("missing"), std::nullopt);
}

TEST(MessageParse, HeaderLookupFirstAndAll) {
  const std::string text = "Received: one\nreceived: two\nSubject: s\nRECEIVED: three\n\n";
  Message m = parse(text);
  HeaderView h = m.header(m.root());
  EXPECT_EQ(h.count("Received"), 3u);
  auto all = h.find_all("received");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2]->raw_value(text), " three");
  EXPECT_EQ(h.find_first("Received")->name(text), "Received");
  EXPECT_EQ(h.fields().size(), 4u);
}

TEST(MessageParse, NonFieldLineEndsHeader) {
  const std::string text = "Subject: a\nthis is not a field\nmore\n";
  Message m = parse(text);
  EXPECT_EQ(m.root().field_count, 1u);
  EXPECT_EQ(m.root().body_start, text.find("this is"));
  EXPECT_EQ(body_of(m, m.root()), "this is not a field\nmore\n");
}

const std::string kMultipart =
    "Content-Type: multipart/mixed; boundary=\"xyz\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--xyz\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "part one\r\n"
    "--xyz  \r\n"
    "\r\n"
    "part two\r\n"
    "\r\n"
    "--xyz--\r\n"
    "epilogue\r\n";

TEST(MessageParse, MultipartOffsets) {
  Message m = parse(kMultipart);
  expect_well_formed(m);
  ASSERT_EQ(m.parts().size(), 3u);
  const Part& root = m.root();
  EXPECT_TRUE(root.is_multipart());
  EXPECT_EQ(root.child_count, 2u);
  EXPECT_EQ(root.body_start, kMultipart.find("preamble"));
  EXPECT_EQ(root.body_end, kMultipart.size());
  auto kids = m.children(root);
  ASSERT_EQ(kids.size(), 2u);
  const Part& one = m.part(kids[0]);
  EXPECT_EQ(one.header_start, kMultipart.find("Content-Type: text/plain"));
  EXPECT_EQ(header_of(m, one), "Content-Type: text/plain; charset=utf-8\r\n\r\n");
  EXPECT_EQ(body_of(m, one), "part one");
  EXPECT_EQ(one.body_lines, 1u);
  EXPECT_EQ(one.content_type.params, (std::vector<Parameter>{{"charset", "utf-8"}}));
  const Part& two = m.part(kids[1]);
  // No header fields: the blank line alone is its header.
  EXPECT_EQ(two.field_count, 0u);
  EXPECT_EQ(header_of(m, two), "\r\n");
  EXPECT_EQ(body_of(m, two), "part two\r\n");
  EXPECT_EQ(two.body_lines, 1u);
  EXPECT_EQ(two.content_type.subtype, "plain");
}

TEST(MessageParse, MissingCloseDelimiter) {
  const std::string text =
      "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst\n--b\n\nsecond\nlast";
  Message m = parse(text);
  expect_well_formed(m);
  ASSERT_EQ(m.root().child_count, 2u);
  EXPECT_EQ(body_of(m, m.part(m.children(m.root())[1])), "second\nlast");
}

TEST(MessageParse, BoundaryPrefixOfAnother) {
  // Dovecot's malformed case: "a--" encloses "a----". The line "--a------" is the inner
  // close delimiter; "--a----" (inner delimiter) must not close the outer one.
  const std::string text =
      "Content-Type: multipart/mixed; boundary=\"a--\"\n\n"
      "--a--\n"
      "Content-Type: multipart/mixed; boundary=\"a----\"\n\n"
      "--a----\n"
      "Content-Type: text/plain\n\nbody\n"
      "--a------\n"
      "Content-Type: text/html\n\nbody2\n"
      "--a----\n";
  Message m = parse(text);
  expect_well_formed(m);
  ASSERT_EQ(m.root().child_count, 1u);
  const Part& inner = m.part(m.root().first_child);
  EXPECT_EQ(inner.content_type.subtype, "mixed");
  ASSERT_EQ(inner.child_count, 1u);
  EXPECT_EQ(body_of(m, m.part(inner.first_child)), "body");
  // After the inner close, "Content-Type: text/html..." is inner epilogue and the last
  // "--a----" is the outer close delimiter ("--" "a--" "--").
  EXPECT_EQ(inner.body_end, text.rfind("\n--a----\n"));
}

TEST(MessageParse, NestedMessageAndSections) {
  const std::string text =
      "Content-Type: multipart/mixed; boundary=o\n\n"
      "--o\n\ntext one\n"
      "--o\n"
      "Content-Type: message/rfc822\n\n"
      "Subject: inner\n"
      "Content-Type: multipart/alternative; boundary=i\n\n"
      "--i\n\nplain\n"
      "--i\nContent-Type: text/html\n\n<b>html</b>\n"
      "--i--\n"
      "--o\n"
      "Content-Type: message/rfc822\n\n"
      "Subject: leaf\n\nleaf body\n"
      "--o--\n";
  Message m = parse(text);
  expect_well_formed(m);
  auto section = [&](std::vector<uint32_t> path) { return m.find_section(path); };
  ASSERT_NE(section({1}), nullptr);
  EXPECT_EQ(body_of(m, *section({1})), "text one");
  const Part* two = section({2});
  ASSERT_NE(two, nullptr);
  EXPECT_TRUE(two->is_message());
  EXPECT_EQ(two->body_start, text.find("Subject: inner"));
  EXPECT_EQ(two->body_end, text.find("\n--o\nContent-Type: message/rfc822\n\nSubject: leaf"));
  EXPECT_EQ(two->body_lines, 11u);  // the last line "--i--" has its LF stripped
  // 2.1 and 2.2 are the enclosed multipart's parts (RFC 3501 §6.4.5).
  ASSERT_NE(section({2, 1}), nullptr);
  EXPECT_EQ(body_of(m, *section({2, 1})), "plain");
  EXPECT_EQ(body_of(m, *section({2, 2})), "<b>html</b>");
  EXPECT_EQ(section({2, 3}), nullptr);
  // 3.1 is the body of a non-multipart enclosed message: the enclosed message itself.
  const Part* leaf = section({3, 1});
  ASSERT_NE(leaf, nullptr);
  EXPECT_EQ(body_of(m, *leaf), "leaf body");
  EXPECT_EQ(leaf, &m.part(section({3})->first_child));
  EXPECT_EQ(section({3, 2}), nullptr);
  EXPECT_EQ(section({1, 1}), nullptr);
  EXPECT_EQ(section({4}), nullptr);
  EXPECT_EQ(section({0}), nullptr);
  EXPECT_EQ(section({}), &m.root());
}

TEST(MessageParse, NonMultipartMessageHasPartOne) {
  const std::string text = "Subject: s\n\nbody\n";
  Message m = parse(text);
  std::vector<uint32_t> one{1}, two{2}, one_one{1, 1};
  EXPECT_EQ(m.find_section(one), &m.root());
  EXPECT_EQ(m.find_section(two), nullptr);
  EXPECT_EQ(m.find_section(one_one), nullptr);
}

TEST(MessageParse, DefaultsDigestAndNoBoundary) {
  const std::string digest =
      "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: in digest\n\nx\n--d--\n";
  Message m = parse(digest);
  ASSERT_EQ(m.root().child_count, 1u);
  const Part& child = m.part(m.root().first_child);
  EXPECT_EQ(child.content_type.type, "message");
  EXPECT_EQ(child.content_type.subtype, "rfc822");
  EXPECT_TRUE(child.content_type.params.empty());
  EXPECT_TRUE(child.is_message());

  Message nb = parse("Content-Type: multipart/mixed\n\n--x\n\nbody\n");
  ASSERT_EQ(nb.parts().size(), 1u);
  EXPECT_EQ(nb.root().content_type.type, "text");
  EXPECT_EQ(nb.root().content_type.subtype, "plain");

  Message bad = parse("Content-Type: garbage\n\nbody\n");
  EXPECT_EQ(bad.root().content_type.type, "text");
  EXPECT_EQ(bad.root().content_type.params, (std::vector<Parameter>{{"charset", "us-ascii"}}));
}

TEST(MessageParse, ContentFields) {
  const std::string text =
      "Content-Type: Text/HTML; CHARSET=\"iso-8859-1\"\n"
      "Content-Transfer-Encoding: Quoted-Printable\n"
      "Content-ID: <id@x>\n"
      "Content-Description: a\n  description\n"
      "Content-Disposition: attachment; filename*=utf-8''%C3%A9t%C3%A9.txt\n"
      "Content-Language: en, de-CH\n"
      "Content-Location: http://x/y\n"
      "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n\nbody";
  Message m = parse(text);
  const Part& p = m.root();
  EXPECT_EQ(p.content_type.type, "text");
  EXPECT_EQ(p.content_type.subtype, "html");
  EXPECT_EQ(p.content_type.params, (std::vector<Parameter>{{"charset", "iso-8859-1"}}));
  EXPECT_EQ(p.encoding, TransferEncoding::quoted_printable);
  EXPECT_EQ(p.encoding_name, "quoted-printable");
  EXPECT_EQ(p.content_id, "<id@x>");
  EXPECT_EQ(p.content_description, "a  description");
  ASSERT_TRUE(p.disposition.has_value());
  EXPECT_EQ(p.disposition->type, "attachment");
  EXPECT_EQ(p.disposition->params, (std::vector<Parameter>{{"filename", "\xC3\xA9t\xC3\xA9.txt"}}));
  EXPECT_EQ(p.content_language, (std::vector<std::string>{"en", "de-CH"}));
  EXPECT_EQ(p.content_location, "http://x/y");
  EXPECT_EQ(p.content_md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
}

TEST(MessageParse, EncodedMessageRfc822StaysLeaf) {
  const std::string text =
      "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA==\n";
  Message m = parse(text);
  ASSERT_EQ(m.parts().size(), 1u);
  EXPECT_EQ(m.root().content_type.type, "application");
  EXPECT_EQ(m.root().content_type.subtype, "octet-stream");
}

TEST(MessageLimits, DepthLimit) {
  std::string text;
  for (int i = 0; i < 5; ++i) text += "Content-Type: message/rfc822\n\n";
  text += "Subject: deepest\n\nbody\n";
  MimeLimits limits;
  limits.max_depth = 3;
  Message m = parse(text, limits);
  expect_well_formed(m);
  EXPECT_EQ(m.limits_hit(), LimitHit::depth);
  ASSERT_EQ(m.parts().size(), 4u);  // depths 0..3
  const Part& last = m.parts().back();
  EXPECT_EQ(last.depth, 3u);
  EXPECT_EQ(last.content_type.type, "application");
  EXPECT_EQ(last.child_count, 0u);
  EXPECT_EQ(last.body_end, text.size());
  EXPECT_EQ(parse(text).limits_hit(), LimitHit::none);
}

TEST(MessageLimits, DefaultDepthLimitOnDeepMultipart) {
  std::string text;
  for (int i = 0; i < 150; ++i)
    text += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
            std::to_string(i) + "\n";
  text += "\nbody\n";
  Message m = parse(text);
  expect_well_formed(m);
  EXPECT_TRUE(has(m.limits_hit(), LimitHit::depth));
  EXPECT_EQ(m.parts().size(), 101u);
  EXPECT_EQ(m.parts().back().depth, 100u);
}

TEST(MessageLimits, PartsLimit) {
  std::string text = "Content-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 10; ++i) text += "--b\n\npart " + std::to_string(i) + "\n";
  text += "--b--\n";
  MimeLimits limits;
  limits.max_parts = 4;
  Message m = parse(text, limits);
  expect_well_formed(m);
  EXPECT_EQ(m.limits_hit(), LimitHit::parts);
  ASSERT_EQ(m.parts().size(), 4u);
  EXPECT_EQ(m.root().child_count, 3u);
  EXPECT_EQ(body_of(m, m.parts().back()), "part 2");
  EXPECT_EQ(m.root().body_end, text.size());
  EXPECT_EQ(parse(text).parts().size(), 11u);
}

TEST(MessageLimits, HeaderBytesLimit) {
  const std::string text = "A: 1234567890\nB: 1234567890\nC: x\n\nbody\n";
  MimeLimits limits;
  limits.max_header_bytes = 20;
  Message m = parse(text, limits);
  expect_well_formed(m);
  EXPECT_EQ(m.limits_hit(), LimitHit::header_bytes);
  EXPECT_EQ(m.root().field_count, 1u);
  EXPECT_EQ(m.root().body_start, text.find("B:"));
  EXPECT_EQ(m.root().body_end, text.size());
}

TEST(MessageLimits, HeaderFieldsLimitStopsDescending) {
  const std::string text =
      "Content-Type: multipart/mixed; boundary=b\nX: 1\nY: 2\n\n--b\n\npart\n--b--\n";
  MimeLimits limits;
  limits.max_header_fields = 2;
  Message m = parse(text, limits);
  expect_well_formed(m);
  EXPECT_EQ(m.limits_hit(), LimitHit::header_fields);
  EXPECT_EQ(m.root().field_count, 2u);
  ASSERT_EQ(m.parts().size(), 1u);
  EXPECT_EQ(m.root().content_type.subtype, "octet-stream");
  EXPECT_EQ(m.root().body_start, text.find("Y: 2"));
}

// The parser takes a complete buffer, so instead of feeding pieces we parse every
// prefix: a message cut at any byte must parse with offsets in bounds.
TEST(MessageParse, EveryPrefixParses) {
  const std::vector<std::string> messages = {
      kMultipart,
      "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: "
      "message/rfc822\r\n\r\nSubject: in\r\nContent-Type: multipart/alternative; "
      "boundary=i\r\n\r\n--i\r\n\r\na\r\n--i--\r\n--o--\r\n",
      "Subject: =?utf-8?q?x?=\n folded\nContent-Type: text/plain\n\nbody\n",
  };
  for (const std::string& text : messages) {
    for (size_t n = 0; n <= text.size(); ++n) {
      Message m = parse(std::string_view(text).substr(0, n));
      expect_well_formed(m);
      if (::testing::Test::HasFatalFailure()) {
        ADD_FAILURE() << "prefix length " << n;
        return;
      }
    }
  }
}

}  // namespace
}  // namespace postamt::mime
