#include "jmap/email/email_create.h"

#include <gtest/gtest.h>

#include <map>

#include "jmap/email/email_view.h"
#include "mime/message.h"

namespace postamt::jmap {
namespace {

const std::string kHex = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
const std::string kBlob = "B" + kHex;
const std::string kPng("\x89PNG\r\n\x1a\n", 8);

struct Fixture {
  int tokens = 0;
  std::map<std::string, std::string> blobs = {{kHex, kPng}};
  CreateContext context() {
    CreateContext c;
    c.now = 1414645920;  // 2014-10-30T05:12:00Z
    c.hostname = "mx.example.com";
    c.random_token = [this] { return "tok" + std::to_string(++tokens); };
    c.fetch_blob = [this](const BlobIdRef& ref) -> std::optional<std::string> {
      if (!ref.part_id.empty()) return std::nullopt;
      auto it = blobs.find(ref.blob.hex());
      if (it == blobs.end()) return std::nullopt;
      return it->second;
    };
    return c;
  }
};

json::object O(std::string_view text) {
  return json::parse(text).as_object();
}

std::string build_ok(const json::object& create, Fixture& f) {
  auto r = build_email(create, f.context());
  if (auto* e = std::get_if<SetErrorLite>(&r)) {
    ADD_FAILURE() << e->type << " " << (e->properties.empty() ? "" : e->properties[0]);
    return "";
  }
  return std::get<std::string>(r);
}

SetErrorLite build_error(const json::object& create) {
  Fixture f;
  auto r = build_email(create, f.context());
  if (auto* e = std::get_if<SetErrorLite>(&r)) return *e;
  ADD_FAILURE() << "built: " << std::get<std::string>(r);
  return {};
}

TEST(EmailCreate, SimpleTextMessageExactBytes) {
  Fixture f;
  std::string built = build_ok(O(R"({
    "mailboxIds": {"m1": true}, "keywords": {"$draft": true}, "receivedAt": "2014-10-30T05:12:00Z",
    "from": [{"name": "Joe Bloggs", "email": "joe@example.com"}],
    "to": [{"name": null, "email": "jane@example.com"}, {"email": "bob@example.com", "name": "Bob, Jr."}],
    "subject": "Dinner?",
    "sentAt": "2014-10-30T06:12:00+01:00",
    "messageId": ["m1@example.com"],
    "header:X-Mailer": " Postamt test",
    "textBody": [{"partId": "t", "type": "text/plain"}],
    "bodyValues": {"t": {"value": "Hi Jane,\nbye\n", "isTruncated": false}}})"),
                               f);
  EXPECT_EQ(built,
            "From: Joe Bloggs <joe@example.com>\r\n"
            "To: jane@example.com, \"Bob, Jr.\" <bob@example.com>\r\n"
            "Subject: Dinner?\r\n"
            "Date: Thu, 30 Oct 2014 06:12:00 +0100\r\n"
            "Message-ID: <m1@example.com>\r\n"
            "X-Mailer: Postamt test\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "Hi Jane,\r\nbye\r\n");
}

TEST(EmailCreate, AddsDateAndMessageIdWhenAbsent) {
  Fixture f;
  std::string built = build_ok(O(R"({"subject": "x"})"), f);
  EXPECT_EQ(built,
            "Subject: x\r\n"
            "Date: Thu, 30 Oct 2014 05:12:00 +0000\r\n"
            "Message-ID: <tok1@mx.example.com>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n");
}

TEST(EmailCreate, AlternativeExactBytes) {
  Fixture f;
  std::string built = build_ok(O(R"({
    "messageId": ["a@b"], "sentAt": "2020-02-29T23:59:59Z",
    "textBody": [{"partId": "t"}], "htmlBody": [{"partId": "h"}],
    "bodyValues": {"t": {"value": "plain"}, "h": {"value": "<p>caf\u00e9</p>"}}})"),
                               f);
  EXPECT_EQ(built,
            "Date: Sat, 29 Feb 2020 23:59:59 +0000\r\n"
            "Message-ID: <a@b>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/alternative; boundary=\"=_tok1\"\r\n"
            "\r\n"
            "--=_tok1\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "plain\r\n"
            "--=_tok1\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "\r\n"
            "<p>caf=C3=A9</p>\r\n"
            "--=_tok1--\r\n");
}

TEST(EmailCreate, AttachmentFromBlobWithNonAsciiName) {
  Fixture f;
  std::string built =
      build_ok(O(R"({
    "messageId": ["a@b"], "sentAt": "2020-01-01T00:00:00Z",
    "textBody": [{"partId": "t"}],
    "attachments": [{"blobId": ")" +
                 kBlob + R"(", "type": "image/png", "name": "\u00e9t\u00e9.png", "size": 3}],
    "bodyValues": {"t": {"value": "see"}}})"),
               f);
  EXPECT_EQ(built,
            "Date: Wed, 1 Jan 2020 00:00:00 +0000\r\n"
            "Message-ID: <a@b>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"=_tok1\"\r\n"
            "\r\n"
            "--=_tok1\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "see\r\n"
            "--=_tok1\r\n"
            "Content-Type: image/png\r\n"
            "Content-Disposition: attachment; filename*=utf-8''%C3%A9t%C3%A9.png\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "\r\n"
            "iVBORw0KGgo=\r\n"
            "\r\n"
            "--=_tok1--\r\n");
  mime::Message parsed = mime::parse(built);
  json::object out;
  std::vector<std::string> props = {"attachments"};
  render_email(built, parsed, *BlobRef::parse(kHex), props, {}, {}, out);
  EXPECT_EQ(out.at("attachments").as_array()[0].at("name"), json::value("été.png"));
  EXPECT_EQ(out.at("attachments").as_array()[0].at("size"), json::value(8));
  EXPECT_EQ(extract_part(built, parsed, "2")->bytes, kPng);
}

TEST(EmailCreate, InlineImageGoesIntoRelated) {
  Fixture f;
  std::string built =
      build_ok(O(R"({
    "messageId": ["a@b"], "sentAt": "2020-01-01T00:00:00Z",
    "textBody": [{"partId": "t"}], "htmlBody": [{"partId": "h"}],
    "attachments": [{"blobId": ")" +
                 kBlob + R"(", "type": "image/png", "cid": "logo@x"},
                    {"blobId": ")" +
                 kBlob + R"(", "type": "application/octet-stream", "name": "a.bin"}],
    "bodyValues": {"t": {"value": "t"}, "h": {"value": "<img src=\"cid:logo@x\">"}}})"),
               f);
  mime::Message parsed = mime::parse(built);
  json::object out;
  std::vector<std::string> props = {"bodyStructure", "textBody", "htmlBody", "attachments"};
  std::vector<std::string> body = {"partId", "type", "cid", "disposition", "subParts"};
  render_email(built, parsed, *BlobRef::parse(kHex), props, body, {}, out);
  EXPECT_EQ(out.at("bodyStructure"),
            json::parse(R"({"partId": null, "type": "multipart/mixed", "cid": null,
    "disposition": null, "subParts": [
      {"partId": null, "type": "multipart/alternative", "cid": null, "disposition": null, "subParts": [
        {"partId": "1.1", "type": "text/plain", "cid": null, "disposition": null, "subParts": null},
        {"partId": null, "type": "multipart/related", "cid": null, "disposition": null, "subParts": [
          {"partId": "1.2.1", "type": "text/html", "cid": null, "disposition": null, "subParts": null},
          {"partId": "1.2.2", "type": "image/png", "cid": "logo@x", "disposition": "inline", "subParts": null}]}]},
      {"partId": "2", "type": "application/octet-stream", "cid": null, "disposition": "attachment",
       "subParts": null}]})"))
      << json::serialize(out);
}

TEST(EmailCreate, BodyStructureAndRoundTrip) {
  Fixture f;
  std::string built = build_ok(O(R"({
    "from": [{"name": "Jürgen Groß", "email": "juergen@example.de"}],
    "to": [{"email": "ann@example.com"}],
    "subject": "Grüße aus Köln — a long subject line that has to be folded over several lines of the header",
    "header:List-Post:asURLs": ["mailto:list@example.com"],
    "header:X-Groups:asGroupedAddresses": [{"name": "Team", "addresses": [{"email": "t@example.com"}]},
                                            {"name": null, "addresses": [{"email": "u@example.com"}]}],
    "header:X-Seen:asDate:all": ["2020-01-01T10:00:00+02:00", "2020-01-02T10:00:00-05:30"],
    "bodyStructure": {"type": "multipart/mixed", "subParts": [
      {"partId": "p1", "type": "text/plain", "header:X-Part": " one", "language": ["de"]},
      {"blobId": ")" + kBlob + R"(", "type": "application/x-thing", "disposition": "attachment",
       "name": "x.bin"}]},
    "bodyValues": {"p1": {"value": "Grüße\nZeile 2 with = sign and trailing space \nend"}}})"),
                               f);
  for (size_t start = 0, end; start < built.size(); start = end + 2) {
    end = built.find("\r\n", start);
    if (end == std::string::npos) break;
    if (end == start) break;  // the header ends
    EXPECT_LE(end - start, 78u) << built.substr(start, end - start);
  }
  mime::Message parsed = mime::parse(built);
  json::object out;
  std::vector<std::string> props = {"from",
                                    "to",
                                    "subject",
                                    "header:List-Post:asURLs",
                                    "header:X-Groups:asGroupedAddresses",
                                    "header:X-Seen:asDate:all",
                                    "bodyValues",
                                    "textBody",
                                    "attachments"};
  BodyValueOptions options;
  options.fetch_all = true;
  render_email(built, parsed, *BlobRef::parse(kHex), props,
               std::vector<std::string>{"partId", "type", "language", "header:X-Part"}, options,
               out);
  EXPECT_EQ(json::value(out), json::parse(R"({
    "from": [{"name": "Jürgen Groß", "email": "juergen@example.de"}],
    "to": [{"name": null, "email": "ann@example.com"}],
    "subject": "Grüße aus Köln — a long subject line that has to be folded over several lines of the header",
    "header:List-Post:asURLs": ["mailto:list@example.com"],
    "header:X-Groups:asGroupedAddresses": [{"name": "Team", "addresses": [{"name": null, "email": "t@example.com"}]},
                                            {"name": null, "addresses": [{"name": null, "email": "u@example.com"}]}],
    "header:X-Seen:asDate:all": ["2020-01-01T10:00:00+02:00", "2020-01-02T10:00:00-05:30"],
    "bodyValues": {"1": {"value": "Grüße\nZeile 2 with = sign and trailing space \nend",
                         "isEncodingProblem": false, "isTruncated": false}},
    "textBody": [{"partId": "1", "type": "text/plain", "language": ["de"], "header:X-Part": " one"}],
    "attachments": [{"partId": "2", "type": "application/x-thing", "language": null, "header:X-Part": null}]
  })"))
      << json::serialize(out) << built;
}

TEST(EmailCreate, BlobNotFoundListsEveryMissingId) {
  std::string missing = "B" + std::string(64, 'a');
  SetErrorLite e = build_error(O(R"({"attachments": [
      {"blobId": ")" + missing + R"("}, {"blobId": "nonsense"}, {"blobId": ")" +
                                 kBlob + R"("},
      {"blobId": ")" + missing + R"("}]})"));
  EXPECT_EQ(e.type, "blobNotFound");
  EXPECT_EQ(e.not_found, (std::vector<std::string>{missing, "nonsense"}));
}

struct InvalidCase {
  std::string create;
  std::vector<std::string> properties;
};

TEST(EmailCreate, InvalidPropertiesRules) {
  const std::string t = R"("bodyValues": {"t": {"value": "x"}})";
  std::vector<InvalidCase> cases = {
      {R"({"headers": []})", {"headers"}},
      {R"({"preview": "x"})", {"preview"}},
      {R"({"noSuchProperty": 1})", {"noSuchProperty"}},
      {R"({"from": [{"email": "a@b"}], "header:FROM:asAddresses": [{"email": "c@d"}]})",
       {"from", "header:FROM:asAddresses"}},
      {R"({"header:X-A": " 1", "header:x-a:asText": "2"})", {"header:X-A", "header:x-a:asText"}},
      {R"({"sentAt": "2020-01-01T00:00:00Z", "header:Date": " Mon, 1 Jan 2024 00:00:00 +0000"})",
       {"sentAt", "header:Date"}},
      {R"({"header:Subject:asDate": "2020-01-01T00:00:00Z"})", {"header:Subject:asDate"}},
      {R"({"header:Content-Type": " text/plain"})", {"header:Content-Type"}},
      {R"({"header:X-Evil": " x\r\nBcc: evil@example.com"})", {"header:X-Evil"}},
      {R"({"header:X-Evil": " x\nBcc: evil@example.com"})", {"header:X-Evil"}},
      {R"({"sentAt": "yesterday"})", {"sentAt"}},
      {R"({"from": [{"name": "x"}]})", {"from"}},
      {R"({"to": [{"email": "a@b\r\nBcc: c@d"}]})", {"to"}},
      {R"({"messageId": ["no-at-sign"]})", {"messageId"}},
      {R"({"subject": 5})", {"subject"}},
      {R"({"bodyStructure": {"partId": "t"}, "textBody": [{"partId": "t"}], )" + t + "}",
       {"bodyStructure"}},
      {R"({"subject": "s", "bodyStructure": {"partId": "t", "header:Subject": " s"}, )" + t + "}",
       {"bodyStructure/header:Subject"}},
      {R"({"textBody": [{"partId": "t"}, {"partId": "t"}], )" + t + "}", {"textBody"}},
      {R"({"textBody": [], )" + t + "}", {"textBody"}},
      {R"({"textBody": [{"partId": "t", "type": "text/html"}], )" + t + "}", {"textBody/0/type"}},
      {R"({"htmlBody": [{"partId": "t", "type": "text/plain"}], )" + t + "}", {"htmlBody/0/type"}},
      {R"({"textBody": [{"partId": "t", "blobId": ")" + kBlob + R"("}], )" + t + "}",
       {"textBody/0/partId"}},
      {R"({"textBody": [{"type": "text/plain"}], )" + t + "}", {"textBody/0/partId"}},
      {R"({"textBody": [{"partId": "nope"}], )" + t + "}", {"textBody/0/partId"}},
      {R"({"textBody": [{"partId": "t", "charset": "utf-8"}], )" + t + "}", {"textBody/0/charset"}},
      {R"({"textBody": [{"partId": "t", "size": 1}], )" + t + "}", {"textBody/0/size"}},
      {R"({"textBody": [{"partId": "t", "headers": []}], )" + t + "}", {"textBody/0/headers"}},
      {R"({"attachments": [{"blobId": ")" + kBlob +
           R"(", "header:Content-Transfer-Encoding": " base64"}]})",
       {"attachments/0/header:Content-Transfer-Encoding"}},
      {R"({"attachments": [{"blobId": ")" + kBlob +
           R"(", "type": "image/png", "header:Content-Type": " image/gif"}]})",
       {"attachments/0/header:Content-Type"}},
      {R"({"attachments": [{"blobId": ")" + kBlob +
           R"(", "cid": "a", "header:Content-ID": " <b>"}]})",
       {"attachments/0/header:Content-ID"}},
      {R"({"attachments": [{"type": "multipart/mixed", "subParts": []}]})", {"attachments/0/type"}},
      {R"({"bodyStructure": {"type": "multipart/mixed"}})", {"bodyStructure/subParts"}},
      {R"({"bodyStructure": {"type": "multipart/mixed", "partId": "t", "subParts": []}, )" + t +
           "}",
       {"bodyStructure/partId"}},
      {R"({"bodyStructure": {"type": "multipart/mixed", "subParts": [{"partId": "t", "charset": "x"}]}, )" +
           t + "}",
       {"bodyStructure/subParts/0/charset"}},
      {R"({"bodyStructure": {"partId": "t", "subParts": []}, )" + t + "}",
       {"bodyStructure/subParts"}},
      {R"({"textBody": [{"partId": "t"}], "bodyValues": {"t": {"value": "x", "isTruncated": true}}})",
       {"bodyValues/t/isTruncated"}},
      {R"({"textBody": [{"partId": "t"}], "bodyValues": {"t": {"value": "x", "isEncodingProblem": true}}})",
       {"bodyValues/t/isEncodingProblem"}},
      {R"({"textBody": [{"partId": "t"}], "bodyValues": {"t": {"value": 3}}})", {"bodyValues/t"}},
      {R"({"textBody": [{"partId": "t", "type": "text/plain\r\nX: y"}], )" + t + "}",
       {"textBody/0/type"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.create);
    SetErrorLite e = build_error(json::parse(c.create).as_object());
    EXPECT_EQ(e.type, "invalidProperties");
    EXPECT_EQ(e.properties, c.properties);
  }
}

TEST(EmailCreate, RawHeaderMayFold) {
  Fixture f;
  std::string built = build_ok(O(R"({"messageId": ["a@b"], "sentAt": "2020-01-01T00:00:00Z",
    "header:X-Long": " one\r\n two", "header:X-Two:all": [" a", " b"]})"),
                               f);
  EXPECT_EQ(built,
            "Date: Wed, 1 Jan 2020 00:00:00 +0000\r\n"
            "Message-ID: <a@b>\r\n"
            "X-Long: one\r\n two\r\n"
            "X-Two: a\r\n"
            "X-Two: b\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n");
}

TEST(EmailCreate, LongNonAsciiLinesGoQuotedPrintableAndComeBack) {
  Fixture f;
  std::string line;
  for (int i = 0; i < 60; ++i) line += "\u00fcber=";
  std::string value_json = line + "\\n\\ttab at end\\t\\n" + std::string(1200, 'a');
  std::string built =
      build_ok(O(R"({"textBody": [{"partId": "t"}], "bodyValues": {"t": {"value": ")" + value_json +
                 R"("}}})"),
               f);
  size_t body = built.find("\r\n\r\n") + 4;
  EXPECT_NE(built.find("Content-Transfer-Encoding: quoted-printable\r\n"), std::string::npos);
  for (size_t start = body, end; (end = built.find("\r\n", start)) != std::string::npos;
       start = end + 2)
    EXPECT_LE(end - start, 76u);
  mime::Message parsed = mime::parse(built);
  json::object out;
  std::vector<std::string> props = {"bodyValues"};
  BodyValueOptions options;
  options.fetch_all = true;
  render_email(built, parsed, *BlobRef::parse(kHex), props, {}, options, out);
  std::string expected;
  for (int i = 0; i < 60; ++i)
    expected +=
        "\xC3\xBC"
        "ber=";
  expected += "\n\ttab at end\t\n" + std::string(1200, 'a');
  EXPECT_EQ(out.at("bodyValues").at("1").at("value").as_string(), expected);
}

TEST(EmailCreate, SevenBitBlobStaysReadable) {
  Fixture f;
  f.blobs[kHex] = "Subject: inner\r\n\r\nhello\r\n";
  std::string built = build_ok(O(R"({"messageId": ["a@b"], "sentAt": "2020-01-01T00:00:00Z",
    "bodyStructure": {"blobId": ")" +
                                 kBlob + R"(", "type": "message/rfc822"}})"),
                               f);
  EXPECT_EQ(built,
            "Date: Wed, 1 Jan 2020 00:00:00 +0000\r\n"
            "Message-ID: <a@b>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: message/rfc822\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "Subject: inner\r\n\r\nhello\r\n");
}

}  // namespace
}  // namespace postamt::jmap
