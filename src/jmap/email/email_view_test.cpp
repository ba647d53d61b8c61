#include "jmap/email/email_view.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "jmap/email/blob_ids.h"
#include "mime/message.h"
#include "support/files.h"

namespace postamt::jmap {
namespace {

const std::string kHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
BlobRef message_ref() {
  return *BlobRef::parse(kHex);
}
std::string part_blob(std::string_view part) {
  return part_blob_id(message_ref(), part);
}

struct Rendered {
  std::string bytes;
  json::object out;
};

json::object render(const std::string& bytes, std::vector<std::string> properties,
                    BodyValueOptions options = {}, std::vector<std::string> body_properties = {}) {
  mime::Message parsed = mime::parse(bytes);
  json::object out;
  render_email(bytes, parsed, message_ref(), properties, body_properties, options, out);
  return out;
}

json::value J(std::string_view text) {
  return json::parse(text);
}

std::vector<std::string> part_ids(const json::value& list) {
  std::vector<std::string> out;
  for (const auto& p : list.as_array()) out.push_back(std::string(p.at("partId").as_string()));
  return out;
}

const std::string kPlain =
    "From: Joe Bloggs <joe@example.com>\r\n"
    "To: \"  James Smythe\" <james@example.com>, Friends:\r\n"
    "  jane@example.com, =?UTF-8?Q?John_Sm=C3=AEth?=\r\n"
    "  <john@example.com>;\r\n"
    "Subject: =?UTF-8?Q?Dinner_on_Th=C3=BCrsday=3F?=\r\n"
    "Date: Thu, 30 Oct 2014 06:12:00 +0100\r\n"
    "Message-ID: <abc.123@example.com>\r\n"
    "In-Reply-To: <parent@example.com>\r\n"
    "References: <root@example.com> (comment) <parent@example.com>\r\n"
    "\r\n"
    "Hello Jane,\r\n"
    "see you there.\r\n";

TEST(EmailView, PlainTextMessage) {
  BodyValueOptions options;
  options.fetch_text = true;
  json::object out = render(
      kPlain,
      {"messageId", "inReplyTo", "references", "from", "to", "cc", "subject", "sentAt", "textBody",
       "htmlBody", "attachments", "bodyValues", "hasAttachment", "preview", "id", "mailboxIds"},
      options);
  // RFC 8621 §4.1.2.3's own example for "to".
  json::value expected = J(R"({
    "messageId": ["abc.123@example.com"],
    "inReplyTo": ["parent@example.com"],
    "references": ["root@example.com", "parent@example.com"],
    "from": [{"name": "Joe Bloggs", "email": "joe@example.com"}],
    "to": [{"name": "James Smythe", "email": "james@example.com"},
           {"name": null, "email": "jane@example.com"},
           {"name": "John Smîth", "email": "john@example.com"}],
    "cc": null,
    "subject": "Dinner on Thürsday?",
    "sentAt": "2014-10-30T06:12:00+01:00",
    "textBody": [{"partId": "1", "blobId": null, "size": 29, "name": null, "type": "text/plain",
                  "charset": "us-ascii", "disposition": null, "cid": null, "language": null, "location": null}],
    "htmlBody": [{"partId": "1", "blobId": null, "size": 29, "name": null, "type": "text/plain",
                  "charset": "us-ascii", "disposition": null, "cid": null, "language": null, "location": null}],
    "attachments": [],
    "bodyValues": {"1": {"value": "Hello Jane,\nsee you there.\n", "isEncodingProblem": false, "isTruncated": false}},
    "hasAttachment": false,
    "preview": "Hello Jane, see you there."
  })");
  expected.as_object()["textBody"].as_array()[0].as_object()["blobId"] = part_blob("1");
  expected.as_object()["htmlBody"].as_array()[0].as_object()["blobId"] = part_blob("1");
  EXPECT_EQ(json::value(out), expected) << json::serialize(out);
}

TEST(EmailView, GroupedAddressesExampleOfRfc8621) {
  json::object out = render(kPlain, {"header:To:asGroupedAddresses"});
  EXPECT_EQ(json::value(out), J(R"({"header:To:asGroupedAddresses": [
      {"name": null, "addresses": [{"name": "James Smythe", "email": "james@example.com"}]},
      {"name": "Friends", "addresses": [{"name": null, "email": "jane@example.com"},
                                         {"name": "John Smîth", "email": "john@example.com"}]}]})"));
}

const std::string kHeaders =
    "From: a@example.com\r\n"
    "Subject:  first\r\n"
    "X-Thing: one\r\n"
    "Subject: =?ISO-8859-1?Q?caf=E9?= \r\n"
    " folded\r\n"
    "x-thing: two\r\n"
    "Date: yesterday-ish\r\n"
    "Resent-Date: Mon, 1 Jan 2024 00:00:00 -0000\r\n"
    "List-Post: <mailto:list@example.com> (post here)\r\n"
    "List-Unsubscribe: <https://example.com/u?a=1>,\r\n"
    "  <mailto:leave@example.com?subject=bye>\r\n"
    "List-Help: NO\r\n"
    "Message-ID: not an id\r\n"
    "To: ,,, garbage ;;; <>\r\n"
    "Cc: undisclosed-recipients:;\r\n"
    "X-Bin: caf\xE9 \xFF\xFEok\r\n"
    "\r\n"
    "body\r\n";

TEST(EmailView, HeaderFormsAndAll) {
  json::object out =
      render(kHeaders, {"header:subject", "header:Subject:asText", "header:Subject:all",
                        "header:Subject:asText:all", "header:X-THING:all", "header:X-Missing",
                        "header:X-Missing:all", "sentAt", "header:Resent-Date:asDate",
                        "header:List-Post:asURLs", "header:List-Unsubscribe:asURLs",
                        "header:List-Help:asURLs", "messageId", "header:X-Bin",
                        "header:Cc:asGroupedAddresses", "cc"});
  EXPECT_EQ(json::value(out), J(R"({
    "header:subject": " =?ISO-8859-1?Q?caf=E9?= \r\n folded",
    "header:Subject:asText": "café  folded",
    "header:Subject:all": ["  first", " =?ISO-8859-1?Q?caf=E9?= \r\n folded"],
    "header:Subject:asText:all": ["first", "café  folded"],
    "header:X-THING:all": [" one", " two"],
    "header:X-Missing": null,
    "header:X-Missing:all": [],
    "sentAt": null,
    "header:Resent-Date:asDate": "2024-01-01T00:00:00Z",
    "header:List-Post:asURLs": ["mailto:list@example.com"],
    "header:List-Unsubscribe:asURLs": ["https://example.com/u?a=1", "mailto:leave@example.com?subject=bye"],
    "header:List-Help:asURLs": null,
    "messageId": null,
    "header:X-Bin": " caf\ufffd \ufffdok",
    "header:Cc:asGroupedAddresses": [{"name": "undisclosed-recipients", "addresses": []}],
    "cc": []
  })"))
      << json::serialize(out);
}

TEST(EmailView, GarbageAddressesDoNotCrash) {
  json::object out = render(kHeaders, {"to", "header:To:asGroupedAddresses"});
  // Whatever survives is an array of EmailAddress objects.
  ASSERT_TRUE(out.at("to").is_array());
  for (const auto& a : out.at("to").as_array()) {
    EXPECT_TRUE(a.as_object().at("email").is_string());
  }
  ASSERT_TRUE(out.at("header:To:asGroupedAddresses").is_array());
}

TEST(EmailView, HeadersProperty) {
  json::object out = render("A: 1\r\nB:2\r\n  x\r\n\r\nbody", {"headers"});
  EXPECT_EQ(
      json::value(out),
      J(R"({"headers": [{"name": "A", "value": " 1"}, {"name": "B", "value": "2\r\n  x"}]})"));
}

TEST(EmailView, HeaderPropertySyntax) {
  auto hp = parse_header_property("header:List-POST:asURLs:all");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->name, "List-POST");
  EXPECT_EQ(hp->form, HeaderProperty::Form::urls);
  EXPECT_TRUE(hp->all);
  EXPECT_EQ(hp->property, "header:List-POST:asURLs:all");
  hp = parse_header_property("header:X-Custom");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->form, HeaderProperty::Form::raw);
  EXPECT_FALSE(hp->all);

  for (std::string_view bad :
       {"header:", "header::asText", "header:Subject:asDate", "header:From:asDate",
        "header:Subject:asAddresses", "header:Date:asText", "header:To:asMessageIds",
        "header:Message-ID:asURLs", "header:List-Post:asDate", "header:Subject:all:asText",
        "header:Subject:asText:all:all", "header:Subject:astext", "header:Subject:asFoo",
        "header:Subject:", "header:Sub ject", "header:Subj\x7f", "headers:Subject",
        "Header:Subject"})
    EXPECT_FALSE(parse_header_property(bad)) << bad;
  // Fields outside RFC 5322 / RFC 2369 take every form (§4.1.2).
  for (std::string_view good :
       {"header:X-Date:asDate", "header:X-A:asAddresses", "header:List-Id:asText",
        "header:Resent-Reply-To:asGroupedAddresses", "header:Comments:asText",
        "header:Resent-Message-ID:asMessageIds", "header:List-Archive:asURLs:all",
        "header:From:asRaw", "header:Content-Type:asText"})
    EXPECT_TRUE(parse_header_property(good)) << good;
}

TEST(EmailView, PropertyNames) {
  for (std::string_view p :
       {"id",         "blobId",        "threadId",  "mailboxIds",  "keywords",
        "size",       "receivedAt",    "messageId", "inReplyTo",   "references",
        "sender",     "from",          "to",        "cc",          "bcc",
        "replyTo",    "subject",       "sentAt",    "headers",     "bodyStructure",
        "bodyValues", "textBody",      "htmlBody",  "attachments", "hasAttachment",
        "preview",    "header:X-Y:all"})
    EXPECT_TRUE(is_email_property(p)) << p;
  for (std::string_view p : {"partId", "subParts", "Subject", "header:From:asDate", ""})
    EXPECT_FALSE(is_email_property(p)) << p;
  for (std::string_view p :
       {"partId", "blobId", "size", "headers", "name", "type", "charset", "disposition", "cid",
        "language", "location", "subParts", "header:Content-Type:asRaw"})
    EXPECT_TRUE(is_body_part_property(p)) << p;
  for (std::string_view p : {"bodyValues", "from", "header:Date:asURLs"})
    EXPECT_FALSE(is_body_part_property(p)) << p;
}

const std::string kAlternative =
    "From: a@example.com\r\n"
    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "PHA+SGVsbG88L3A+\r\n"
    "--b1--\r\n";

TEST(EmailView, Alternative) {
  BodyValueOptions options;
  options.fetch_html = true;
  json::object out =
      render(kAlternative, {"textBody", "htmlBody", "attachments", "bodyValues", "hasAttachment"},
             options, {"partId", "type", "size"});
  EXPECT_EQ(json::value(out), J(R"({
    "textBody": [{"partId": "1", "type": "text/plain", "size": 5}],
    "htmlBody": [{"partId": "2", "type": "text/html", "size": 12}],
    "attachments": [],
    "bodyValues": {"2": {"value": "<p>Hello</p>", "isEncodingProblem": false, "isTruncated": false}},
    "hasAttachment": false
  })"))
      << json::serialize(out);
}

TEST(EmailView, BodyStructureWithSubPartsAndHeaders) {
  json::object out = render(
      kAlternative, {"bodyStructure"}, {},
      {"partId", "blobId", "type", "charset", "subParts", "headers", "header:Content-Type:asText"});
  json::value expected = J(R"({"bodyStructure": {
    "partId": null, "blobId": null, "type": "multipart/alternative", "charset": null,
    "subParts": [
      {"partId": "1", "blobId": "X1", "type": "text/plain", "charset": "utf-8", "subParts": null,
       "headers": [{"name": "Content-Type", "value": " text/plain; charset=utf-8"}],
       "header:Content-Type:asText": "text/plain; charset=utf-8"},
      {"partId": "2", "blobId": "X2", "type": "text/html", "charset": "utf-8", "subParts": null,
       "headers": [{"name": "Content-Type", "value": " text/html; charset=utf-8"},
                   {"name": "Content-Transfer-Encoding", "value": " base64"}],
       "header:Content-Type:asText": "text/html; charset=utf-8"}],
    "headers": [{"name": "From", "value": " a@example.com"},
                {"name": "Content-Type", "value": " multipart/alternative; boundary=\"b1\""}],
    "header:Content-Type:asText": "multipart/alternative; boundary=\"b1\""}})");
  auto& subs = expected.as_object()["bodyStructure"].as_object()["subParts"].as_array();
  subs[0].as_object()["blobId"] = part_blob("1");
  subs[1].as_object()["blobId"] = part_blob("2");
  EXPECT_EQ(json::value(out), expected) << json::serialize(out);
}

// The layout of RFC 8621 §4.1.4 (A..K) and the decomposition the RFC gives for it.
std::string rfc_layout() {
  auto leaf = [](std::string type, std::string disposition, std::string text) {
    std::string s = "Content-Type: " + type + "\r\n";
    if (!disposition.empty()) s += "Content-Disposition: " + disposition + "\r\n";
    return s + "\r\n" + text + "\r\n";
  };
  std::string m = "Subject: layout\r\nContent-Type: multipart/mixed; boundary=m1\r\n\r\n";
  m += "--m1\r\n" + leaf("text/plain", "inline", "A");
  m += "--m1\r\nContent-Type: multipart/mixed; boundary=m2\r\n\r\n";
  m += "--m2\r\nContent-Type: multipart/alternative; boundary=a1\r\n\r\n";
  m += "--a1\r\nContent-Type: multipart/mixed; boundary=m3\r\n\r\n";
  m += "--m3\r\n" + leaf("text/plain", "inline", "B");
  m += "--m3\r\n" + leaf("image/jpeg", "inline", "C");
  m += "--m3\r\n" + leaf("text/plain", "inline", "D");
  m += "--m3--\r\n";
  m += "--a1\r\nContent-Type: multipart/related; boundary=r1\r\n\r\n";
  m += "--r1\r\n" + leaf("text/html", "", "E");
  m += "--r1\r\n" + leaf("image/jpeg", "", "F");
  m += "--r1--\r\n";
  m += "--a1--\r\n";
  m += "--m2\r\n" + leaf("image/jpeg", "attachment", "G");
  m += "--m2\r\n" + leaf("application/x-excel", "", "H");
  m += "--m2\r\n" + leaf("message/rfc822", "", "Subject: J\r\n\r\nJ");
  m += "--m2--\r\n";
  m += "--m1\r\n" + leaf("text/plain", "inline", "K");
  m += "--m1--\r\n";
  return m;
}

TEST(EmailView, Rfc8621LayoutDecomposes) {
  json::object out = render(rfc_layout(), {"textBody", "htmlBody", "attachments", "hasAttachment"},
                            {}, {"partId"});
  // A=1 B=2.1.1.1 C=2.1.1.2 D=2.1.1.3 E=2.1.2.1 F=2.1.2.2 G=2.2 H=2.3 J=2.4 K=3
  EXPECT_EQ(part_ids(out.at("textBody")),
            (std::vector<std::string>{"1", "2.1.1.1", "2.1.1.2", "2.1.1.3", "3"}));
  EXPECT_EQ(part_ids(out.at("htmlBody")), (std::vector<std::string>{"1", "2.1.2.1", "3"}));
  EXPECT_EQ(part_ids(out.at("attachments")),
            (std::vector<std::string>{"2.1.1.2", "2.1.2.2", "2.2", "2.3", "2.4"}));
  EXPECT_EQ(out.at("hasAttachment"), json::value(true));
  std::string bytes = rfc_layout();
  mime::Message parsed = mime::parse(bytes);  // offsets into `bytes`, which must outlive it
  EXPECT_EQ(extract_part(bytes, parsed, "2.1.1.2")->bytes, "C");
  EXPECT_EQ(extract_part(bytes, parsed, "2.1.2.1")->bytes, "E");
  EXPECT_EQ(extract_part(bytes, parsed, "3")->bytes, "K");
  EXPECT_EQ(extract_part(bytes, parsed, "2.4")->bytes, "Subject: J\r\n\r\nJ");
  EXPECT_EQ(extract_part(bytes, parsed, "2.4")->type, "message/rfc822");
  EXPECT_EQ(extract_part(bytes, parsed, "2.4.1")->bytes, "J");  // inside the attached message
  EXPECT_FALSE(extract_part(bytes, parsed, "2"));               // a multipart has no partId
  EXPECT_FALSE(extract_part(bytes, parsed, "4"));
  EXPECT_FALSE(extract_part(bytes, parsed, "2.1.1.9"));
  EXPECT_FALSE(extract_part(bytes, parsed, "1.1"));
  EXPECT_FALSE(extract_part(bytes, parsed, "0"));
  EXPECT_FALSE(extract_part(bytes, parsed, "x"));
}

TEST(EmailView, TextWithInlineImageInMixed) {
  std::string m =
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n"
      "--x\r\nContent-Type: text/plain\r\n\r\nLook:\r\n"
      "--x\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=a.png\r\n"
      "Content-Transfer-Encoding: base64\r\nContent-ID: <img1@example.com>\r\n\r\niVBORw==\r\n"
      "--x--\r\n";
  json::object out = render(m, {"textBody", "htmlBody", "attachments", "hasAttachment"}, {},
                            {"partId", "name", "disposition", "cid", "size"});
  EXPECT_EQ(json::value(out), J(R"({
    "textBody": [{"partId": "1", "name": null, "disposition": null, "cid": null, "size": 5},
                 {"partId": "2", "name": "a.png", "disposition": "inline", "cid": "img1@example.com", "size": 4}],
    "htmlBody": [{"partId": "1", "name": null, "disposition": null, "cid": null, "size": 5},
                 {"partId": "2", "name": "a.png", "disposition": "inline", "cid": "img1@example.com", "size": 4}],
    "attachments": [],
    "hasAttachment": false})"))
      << json::serialize(out);
}

TEST(EmailView, RelatedInsideAlternative) {
  std::string m =
      "Content-Type: multipart/alternative; boundary=a\r\n\r\n"
      "--a\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
      "--a\r\nContent-Type: multipart/related; boundary=r\r\n\r\n"
      "--r\r\nContent-Type: text/html\r\n\r\n<img src=cid:i1>\r\n"
      "--r\r\nContent-Type: image/gif\r\nContent-ID: <i1>\r\n\r\nGIF\r\n"
      "--r--\r\n"
      "--a--\r\n";
  json::object out =
      render(m, {"textBody", "htmlBody", "attachments", "hasAttachment"}, {}, {"partId"});
  EXPECT_EQ(part_ids(out.at("textBody")), (std::vector<std::string>{"1"}));
  EXPECT_EQ(part_ids(out.at("htmlBody")), (std::vector<std::string>{"2.1"}));
  EXPECT_EQ(part_ids(out.at("attachments")), (std::vector<std::string>{"2.2"}));
  // No Content-Disposition: inline on the image, so it counts (§4.1.4 hasAttachment).
  EXPECT_EQ(out.at("hasAttachment"), json::value(true));
}

TEST(EmailView, HtmlOnlyAlternativeFillsTextBody) {
  std::string m =
      "Content-Type: multipart/alternative; boundary=a\r\n\r\n"
      "--a\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n"
      "--a--\r\n";
  json::object out = render(m, {"textBody", "htmlBody"}, {}, {"partId"});
  EXPECT_EQ(part_ids(out.at("textBody")), (std::vector<std::string>{"1"}));
  EXPECT_EQ(part_ids(out.at("htmlBody")), (std::vector<std::string>{"1"}));
}

TEST(EmailView, AttachedMessageAndNames) {
  std::string m =
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n"
      "--x\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
      "--x\r\nContent-Type: message/rfc822\r\n\r\n"
      "Subject: inner\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n"
      "--y\r\nContent-Type: text/plain\r\n\r\ninner\r\n--y--\r\n"
      "--x\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?w6l0w6kucGRm?=\"\r\n"
      "Content-Language: de, en\r\nContent-Location: http://example.com/x.pdf\r\n\r\n%PDF\r\n"
      "--x\r\nContent-Type: text/plain; name=ignored.txt\r\n"
      "Content-Disposition: attachment; filename*=utf-8''%C3%A9t%C3%A9.txt\r\n\r\nsummer\r\n"
      "--x--\r\n";
  json::object out =
      render(m, {"attachments", "bodyStructure"}, {},
             {"partId", "type", "name", "language", "location", "subParts", "charset"});
  EXPECT_EQ(out.at("attachments"), J(R"([
    {"partId": "2", "type": "message/rfc822", "name": null, "language": null, "location": null,
     "subParts": null, "charset": null},
    {"partId": "3", "type": "application/pdf", "name": "été.pdf", "language": ["de", "en"],
     "location": "http://example.com/x.pdf", "subParts": null, "charset": null},
    {"partId": "4", "type": "text/plain", "name": "été.txt", "language": null, "location": null,
     "subParts": null, "charset": "us-ascii"}])"))
      << json::serialize(out);
  // bodyStructure does not enter the attached message (§4.1.4).
  EXPECT_EQ(out.at("bodyStructure").at("subParts").as_array()[1].at("subParts"),
            json::value(nullptr));
}

TEST(EmailView, Charsets) {
  std::string m =
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n"
      "--x\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: "
      "quoted-printable\r\n\r\n"
      "caf=E9 cr=E8me\r\n"
      "--x\r\nContent-Type: text/plain; charset=windows-1252\r\n\r\n\x80 5\r\n"
      "--x\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nabc\xC3\xA9\xFF\r\n"
      "--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nok \xE2\x82 broken\r\n"
      "--x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n"
      "--x--\r\n";
  BodyValueOptions options;
  options.fetch_all = true;
  json::object out = render(m, {"bodyValues"}, options);
  EXPECT_EQ(out.at("bodyValues"), J(R"({
    "1": {"value": "café crème", "isEncodingProblem": false, "isTruncated": false},
    "2": {"value": "€ 5", "isEncodingProblem": false, "isTruncated": false},
    "3": {"value": "abcé\ufffd", "isEncodingProblem": true, "isTruncated": false},
    "4": {"value": "ok \ufffd broken", "isEncodingProblem": true, "isTruncated": false},
    "5": {"value": "begin", "isEncodingProblem": true, "isTruncated": false}})"))
      << json::serialize(out);
}

TEST(EmailView, MaxBodyValueBytesCutsBetweenCharacters) {
  std::string m = "Content-Type: text/plain; charset=utf-8\r\n\r\nh\xC3\xA9llo \xE2\x82\xAC!";
  for (auto [max, value, truncated] : std::vector<std::tuple<uint64_t, std::string, bool>>{
           {1, "h", true},
           {2, "h", true},  // inside é
           {3, "h\xC3\xA9", true},
           {7, "h\xC3\xA9llo ", true},
           {8, "h\xC3\xA9llo ", true},  // inside €
           {9, "h\xC3\xA9llo ", true},
           {10, "h\xC3\xA9llo \xE2\x82\xAC", true},
           {11, "h\xC3\xA9llo \xE2\x82\xAC!", false},
           {0, "h\xC3\xA9llo \xE2\x82\xAC!", false}}) {
    BodyValueOptions options;
    options.fetch_text = true;
    options.max_body_value_bytes = max;
    json::object out = render(m, {"bodyValues"}, options);
    EXPECT_EQ(out.at("bodyValues").at("1").at("value").as_string(), value) << max;
    EXPECT_EQ(out.at("bodyValues").at("1").at("isTruncated").as_bool(), truncated) << max;
  }
}

TEST(EmailView, MaxBodyValueBytesAvoidsHtmlTags) {
  std::string m =
      "Content-Type: text/html\r\n\r\n<p>Hi <a href=\"https://example.com\">there</a></p>";
  for (auto [max, value] : std::vector<std::pair<uint64_t, std::string>>{
           {2, ""},
           {5, "<p>Hi"},
           {20, "<p>Hi "},
           {40, "<p>Hi <a href=\"https://example.com\">ther"}}) {
    BodyValueOptions options;
    options.fetch_html = true;
    options.max_body_value_bytes = max;
    json::object out = render(m, {"bodyValues"}, options);
    EXPECT_EQ(out.at("bodyValues").at("1").at("value").as_string(), value) << max;
    EXPECT_TRUE(out.at("bodyValues").at("1").at("isTruncated").as_bool());
  }
}

TEST(EmailView, RenderSetsOnlyRequestedProperties) {
  json::object out =
      render(kPlain, {"subject", "id", "keywords", "unknownThing", "header:Subject:asDate"});
  EXPECT_EQ(json::value(out), J(R"({"subject": "Dinner on Thürsday?"})"));
}

std::vector<std::filesystem::path> corpus() {
  std::vector<std::filesystem::path> out;
  const char* src = std::getenv("POSTAMT_SOURCE_DIR");
  std::filesystem::path root(src ? src : ".");
  // The project's copies, and the shared corpus beside the checkout when it is there.
  std::filesystem::path dirs[] = {root / "src/mime/testdata", root / "../shared/corpus/mime"};
  for (const auto& dir : dirs) {
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
      if (e.path().extension() == ".eml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void walk_parts(const json::value& part, std::vector<const json::object*>& out) {
  out.push_back(&part.as_object());
  if (const auto* subs = part.as_object().if_contains("subParts"); subs && subs->is_array())
    for (const auto& s : subs->as_array()) walk_parts(s, out);
}

TEST(EmailView, CorpusRendersAndEveryPartExtracts) {
  auto files = corpus();
  ASSERT_GT(files.size(), 40u);
  std::vector<std::string> all = {"headers",       "messageId",     "inReplyTo", "references",
                                  "sender",        "from",          "to",        "cc",
                                  "bcc",           "replyTo",       "subject",   "sentAt",
                                  "bodyStructure", "bodyValues",    "textBody",  "htmlBody",
                                  "attachments",   "hasAttachment", "preview"};
  std::vector<std::string> body = {"partId", "blobId",   "size",     "headers",
                                   "name",   "type",     "charset",  "disposition",
                                   "cid",    "language", "location", "subParts"};
  BodyValueOptions options;
  options.fetch_all = true;
  options.max_body_value_bytes = 100;
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    std::string bytes = postamt::testing::read_file(path);
    mime::Message parsed = mime::parse(bytes);
    json::object out;
    render_email(bytes, parsed, message_ref(), all, body, options, out);
    EXPECT_EQ(out.size(), all.size());
    std::vector<const json::object*> parts;
    walk_parts(out.at("bodyStructure"), parts);
    for (const json::object* p : parts) {
      if (p->at("partId").is_null()) {
        EXPECT_TRUE(p->at("type").as_string().starts_with("multipart/"));
        EXPECT_TRUE(p->at("blobId").is_null());
        continue;
      }
      std::string part_id(p->at("partId").as_string());
      auto ref = parse_blob_id(p->at("blobId").as_string());
      ASSERT_TRUE(ref);
      EXPECT_EQ(ref->blob, message_ref());
      EXPECT_EQ(ref->part_id, part_id);
      auto content = extract_part(bytes, parsed, part_id);
      ASSERT_TRUE(content) << part_id;
      EXPECT_EQ(content->bytes.size(), p->at("size").as_uint64()) << part_id;
      EXPECT_EQ(content->type, p->at("type").as_string()) << part_id;
    }
    for (const auto& [id, value] : out.at("bodyValues").as_object()) {
      EXPECT_LE(value.at("value").as_string().size(), 100u);
      EXPECT_TRUE(extract_part(bytes, parsed, id));
    }
    // Every string is valid JSON text (serialize never throws) and short preview.
    EXPECT_LE(out.at("preview").as_string().size(), 256u * 4);
    (void)json::serialize(out);
  }
}

TEST(EmailView, EveryPrefixRenders) {
  // Cut anywhere (a message that arrives in pieces, or a truncated blob): no crash, part ids
  // still extract.
  std::string full = rfc_layout();
  BodyValueOptions options;
  options.fetch_all = true;
  for (size_t n = 0; n <= full.size(); ++n) {
    std::string bytes = full.substr(0, n);
    mime::Message parsed = mime::parse(bytes);
    json::object out;
    std::vector<std::string> props = {"bodyStructure", "textBody",   "htmlBody",
                                      "attachments",   "bodyValues", "subject"};
    render_email(bytes, parsed, message_ref(), props, {}, options, out);
    for (const auto& list : {"textBody", "htmlBody", "attachments"})
      for (const auto& p : out.at(list).as_array())
        ASSERT_TRUE(extract_part(bytes, parsed, p.at("partId").as_string())) << n;
  }
}

TEST(EmailView, OversizedAndDeepInput) {
  std::string huge_subject = "Subject: " + std::string(200000, 'x') + "\r\n\r\nbody";
  json::object out = render(huge_subject, {"subject", "header:Subject:asRaw"});
  EXPECT_EQ(out.at("subject").as_string().size(), 200000u);
  EXPECT_EQ(out.at("header:Subject:asRaw").as_string().size(), 200001u);

  // Nesting past the parser's depth limit (mime::MimeLimits::max_depth = 100) ends in an
  // opaque leaf, which still has a part id.
  std::string deep;
  for (int i = 0; i < 150; ++i)
    deep += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
            std::to_string(i) + "\r\n";
  deep += "Content-Type: text/plain\r\n\r\nleaf\r\n";
  json::object d =
      render(deep, {"textBody", "attachments", "bodyStructure"}, {}, {"partId", "type"});
  ASSERT_EQ(d.at("attachments").as_array().size() + d.at("textBody").as_array().size(), 1u);
}

TEST(EmailView, Rfc3339Dates) {
  EXPECT_EQ(format_rfc3339(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1414645920, 60), "2014-10-30T06:12:00+01:00");
  EXPECT_EQ(format_rfc3339(1414645920, -570), "2014-10-29T19:42:00-09:30");
  EXPECT_EQ(format_rfc3339(-1, 0), "1969-12-31T23:59:59Z");
  auto d = parse_rfc3339("2014-10-30T06:12:00.123+01:00");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->utc_seconds, 1414645920);
  EXPECT_EQ(d->offset_minutes, 60);
  for (std::string_view bad :
       {"", "2014-10-30", "2014-10-30T06:12:00", "2014-13-30T06:12:00Z", "2014-02-30T06:12:00Z",
        "2014-10-30t06:12:00Z", "2014-10-30T24:00:00Z", "2014-10-30T06:12:00+1:00",
        "2014-10-30T06:12:00Zjunk", "2014-10-30T06:12:00.Z"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

}  // namespace
}  // namespace postamt::jmap
