#include "autoconfig/proto/autodiscover_request.h"

#include <gtest/gtest.h>

namespace postamt::autoconfig {
namespace {

// What Outlook sends.
constexpr std::string_view kOutlook =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
    "<Autodiscover "
    "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">\r\n"
    "  <Request>\r\n"
    "    <EMailAddress>alice@example.org</EMailAddress>\r\n"
    "    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/"
    "responseschema/2006a</AcceptableResponseSchema>\r\n"
    "  </Request>\r\n"
    "</Autodiscover>\r\n";

std::string error_of(std::string_view body) {
  auto r = parse_autodiscover_request(body);
  return r ? "parsed: " + r->email_address : r.error().message;
}

std::string wrap(std::string_view request_content) {
  return "<Autodiscover "
         "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">"
         "<Request>" +
         std::string(request_content) + "</Request></Autodiscover>";
}

TEST(AutodiscoverRequest, Outlook) {
  auto r = parse_autodiscover_request(kOutlook);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->email_address, "alice@example.org");
  EXPECT_EQ(r->acceptable_response_schema,
            "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a");
}

// The same request fed in every split, as a parser must take it (here whole bodies only:
// the split shows that no prefix of a valid request is taken as one).
TEST(AutodiscoverRequest, NoPrefixIsARequest) {
  for (size_t n = 0; n + 2 < kOutlook.size(); ++n)
    EXPECT_FALSE(parse_autodiscover_request(kOutlook.substr(0, n))) << n;
}

TEST(AutodiscoverRequest, PrefixesReferencesCdataCommentsAndBom) {
  auto r = parse_autodiscover_request(
      "\xEF\xBB\xBF<!-- hello --><?pi x?>"
      "<a:Autodiscover xmlns:a=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/"
      "requestschema/2006\" xmlns:z='urn:other'>"
      "<a:Request><z:EMailAddress>ignored@example.org</z:EMailAddress>"
      "<a:LegacyDN>/o=x</a:LegacyDN>"
      "<a:EMailAddress> b&#x6F;&#98;&amp;c<![CDATA[<d>]]>@example.org\n</a:EMailAddress>"
      "</a:Request></a:Autodiscover>\n<!-- end -->");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->email_address, "bob&c<d>@example.org");
  EXPECT_EQ(r->acceptable_response_schema, "");
}

TEST(AutodiscoverRequest, RefusesDtdsAndEntities) {
  EXPECT_EQ(error_of("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]>" + wrap("")),
            "a DOCTYPE is not accepted (no DTDs, no entity declarations)");
  EXPECT_EQ(error_of(wrap("<EMailAddress>&a;@example.org</EMailAddress>")),
            "undeclared entity &a;");
  EXPECT_EQ(error_of(wrap("<EMailAddress>a & b</EMailAddress>")),
            "malformed reference (a bare '&')");
  EXPECT_EQ(error_of(wrap("<EMailAddress>&#0;</EMailAddress>")),
            "character reference to a character XML does not allow");
  EXPECT_EQ(error_of(wrap("<EMailAddress>&#xD800;</EMailAddress>")),
            "character reference to a character XML does not allow");
  EXPECT_EQ(error_of(wrap("<EMailAddress>&#x110000000;</EMailAddress>")),
            "malformed character reference");
  EXPECT_EQ(error_of("<?xml version=\"1.0\" encoding=\"UTF-16\"?>" + wrap("")),
            "encoding \"UTF-16\" is not accepted (UTF-8 only)");
  // Found by the fuzzer: error messages quote only what is a name, so they stay one line.
  EXPECT_EQ(error_of("<?xml version=\"1.0\" encoding=\"a\r\nb\"?>" + wrap("")),
            "malformed XML declaration");
  EXPECT_EQ(error_of(wrap("<EMailAddress>&a\nb;</EMailAddress>")),
            "malformed reference (a bare '&')");
}

TEST(AutodiscoverRequest, RefusesMalformedXml) {
  EXPECT_EQ(error_of(""), "no root element");
  EXPECT_EQ(error_of("hello"), "text outside the root element");
  EXPECT_EQ(error_of(wrap("<EMailAddress>a@b</Email>")), "</Email> does not close <EMailAddress>");
  EXPECT_EQ(error_of(wrap("<EMailAddress>a@b")), "</Request> does not close <EMailAddress>");
  std::string unclosed = wrap("<EMailAddress>a@b</EMailAddress>");
  unclosed.resize(unclosed.size() - std::string_view("</Autodiscover>").size());
  EXPECT_EQ(error_of(unclosed), "<Autodiscover> is not closed");
  EXPECT_EQ(error_of(wrap("<EMailAddress x=1>a@b</EMailAddress>")),
            "attribute value without quotes");
  EXPECT_EQ(error_of(wrap("<EMailAddress x='1' x='2'>a@b</EMailAddress>")),
            "duplicate attribute x");
  EXPECT_EQ(error_of(wrap("<EMailAddress x='1'y='2'>a@b</EMailAddress>")),
            "attributes must be separated by white space");
  EXPECT_EQ(error_of(wrap("<p:EMailAddress>a@b</p:EMailAddress>")),
            "undeclared namespace prefix p");
  EXPECT_EQ(error_of(wrap("<EMailAddress>a@b</EMailAddress>") + "<x/>"),
            "more than one root element");
  EXPECT_EQ(error_of(wrap("<EMailAddress>a@b</EMailAddress>") + "<?xml version='1.0'?>"),
            "an XML declaration is only allowed at the start");
  EXPECT_EQ(error_of(wrap("<!-- x")), "unterminated comment");
  EXPECT_EQ(error_of(wrap("<![CDATA[x")), "unterminated CDATA section");
  EXPECT_EQ(error_of(wrap("<!ELEMENT x ANY>")), "markup declarations are not accepted");
  EXPECT_EQ(error_of(wrap("<1x/>")), "malformed element or attribute name");
}

TEST(AutodiscoverRequest, RefusesWhatIsNoRequest) {
  EXPECT_EQ(error_of("<Autodiscover><Request><EMailAddress>a@b</EMailAddress></Request>"
                     "</Autodiscover>"),
            "the root element is not Autodiscover in the namespace "
            "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006");
  EXPECT_EQ(error_of(wrap("")), "no EMailAddress in the Request");
  EXPECT_EQ(error_of(wrap("<EMailAddress>a@b</EMailAddress><EMailAddress>c@d</EMailAddress>")),
            "more than one EMailAddress in the Request");
  EXPECT_EQ(error_of(wrap("<EMailAddress>a@b<b>x</b></EMailAddress>")),
            "EMailAddress and AcceptableResponseSchema hold text only");
  std::string two = wrap("<EMailAddress>a@b</EMailAddress>");
  two.insert(two.size() - std::string_view("</Autodiscover>").size(), "<Request/>");
  EXPECT_EQ(error_of(two), "more than one Request element");
  EXPECT_EQ(error_of("<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/"
                     "outlook/requestschema/2006\"/>"),
            "no Request element");
}

TEST(AutodiscoverRequest, DepthIsBounded) {
  std::string deep;
  for (size_t i = 0; i < kMaxDepth - 2; ++i) deep += "<x>";
  for (size_t i = 0; i < kMaxDepth - 2; ++i) deep += "</x>";
  EXPECT_EQ(error_of(wrap("<EMailAddress>a@b</EMailAddress>" + deep)), "parsed: a@b");
  std::string deeper = "<x>" + deep + "</x>";
  EXPECT_EQ(error_of(wrap("<EMailAddress>a@b</EMailAddress>" + deeper)),
            "elements nested deeper than 32");
}

}  // namespace
}  // namespace postamt::autoconfig
