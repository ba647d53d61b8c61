// The embedded client as the build made it (scripts/embed-web.py): a table the service
// can search, with the index page and hashed, gzip-coded assets.
#include "webmail/assets.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace postamt::webmail {
namespace {

TEST(WebmailAssets, TheTableIsSortedAndHoldsTheIndexPage) {
  auto all = assets();
  ASSERT_FALSE(all.empty());
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const Asset& a, const Asset& b) { return a.path < b.path; }));
  const Asset* index = find_asset("/index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(index->immutable);
  EXPECT_NE(index->body.find("<html"), std::string_view::npos);
  EXPECT_EQ(find_asset("/missing.js"), nullptr);
  EXPECT_EQ(find_asset(""), nullptr);
}

TEST(WebmailAssets, EveryFileHasAValidatorAndAGzipCopyOnlyWhenSmaller) {
  bool saw_script = false;
  for (const Asset& a : assets()) {
    SCOPED_TRACE(std::string(a.path));
    EXPECT_EQ(find_asset(a.path), &a);
    EXPECT_EQ(a.etag.size(), 34u);  // 32 hex digits in quotes
    EXPECT_EQ(a.etag.front(), '"');
    EXPECT_EQ(a.immutable, a.path.starts_with("/assets/"));
    if (!a.gzip.empty()) {
      EXPECT_LT(a.gzip.size(), a.body.size());
      EXPECT_EQ(a.gzip.substr(0, 2), std::string_view("\x1f\x8b", 2));
    }
    if (a.path.ends_with(".js")) {
      saw_script = true;
      EXPECT_EQ(a.content_type, "text/javascript; charset=utf-8");
    }
  }
  EXPECT_TRUE(saw_script);
}

}  // namespace
}  // namespace postamt::webmail
