#include "jmap/proto/arguments.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace postamt::jmap {
namespace {

const json::object kArgs = json::parse(R"({
  "s": "text", "empty": "", "null": null, "n": 5, "neg": -5, "t": true, "o": {"a": 1},
  "max": 9007199254740991, "min": -9007199254740991, "whole": 1e3, "half": 1.5,
  "ids": ["a", "B-_9"], "badids": ["a", ""], "strs": ["", "x y"], "mixed": ["a", 1],
  "id": "M1"
})")
                               .as_object();

json::object with_long_ids() {
  json::object o = kArgs;
  o["id255"] = std::string(255, 'a');
  o["id256"] = std::string(256, 'a');
  return o;
}

// The error a reader gave, as JSON, or "ok".
template <class T>
std::string error_json(const Parsed<T>& r) {
  return r ? "ok" : json::serialize(r.error().to_arguments());
}

TEST(JmapArguments, IdRule) {
  EXPECT_TRUE(is_valid_id("a"));
  EXPECT_TRUE(is_valid_id("AZaz09-_"));
  EXPECT_TRUE(is_valid_id(std::string(255, 'x')));
  EXPECT_FALSE(is_valid_id(""));
  EXPECT_FALSE(is_valid_id(std::string(256, 'x')));
  EXPECT_FALSE(is_valid_id("a b"));
  EXPECT_FALSE(is_valid_id("a="));
  EXPECT_FALSE(is_valid_id("a.b"));
  EXPECT_FALSE(is_valid_id("a+b"));
  EXPECT_FALSE(is_valid_id("\xC3\xA9"));
  EXPECT_FALSE(is_valid_id(std::string_view("a\0b", 3)));
}

TEST(JmapArguments, PresenceRules) {
  EXPECT_EQ(string_arg(kArgs, "absent").value(), std::nullopt);
  EXPECT_EQ(string_arg(kArgs, "null").value(), std::nullopt);
  EXPECT_EQ(string_arg(kArgs, "absent", Presence::optional).value(), std::nullopt);
  EXPECT_EQ(error_json(string_arg(kArgs, "null", Presence::optional)),
            R"({"type":"invalidArguments","description":"\"null\" must be a String",)"
            R"("arguments":["null"]})");
  EXPECT_EQ(error_json(string_arg(kArgs, "absent", Presence::required)),
            R"({"type":"invalidArguments","description":"\"absent\" must be a String",)"
            R"("arguments":["absent"]})");
  EXPECT_EQ(error_json(string_arg(kArgs, "null", Presence::required)),
            R"({"type":"invalidArguments","description":"\"null\" must be a String",)"
            R"("arguments":["null"]})");
  EXPECT_EQ(string_arg(kArgs, "s", Presence::required).value(), "text");
}

TEST(JmapArguments, Strings) {
  EXPECT_EQ(string_arg(kArgs, "s").value(), "text");
  EXPECT_EQ(string_arg(kArgs, "empty").value(), "");
  EXPECT_EQ(error_json(string_arg(kArgs, "n")),
            R"({"type":"invalidArguments","description":"\"n\" must be a String",)"
            R"("arguments":["n"]})");
  EXPECT_FALSE(string_arg(kArgs, "o"));
  EXPECT_FALSE(string_arg(kArgs, "ids"));
}

TEST(JmapArguments, Ids) {
  EXPECT_EQ(id_arg(kArgs, "id").value(), "M1");
  EXPECT_EQ(id_arg(with_long_ids(), "id255").value(), std::string(255, 'a'));
  EXPECT_EQ(error_json(id_arg(with_long_ids(), "id256")),
            R"({"type":"invalidArguments","description":)"
            R"j("\"id256\" must be an Id (1-255 of A-Z a-z 0-9 - _)","arguments":["id256"]})j");
  EXPECT_FALSE(id_arg(kArgs, "empty"));
  EXPECT_EQ(id_arg(kArgs, "s").value(), "text");
  EXPECT_FALSE(id_arg(kArgs, "n"));
  EXPECT_EQ(id_list_arg(kArgs, "ids").value(), (std::vector<std::string>{"a", "B-_9"}));
  EXPECT_FALSE(id_list_arg(kArgs, "badids"));
  EXPECT_FALSE(id_list_arg(kArgs, "strs"));
  EXPECT_FALSE(id_list_arg(kArgs, "id"));
  EXPECT_EQ(id_list_arg(kArgs, "null").value(), std::nullopt);
}

TEST(JmapArguments, StringLists) {
  EXPECT_EQ(string_list_arg(kArgs, "strs").value(), (std::vector<std::string>{"", "x y"}));
  EXPECT_EQ(string_list_arg(kArgs, "badids").value(), (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(error_json(string_list_arg(kArgs, "mixed")),
            R"({"type":"invalidArguments","description":"\"mixed\" must be an array of Strings",)"
            R"("arguments":["mixed"]})");
  EXPECT_FALSE(string_list_arg(kArgs, "s"));
}

TEST(JmapArguments, UnsignedIntBoundaries) {
  EXPECT_EQ(uint_arg(kArgs, "n").value(), 5u);
  EXPECT_EQ(uint_arg(kArgs, "max").value(), 9007199254740991u);
  EXPECT_EQ(uint_arg(kArgs, "whole").value(), 1000u);
  EXPECT_EQ(error_json(uint_arg(kArgs, "neg")),
            R"({"type":"invalidArguments","description":"\"neg\" must be an UnsignedInt )"
            R"j((0..2^53-1)","arguments":["neg"]})j");
  EXPECT_FALSE(uint_arg(kArgs, "half"));
  EXPECT_FALSE(uint_arg(kArgs, "s"));
  EXPECT_FALSE(uint_arg(kArgs, "t"));
  json::object big{{"a", int64_t{1} << 53},
                   {"b", uint64_t{1} << 63},
                   {"c", 9007199254740992.0},
                   {"d", 0},
                   {"e", -0.0},
                   {"f", 1e300}};
  EXPECT_FALSE(uint_arg(big, "a"));
  EXPECT_FALSE(uint_arg(big, "b"));
  EXPECT_FALSE(uint_arg(big, "c"));
  EXPECT_EQ(uint_arg(big, "d").value(), 0u);
  EXPECT_EQ(uint_arg(big, "e").value(), 0u);
  EXPECT_FALSE(uint_arg(big, "f"));
}

TEST(JmapArguments, IntBoundaries) {
  EXPECT_EQ(int_arg(kArgs, "neg").value(), -5);
  EXPECT_EQ(int_arg(kArgs, "max").value(), 9007199254740991);
  EXPECT_EQ(int_arg(kArgs, "min").value(), -9007199254740991);
  json::object big{{"a", int64_t{1} << 53},
                   {"b", -(int64_t{1} << 53)},
                   {"c", uint64_t{1} << 53},
                   {"d", -9007199254740992.0},
                   {"e", -1e3}};
  EXPECT_EQ(error_json(int_arg(big, "a")),
            R"({"type":"invalidArguments","description":"\"a\" must be an Int )"
            R"j((-2^53+1..2^53-1)","arguments":["a"]})j");
  EXPECT_FALSE(int_arg(big, "b"));
  EXPECT_FALSE(int_arg(big, "c"));
  EXPECT_FALSE(int_arg(big, "d"));
  EXPECT_EQ(int_arg(big, "e").value(), -1000);
  EXPECT_FALSE(int_arg(kArgs, "half"));
}

TEST(JmapArguments, BoolsAndObjects) {
  EXPECT_EQ(bool_arg(kArgs, "t").value(), true);
  EXPECT_FALSE(bool_arg(kArgs, "n"));
  EXPECT_FALSE(bool_arg(kArgs, "s"));
  EXPECT_EQ(bool_arg(kArgs, "absent").value(), std::nullopt);
  EXPECT_EQ(json::serialize(*object_arg(kArgs, "o").value()), R"({"a":1})");
  EXPECT_EQ(error_json(object_arg(kArgs, "ids")),
            R"({"type":"invalidArguments","description":"\"ids\" must be an object",)"
            R"("arguments":["ids"]})");
  EXPECT_EQ(object_arg(kArgs, "null").value(), std::nullopt);
}

}  // namespace
}  // namespace postamt::jmap
