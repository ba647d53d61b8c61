#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "jmap/proto/arguments.h"

namespace postamt::jmap {
namespace {

constexpr std::string_view kMailbox =
    R"({"name":"Inbox","keywords":{"$seen":true,"a/b":true},"sub":{"deep":{"x":1}},)"
    R"("list":[{"a":1}],"n":null,"s":"str"})";

// The patched object, or "error: <description>".
std::string patched(std::string_view patch, std::string_view target = kMailbox) {
  auto t = json::parse(target).as_object();
  auto before = t;
  auto e = apply_patch(t, json::parse(patch).as_object());
  if (!e) return json::serialize(t);
  EXPECT_EQ(e->type, "invalidPatch");
  EXPECT_EQ(t, before) << "a failed patch changed the target";
  return "error: " + e->description;
}

TEST(JmapPatch, SetsAndReplaces) {
  EXPECT_EQ(patched(R"({"name":"Post","role":"inbox"})"),
            R"({"name":"Post","keywords":{"$seen":true,"a/b":true},"sub":{"deep":{"x":1}},)"
            R"("list":[{"a":1}],"n":null,"s":"str","role":"inbox"})");
  EXPECT_EQ(patched(R"({})"), json::serialize(json::parse(kMailbox)));
  // A whole object is a valid patch (§5.3).
  EXPECT_EQ(patched(R"({"a":[1],"b":{"c":2}})", "{}"), R"({"a":[1],"b":{"c":2}})");
}

TEST(JmapPatch, Removes) {
  EXPECT_EQ(patched(R"({"keywords/$seen":null,"s":null,"absent":null,"sub/deep/none":null})"),
            R"({"name":"Inbox","keywords":{"a/b":true},"sub":{"deep":{"x":1}},)"
            R"("list":[{"a":1}],"n":null})");
}

TEST(JmapPatch, NestedAndEscaped) {
  EXPECT_EQ(patched(R"({"keywords/$flagged":true,"keywords/a~1b":null,"sub/deep/x":2,)"
                    R"("sub/deep/y":{"z":[]}})"),
            R"({"name":"Inbox","keywords":{"$seen":true,"$flagged":true},)"
            R"("sub":{"deep":{"x":2,"y":{"z":[]}}},"list":[{"a":1}],"n":null,"s":"str"})");
  EXPECT_EQ(patched(R"({"a~0b":1,"":2})", "{}"), R"({"a~b":1,"":2})");
}

TEST(JmapPatch, InvalidPaths) {
  EXPECT_EQ(patched(R"({"missing/x":1})"),
            "error: \"missing/x\" goes through a member that is missing or not an object");
  EXPECT_EQ(patched(R"({"sub/none/x":1})"),
            "error: \"sub/none/x\" goes through a member that is missing or not an object");
  // Into arrays, strings and null.
  EXPECT_EQ(patched(R"({"list/0":{}})"),
            "error: \"list/0\" goes through a member that is missing or not an object");
  EXPECT_EQ(patched(R"({"list/0/a":2})"),
            "error: \"list/0/a\" goes through a member that is missing or not an object");
  EXPECT_EQ(patched(R"({"s/x":1})"),
            "error: \"s/x\" goes through a member that is missing or not an object");
  EXPECT_EQ(patched(R"({"n/x":1})"),
            "error: \"n/x\" goes through a member that is missing or not an object");
  EXPECT_EQ(patched(R"({"a~2":1})"), "error: \"a~2\" is not a valid JSON Pointer");
  EXPECT_EQ(patched(R"({"a~":1})"), "error: \"a~\" is not a valid JSON Pointer");
  // One bad path keeps the good ones from applying.
  EXPECT_EQ(patched(R"({"name":"x","zzz/y":1})"),
            "error: \"zzz/y\" goes through a member that is missing or not an object");
}

TEST(JmapPatch, PrefixConflicts) {
  EXPECT_EQ(patched(R"({"sub":{},"sub/deep/x":3})"),
            "error: \"sub\" and \"sub/deep/x\" patch the same place");
  EXPECT_EQ(patched(R"({"sub/deep/x":3,"sub/deep":null})"),
            "error: \"sub/deep\" and \"sub/deep/x\" patch the same place");
  EXPECT_EQ(patched(R"({"keywords/a~1b":true,"keywords/a":1})"),
            R"({"name":"Inbox","keywords":{"$seen":true,"a/b":true,"a":1},)"
            R"("sub":{"deep":{"x":1}},"list":[{"a":1}],"n":null,"s":"str"})");
  // "a/b" and "a/bc" share a string prefix, not a token prefix.
  EXPECT_EQ(patched(R"({"sub/deep":{},"sub/deeper":1})"),
            R"({"name":"Inbox","keywords":{"$seen":true,"a/b":true},"sub":{"deep":{},)"
            R"("deeper":1},"list":[{"a":1}],"n":null,"s":"str"})");
  // A conflict is found between paths that do not sort next to each other by string.
  EXPECT_EQ(patched(R"({"sub":1,"sub/a":1,"sub!":1})", R"({"sub":{}})"),
            "error: \"sub\" and \"sub/a\" patch the same place");
}

}  // namespace
}  // namespace postamt::jmap
