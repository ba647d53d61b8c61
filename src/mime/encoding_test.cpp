// RFC 2047 words, RFC 2231 parameters, charsets and transfer encodings.
#include <gtest/gtest.h>

#include "mime/charset.h"
#include "mime/content_type.h"
#include "mime/encoded_word.h"
#include "mime/transfer_encoding.h"

namespace postamt::mime {
namespace {

TEST(EncodedWord, BAndQ) {
  EXPECT_EQ(decode_encoded_words("=?UTF-8?B?w6l0w6k=?="), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(decode_encoded_words("=?iso-8859-1?q?caf=E9_cr=E8me?="), "caf\xC3\xA9 cr\xC3\xA8me");
  EXPECT_EQ(decode_encoded_words("Re: =?utf-8?Q?x?= tail"), "Re: x tail");
}

TEST(EncodedWord, AdjacentWordsJoinAndSplitCharacter) {
  // RFC 2047 §8: whitespace between adjacent words disappears.
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?="), "ab");
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?=\r\n  =?ISO-8859-1?Q?b?="), "ab");
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?= x =?ISO-8859-1?Q?b?="), "a x b");
  // "é" (C3 A9) split over two words in one charset still decodes.
  EXPECT_EQ(decode_encoded_words("=?utf-8?Q?=C3?= =?utf-8?Q?=A9?="), "\xC3\xA9");
  // Different charsets: each converted on its own, whitespace still dropped.
  EXPECT_EQ(decode_encoded_words("=?utf-8?Q?a?= =?iso-8859-1?Q?=E9?="), "a\xC3\xA9");
}

TEST(EncodedWord, MalformedAndUnknownStayLiteral) {
  EXPECT_EQ(decode_encoded_words("=?utf-8?X?abc?="), "=?utf-8?X?abc?=");
  EXPECT_EQ(decode_encoded_words("=?utf-8?Q?a b?="), "=?utf-8?Q?a b?=");
  EXPECT_EQ(decode_encoded_words("=?utf-8?Q?abc"), "=?utf-8?Q?abc");
  EXPECT_EQ(decode_encoded_words("=??Q?abc?="), "=??Q?abc?=");
  EXPECT_EQ(decode_encoded_words("=?x-no-such-charset?Q?abc?= y"), "=?x-no-such-charset?Q?abc?= y");
  // RFC 2231 §5 language suffix on the charset.
  EXPECT_EQ(decode_encoded_words("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore");
}

TEST(EncodedWord, UnstructuredAndRawUtf8) {
  EXPECT_EQ(decode_unstructured(" Hello\r\n =?utf-8?b?V29ybGQ=?=\r\n"), "Hello World");
  EXPECT_EQ(decode_unstructured(" Gr\xC3\xBC\xC3\x9F"
                                "e"),
            "Gr\xC3\xBC\xC3\x9F"
            "e");
}

TEST(EncodedWord, EncodeSplitsOnCharacters) {
  EXPECT_EQ(encode_words_utf8("\xC3\xA9t\xC3\xA9"), "=?UTF-8?B?w6l0w6k=?=");
  std::string long_text;
  for (int i = 0; i < 30; ++i) long_text += "\xC3\xA9";  // 60 bytes
  std::string enc = encode_words_utf8(long_text);
  // 45 bytes would split a character: the first word takes 44 (22 characters).
  EXPECT_EQ(enc.find(' '), 12u + 60u);
  EXPECT_EQ(decode_encoded_words(enc), long_text);
}

TEST(Charset, IcuConversionAndUnknown) {
  EXPECT_EQ(to_utf8("windows-1252", "\x80"), "\xE2\x82\xAC");
  EXPECT_EQ(to_utf8("KOI8-R", "\xF0\xD2\xC9\xD7\xC5\xD4"),
            "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  EXPECT_EQ(to_utf8("x-bogus", "abc"), std::nullopt);
  EXPECT_EQ(to_utf8("", "abc"), std::nullopt);
  EXPECT_TRUE(is_valid_utf8("a\xC3\xA9"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
}

TEST(ContentType, TypeSubtypeAndParameters) {
  auto ct = parse_content_type(" Multipart/Mixed (comment); Boundary=\"a \\\"b\\\"\" ;x=1");
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->type, "multipart");
  EXPECT_EQ(ct->subtype, "mixed");
  EXPECT_EQ(ct->params, (std::vector<Parameter>{{"boundary", "a \"b\""}, {"x", "1"}}));
  EXPECT_EQ(*ct->param("BOUNDARY"), "a \"b\"");
  EXPECT_EQ(parse_content_type("text"), std::nullopt);
  EXPECT_EQ(parse_content_type("/plain"), std::nullopt);
  auto lenient = parse_content_type("multipart/mixed; boundary=----=_Part_1");
  ASSERT_TRUE(lenient);
  EXPECT_EQ(*lenient->param("boundary"), "----=_Part_1");
}

TEST(ContentType, Rfc2231) {
  // RFC 2231 §3 continuations, §4 charset and language, §4.1 combined.
  auto p = parse_parameters(
      "; title*0*=us-ascii'en'This%20is%20even%20more%20"
      "; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"");
  EXPECT_EQ(p, (std::vector<Parameter>{{"title", "This is even more ***fun*** isn't it!"}}));
  EXPECT_EQ(parse_parameters("; name*=iso-8859-1'de'Gr%FC%DFe"),
            (std::vector<Parameter>{{"name",
                                     "Gr\xC3\xBC\xC3\x9F"
                                     "e"}}));
  // Sections out of order are joined in number order.
  EXPECT_EQ(parse_parameters("; url*1=\"b\"; url*0=\"a\""),
            (std::vector<Parameter>{{"url", "ab"}}));
  // The RFC 2231 form wins over a plain one; otherwise the first wins.
  EXPECT_EQ(parse_parameters("; name=\"plain\"; name*=utf-8''%C3%A9"),
            (std::vector<Parameter>{{"name", "\xC3\xA9"}}));
  EXPECT_EQ(parse_parameters("; a=1; a=2"), (std::vector<Parameter>{{"a", "1"}}));
  // Unknown charset keeps the percent-decoded bytes.
  EXPECT_EQ(parse_parameters("; n*=x-bogus''%41"), (std::vector<Parameter>{{"n", "A"}}));
}

TEST(ContentType, Disposition) {
  auto d = parse_disposition("Attachment; filename=\"a.txt\"; size=12");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, "attachment");
  EXPECT_EQ(d->params, (std::vector<Parameter>{{"filename", "a.txt"}, {"size", "12"}}));
  EXPECT_EQ(parse_disposition("  "), std::nullopt);
}

TEST(TransferEncoding, QuotedPrintable) {
  EXPECT_EQ(decode_quoted_printable("caf=E9 =3D=3d\r\n"), "caf\xE9 ==\r\n");
  EXPECT_EQ(decode_quoted_printable("soft=\r\nbreak=  \nend"), "softbreakend");
  EXPECT_EQ(decode_quoted_printable("trailing   \r\nx"), "trailing\r\nx");
  EXPECT_EQ(decode_quoted_printable("bad=ZZ =4"), "bad=ZZ =4");
  EXPECT_EQ(decode_quoted_printable("="), "");
}

TEST(TransferEncoding, DecodeBody) {
  EXPECT_EQ(decode_body("aGVs\r\nbG8=\r\n", TransferEncoding::base64), "hello");
  EXPECT_EQ(decode_body("a=3Db", TransferEncoding::quoted_printable), "a=b");
  EXPECT_EQ(decode_body("a=3Db", TransferEncoding::seven_bit), "a=3Db");
  EXPECT_EQ(decode_body("\x01\xFF", TransferEncoding::binary), "\x01\xFF");
}

}  // namespace
}  // namespace postamt::mime
