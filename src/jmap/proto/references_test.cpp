#include "jmap/proto/references.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace postamt::jmap {
namespace {

json::object obj(std::string_view text) {
  return json::parse(text).as_object();
}

std::string eval(std::string_view doc, std::string_view pointer) {
  auto v = evaluate_pointer(json::parse(doc), pointer);
  return v ? json::serialize(*v) : "nullopt";
}

// RFC 6901 §5.
constexpr std::string_view kRfc6901 = R"({
  "foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5,
  "k\"l": 6, " ": 7, "m~n": 8})";

TEST(JmapPointer, Rfc6901Examples) {
  EXPECT_EQ(eval(kRfc6901, ""), json::serialize(json::parse(kRfc6901)));
  EXPECT_EQ(eval(kRfc6901, "/foo"), R"(["bar","baz"])");
  EXPECT_EQ(eval(kRfc6901, "/foo/0"), R"("bar")");
  EXPECT_EQ(eval(kRfc6901, "/"), "0");
  EXPECT_EQ(eval(kRfc6901, "/a~1b"), "1");
  EXPECT_EQ(eval(kRfc6901, "/c%d"), "2");
  EXPECT_EQ(eval(kRfc6901, "/e^f"), "3");
  EXPECT_EQ(eval(kRfc6901, "/g|h"), "4");
  EXPECT_EQ(eval(kRfc6901, "/i\\j"), "5");
  EXPECT_EQ(eval(kRfc6901, "/k\"l"), "6");
  EXPECT_EQ(eval(kRfc6901, "/ "), "7");
  EXPECT_EQ(eval(kRfc6901, "/m~0n"), "8");
}

TEST(JmapPointer, EscapesApplyInOrder) {
  // "~01" is "~1" as a name, not "/" (RFC 6901 §4: ~1 first, then ~0).
  EXPECT_EQ(eval(R"({"~1":1,"/":2})", "/~01"), "1");
  EXPECT_EQ(eval(R"({"~1":1,"/":2})", "/~1"), "2");
}

TEST(JmapPointer, FailuresAreNullopt) {
  EXPECT_EQ(eval(kRfc6901, "foo"), "nullopt");   // no leading "/"
  EXPECT_EQ(eval(kRfc6901, "/m~n"), "nullopt");  // bad escape
  EXPECT_EQ(eval(kRfc6901, "/m~"), "nullopt");   // "~" at the end
  EXPECT_EQ(eval(kRfc6901, "/missing"), "nullopt");
  EXPECT_EQ(eval(kRfc6901, "/foo/2"), "nullopt");  // past the end
  EXPECT_EQ(eval(kRfc6901, "/foo/-"), "nullopt");
  EXPECT_EQ(eval(kRfc6901, "/foo/01"), "nullopt");  // leading zero
  EXPECT_EQ(eval(kRfc6901, "/foo/-0"), "nullopt");
  EXPECT_EQ(eval(kRfc6901, "/foo/1x"), "nullopt");
  EXPECT_EQ(eval(kRfc6901, "/foo/"), "nullopt");
  EXPECT_EQ(eval(kRfc6901, "/foo/99999999999999999999999999"), "nullopt");
  EXPECT_EQ(eval(kRfc6901, "/foo/0/x"), "nullopt");  // into a string
  EXPECT_EQ(eval(kRfc6901, "/ /x"), "nullopt");      // into a number
}

TEST(JmapPointer, StarMapsAndFlattens) {
  constexpr std::string_view doc = R"({"list":[{"id":"a","ids":["1","2"]},{"id":"b","ids":["3"]},
      {"id":"c","ids":[]}],"nested":[[1,2],[3,[4,5]],6],"*":"star","empty":[]})";
  EXPECT_EQ(eval(doc, "/list/*/id"), R"(["a","b","c"])");
  EXPECT_EQ(eval(doc, "/list/*/ids"), R"(["1","2","3"])");
  EXPECT_EQ(eval(doc, "/list/*/ids/0"), "nullopt");  // c has no item 0
  EXPECT_EQ(eval(doc, "/list/*/nope"), "nullopt");
  // Arrays of arrays lose one level per "*".
  EXPECT_EQ(eval(doc, "/nested/*"), "[1,2,3,[4,5],6]");
  EXPECT_EQ(eval(doc, "/nested/1/*"), "[3,4,5]");
  EXPECT_EQ(eval(doc, "/nested/0/*"), "[1,2]");
  EXPECT_EQ(eval(R"([[[1],[2]],[[3]]])", "/*"), "[[1],[2],[3]]");
  EXPECT_EQ(eval(R"([[[1],[2]],[[3]]])", "/*/*"), "[1,2,3]");
  EXPECT_EQ(eval(R"([[[1],[2]],[[3]]])", "/*/*/*"), "[1,2,3]");
  EXPECT_EQ(eval(doc, "/empty/*"), "[]");
  EXPECT_EQ(eval(doc, "/empty/*/x"), "[]");
  // On an object "*" is a member name.
  EXPECT_EQ(eval(doc, "/*"), R"("star")");
  EXPECT_EQ(eval(R"({"a":{"x":1}})", "/a/*"), "nullopt");
}

TEST(JmapPointer, Tokens) {
  EXPECT_EQ(pointer_tokens(""), std::vector<std::string>{});
  EXPECT_EQ(pointer_tokens("/"), std::vector<std::string>{""});
  EXPECT_EQ(pointer_tokens("/a~1b//c~0"), (std::vector<std::string>{"a/b", "", "c~"}));
  EXPECT_FALSE(pointer_tokens("a"));
  EXPECT_FALSE(pointer_tokens("/~2"));
}

// RFC 8620 §3.7: the chain Email/query -> Email/get -> Thread/get -> Email/get.
class JmapReferences : public ::testing::Test {
 protected:
  std::vector<Invocation> responses{
      {"Email/query",
       obj(R"({"accountId":"A1","queryState":"abcdefg","canCalculateChanges":true,"position":0,
               "total":101,"ids":["msg1023","msg223","msg110"]})"),
       "t0"},
      {"Email/get",
       obj(R"({"accountId":"A1","state":"123456","list":[{"id":"msg1023","threadId":"trd194"},
               {"id":"msg223","threadId":"trd114"}],"notFound":[]})"),
       "t1"},
      {"Thread/get", obj(R"({"accountId":"A1","state":"123456","list":[{"id":"trd194",
               "emailIds":["msg1020","msg1021","msg1023"]},{"id":"trd114",
               "emailIds":["msg201","msg223"]}],"notFound":[]})"),
       "t2"},
  };

  std::optional<MethodError> resolve(json::object& args, size_t known) {
    return resolve_result_references(args, std::span(responses).first(known));
  }
};

TEST_F(JmapReferences, TheRfcChain) {
  auto t1 = obj(R"({"accountId":"A1","#ids":{"resultOf":"t0","name":"Email/query","path":"/ids"},
                    "properties":["threadId"]})");
  EXPECT_FALSE(resolve(t1, 1));
  EXPECT_EQ(json::serialize(t1),
            R"({"accountId":"A1","properties":["threadId"],"ids":["msg1023","msg223","msg110"]})");

  auto t2 = obj(R"({"accountId":"A1","#ids":{"resultOf":"t1","name":"Email/get",
                    "path":"/list/*/threadId"}})");
  EXPECT_FALSE(resolve(t2, 2));
  EXPECT_EQ(json::serialize(t2), R"({"accountId":"A1","ids":["trd194","trd114"]})");

  auto t3 = obj(R"({"accountId":"A1","#ids":{"resultOf":"t2","name":"Thread/get",
                    "path":"/list/*/emailIds"},"properties":["from","receivedAt","subject"]})");
  EXPECT_FALSE(resolve(t3, 3));
  EXPECT_EQ(t3.at("ids"), json::parse(R"(["msg1020","msg1021","msg1023","msg201","msg223"])"));
  EXPECT_FALSE(t3.contains("#ids"));
}

TEST_F(JmapReferences, SeveralReferencesAndNoneAtAll) {
  auto args = obj(R"({"#a":{"resultOf":"t0","name":"Email/query","path":"/total"},
                      "#b":{"resultOf":"t0","name":"Email/query","path":""}})");
  EXPECT_FALSE(resolve(args, 1));
  EXPECT_EQ(args.at("a"), 101);
  EXPECT_EQ(args.at("b").at("queryState"), "abcdefg");
  EXPECT_EQ(args.size(), 2u);
  auto plain = obj(R"({"ids":["x"]})");
  EXPECT_FALSE(resolve(plain, 0));
  EXPECT_EQ(json::serialize(plain), R"({"ids":["x"]})");
}

TEST_F(JmapReferences, FirstResponseWithTheCallIdCounts) {
  // §3.7 step 1 takes the first response with that id; an "error" there fails step 2.
  responses.push_back({"error", obj(R"({"type":"serverFail"})"), "t4"});
  responses.push_back({"Foo/get", obj(R"({"list":[]})"), "t4"});
  auto args = obj(R"({"#ids":{"resultOf":"t4","name":"Foo/get","path":"/list"}})");
  auto e = resolve(args, 5);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, "invalidResultReference");
}

TEST_F(JmapReferences, Failures) {
  auto type_of = [&](std::string_view text, size_t known = 3) -> std::string {
    auto args = obj(text);
    auto before = args;
    auto e = resolve(args, known);
    if (!e) return "resolved";
    EXPECT_EQ(args, before) << text;  // unchanged on failure
    return e->type;
  };
  const std::string bad = "invalidResultReference";
  // Unknown call id; a call id that only a later response has.
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":"t9","name":"Email/query","path":"/ids"}})"), bad);
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":"t2","name":"Thread/get","path":"/list"}})", 2), bad);
  // Wrong method name (case matters).
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":"t0","name":"Email/get","path":"/ids"}})"), bad);
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":"t0","name":"email/query","path":"/ids"}})"), bad);
  // Bad paths.
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":"t0","name":"Email/query","path":"/nope"}})"), bad);
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":"t0","name":"Email/query","path":"ids"}})"), bad);
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":"t0","name":"Email/query","path":"/ids/~"}})"), bad);
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":"t1","name":"Email/get","path":"/list/*/x"}})"), bad);
  // Not a ResultReference.
  EXPECT_EQ(type_of(R"({"#ids":"t0"})"), bad);
  EXPECT_EQ(type_of(R"({"#ids":null})"), bad);
  EXPECT_EQ(type_of(R"({"#ids":{"name":"Email/query","path":"/ids"}})"), bad);
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":"t0","path":"/ids"}})"), bad);
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":"t0","name":"Email/query"}})"), bad);
  EXPECT_EQ(type_of(R"({"#ids":{"resultOf":0,"name":"Email/query","path":"/ids"}})"), bad);
  // One good and one bad reference: nothing is replaced.
  EXPECT_EQ(type_of(R"({"#a":{"resultOf":"t0","name":"Email/query","path":"/ids"},
                        "#b":{"resultOf":"t0","name":"Email/query","path":"/x"}})"),
            bad);
  // Both forms of a name: invalidArguments, even when the reference would fail too.
  EXPECT_EQ(type_of(R"({"ids":[],"#ids":{"resultOf":"t0","name":"Email/query","path":"/ids"}})"),
            "invalidArguments");
  EXPECT_EQ(type_of(R"({"#a":{"resultOf":"zz"},"#ids":1,"ids":null})"), "invalidArguments");
}

TEST_F(JmapReferences, ErrorDescriptions) {
  auto args = obj(R"({"#ids":{"resultOf":"t0","name":"Email/get","path":"/ids"}})");
  auto e = resolve(args, 3);
  ASSERT_TRUE(e);
  EXPECT_EQ(json::serialize(e->to_arguments()),
            R"({"type":"invalidResultReference","description":)"
            R"("\"#ids\": the response to that call is \"Email/query\", not the name given"})");
  auto both = obj(R"({"ids":[],"#ids":{}})");
  e = resolve(both, 3);
  ASSERT_TRUE(e);
  EXPECT_EQ(json::serialize(e->to_arguments()),
            R"({"type":"invalidArguments","description":)"
            R"("\"ids\" is given both directly and as a reference","arguments":["ids"]})");
}

}  // namespace
}  // namespace postamt::jmap
