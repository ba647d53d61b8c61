#include "jmap/engine/search_snippet.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "mime/text_search.h"

namespace postamt::jmap {
namespace {

std::vector<std::string> terms(std::initializer_list<std::string_view> words) {
  std::vector<std::string> out;
  for (std::string_view w : words) out.push_back(mime::fold_case(w));
  return out;
}

TEST(MarkMatches, EscapesAndMarksIgnoringCase) {
  EXPECT_EQ(mark_matches("Fish & <Chips>", terms({"chips"})),
            "Fish &amp; &lt;<mark>Chips</mark>&gt;");
  EXPECT_EQ(mark_matches("no match", terms({"fish"})), std::nullopt);
  EXPECT_EQ(mark_matches("anything", {}), std::nullopt);
}

TEST(MarkMatches, FoldsUnicodeAndKeepsTheOriginalText) {
  EXPECT_EQ(mark_matches("Sommer ÉTÉ 2026", terms({"été"})), "Sommer <mark>ÉTÉ</mark> 2026");
  // KELVIN SIGN folds to "k": three octets in the original, one folded.
  EXPECT_EQ(mark_matches("\u212Aelvin", terms({"kel"})), "<mark>\u212Ael</mark>vin");
}

TEST(MarkMatches, MergesOverlappingMatches) {
  EXPECT_EQ(mark_matches("abcdef", terms({"bcd", "cde"})), "a<mark>bcde</mark>f");
  EXPECT_EQ(mark_matches("aaaa", terms({"aa"})), "<mark>aaaa</mark>");
  EXPECT_EQ(mark_matches("ab cd", terms({"ab", "cd"})), "<mark>ab</mark> <mark>cd</mark>");
}

TEST(PreviewSnippet, StartsBeforeTheMatchAtAWordAndCollapsesSpace) {
  std::string text = "one two three four five six seven eight nine\r\n\r\n  ten   eleven";
  EXPECT_EQ(preview_snippet(text, terms({"eleven"})),
            "six seven eight nine ten <mark>eleven</mark>");
  EXPECT_EQ(preview_snippet("short match", terms({"short"})), "<mark>short</mark> match");
  EXPECT_EQ(preview_snippet("nothing", terms({"x"})), std::nullopt);
}

TEST(PreviewSnippet, NeverExceedsTheLimitNorCutsACharacterOrEntity) {
  std::string text = "target";
  for (int i = 0; i < 200; ++i) text += " ä&";
  auto p = preview_snippet(text, terms({"target"}));
  ASSERT_TRUE(p);
  EXPECT_LE(p->size(), kSnippetPreviewOctets);
  EXPECT_TRUE(p->starts_with("<mark>target</mark> ä&amp; "));
  // Ends after a whole entity or character: the cut lost only whole units.
  EXPECT_TRUE(p->ends_with("&amp;") || p->ends_with("ä") || p->ends_with(" ")) << *p;
  // A mark that does not fit is not opened.
  std::string tight = std::string(10, 'x') + " target";
  EXPECT_EQ(preview_snippet(tight, terms({"target"}), 20), "xxxxxxxxxx ");
  EXPECT_EQ(preview_snippet(tight, terms({"target"}), 27), "xxxxxxxxxx ");
  EXPECT_EQ(preview_snippet(tight, terms({"target"}), 28), "xxxxxxxxxx <mark>targ</mark>");
  EXPECT_EQ(preview_snippet(tight, terms({"target"}), 30), "xxxxxxxxxx <mark>target</mark>");
}

TEST(SnippetTerms, TakesTextConditionsOutsideNot) {
  auto filter = boost::json::parse(
      R"({"operator":"OR","conditions":[{"text":"A"},{"subject":"S","body":"B"},)"
      R"({"operator":"NOT","conditions":[{"text":"never"}]},{"from":"f"},{"body":""}]})");
  SnippetTerms t = snippet_terms(filter);
  EXPECT_EQ(t.subject, (std::vector<std::string>{"a", "s"}));
  EXPECT_EQ(t.body, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(snippet_terms(boost::json::parse("[1]")).subject.empty());
}

TEST(HtmlToText, DropsMarkupAndDecodesReferences) {
  EXPECT_EQ(html_to_text("<html><head><title>T</title></head><body><p>a&amp;b &lt;c&gt;</p>"
                         "<script>x<y</script>&#233;&#x4E2D;&nbsp;&bogus; &#xD800;</body></html>"),
            "    a&b <c>  é中 &bogus; &#xD800;  ");
  EXPECT_EQ(html_to_text("<header>kept</header>"), " kept ");
  EXPECT_EQ(html_to_text("unclosed <b"), "unclosed ");
  EXPECT_EQ(html_to_text("&#99999999999;"), "&#99999999999;");
}

}  // namespace
}  // namespace postamt::jmap
