#include "autoconfig/proto/xml.h"

#include <gtest/gtest.h>

namespace postamt::autoconfig {
namespace {

TEST(XmlEscape, MarkupCharacters) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape("&amp;"), "&amp;amp;");  // escaped again, never passed through
  EXPECT_EQ(xml_escape(""), "");
}

TEST(XmlEscape, KeepsUtf8AndAllowedControls) {
  EXPECT_EQ(xml_escape("Gr\xC3\xBC\xC3\x9F"
                       "e \xF0\x9F\x93\xAE\t\r\n"),
            "Gr\xC3\xBC\xC3\x9F"
            "e \xF0\x9F\x93\xAE\t\r\n");
}

// XML 1.0 §2.2: these can appear in no document, not even as references.
TEST(XmlEscape, ReplacesWhatXmlCannotCarry) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(xml_escape(std::string("a\0b", 3)), "a" + fffd + "b");
  EXPECT_EQ(xml_escape("\x01\x1B\x7F"), fffd + fffd + "\x7F");
  EXPECT_EQ(xml_escape("\xEF\xBF\xBE"), fffd);                // U+FFFE
  EXPECT_EQ(xml_escape("\xC3"), fffd);                        // truncated sequence
  EXPECT_EQ(xml_escape("\xC0\xBC"), fffd + fffd);             // overlong '<'
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), fffd + fffd + fffd);  // a surrogate
  EXPECT_EQ(xml_escape("\xFF<"), fffd + "&lt;");
}

TEST(XmlWriter, NestsIndentsAndEscapesAttributes) {
  XmlWriter xml;
  xml.open("root", {{"id", "a\"b<c"}, {"x", "1"}});
  xml.element("child", "t & u");
  xml.element("empty", "");
  xml.open("inner");
  xml.element("leaf", "v", {{"k", "'"}});
  xml.close();
  EXPECT_EQ(xml.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<root id=\"a&quot;b&lt;c\" x=\"1\">\n"
            "  <child>t &amp; u</child>\n"
            "  <empty/>\n"
            "  <inner>\n"
            "    <leaf k=\"&apos;\">v</leaf>\n"
            "  </inner>\n"
            "</root>\n");
}

TEST(XmlWriter, PlistValues) {
  XmlWriter xml;
  xml.raw_line("<!DOCTYPE plist>");
  xml.open("dict");
  plist_string(xml, "Name", "<Mail & Co>");
  plist_string(xml, "Empty", "");
  plist_integer(xml, "Port", 993);
  plist_bool(xml, "Yes", true);
  plist_bool(xml, "No", false);
  EXPECT_EQ(xml.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<!DOCTYPE plist>\n"
            "<dict>\n"
            "  <key>Name</key>\n"
            "  <string>&lt;Mail &amp; Co&gt;</string>\n"
            "  <key>Empty</key>\n"
            "  <string/>\n"
            "  <key>Port</key>\n"
            "  <integer>993</integer>\n"
            "  <key>Yes</key>\n"
            "  <true/>\n"
            "  <key>No</key>\n"
            "  <false/>\n"
            "</dict>\n");
}

}  // namespace
}  // namespace postamt::autoconfig
