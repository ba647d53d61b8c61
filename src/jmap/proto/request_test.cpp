#include "jmap/proto/request.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace postamt::jmap {
namespace {

constexpr std::string_view kKnown[] = {kCoreCapability, kMailCapability};

std::variant<Request, ProblemDetails> parse(std::string_view body, RequestLimits limits = {}) {
  return parse_request(body, limits, kKnown);
}

Request parsed(std::string_view body, RequestLimits limits = {}) {
  auto r = parse(body, limits);
  if (auto* p = std::get_if<ProblemDetails>(&r)) {
    ADD_FAILURE() << body << " -> " << p->to_json();
    return {};
  }
  return std::get<Request>(std::move(r));
}

ProblemDetails problem(std::string_view body, RequestLimits limits = {}) {
  auto r = parse(body, limits);
  if (!std::holds_alternative<ProblemDetails>(r)) {
    ADD_FAILURE() << body << " parsed";
    return {};
  }
  return std::get<ProblemDetails>(std::move(r));
}

std::string type_of(std::string_view body, RequestLimits limits = {}) {
  return problem(body, limits).type;
}

// RFC 8620 §3.3.1.
constexpr std::string_view kExample = R"({
  "using": [ "urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail" ],
  "methodCalls": [
    [ "method1", {
      "arg1": "arg1data",
      "arg2": "arg2data"
    }, "c1" ],
    [ "method2", {
      "arg1": "arg1data"
    }, "c2" ],
    [ "method3", {}, "c3" ]
  ]
})";

TEST(JmapRequest, ParsesTheRfcExample) {
  auto r = parsed(kExample);
  EXPECT_EQ(r.capabilities,
            (std::vector<std::string>{"urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"}));
  ASSERT_EQ(r.calls.size(), 3u);
  EXPECT_EQ(r.calls[0].name, "method1");
  EXPECT_EQ(json::serialize(r.calls[0].arguments), R"({"arg1":"arg1data","arg2":"arg2data"})");
  EXPECT_EQ(r.calls[0].call_id, "c1");
  EXPECT_EQ(r.calls[1].name, "method2");
  EXPECT_EQ(json::serialize(r.calls[1].arguments), R"({"arg1":"arg1data"})");
  EXPECT_EQ(r.calls[1].call_id, "c2");
  EXPECT_EQ(r.calls[2].name, "method3");
  EXPECT_TRUE(r.calls[2].arguments.empty());
  EXPECT_EQ(r.calls[2].call_id, "c3");
  EXPECT_FALSE(r.created_ids.has_value());
}

TEST(JmapRequest, CreatedIdsAndUnknownMembers) {
  auto r =
      parsed(R"({"using":[],"methodCalls":[],"createdIds":{"k1":"M1","k2":"M-2_x"},"future":[1]})");
  ASSERT_TRUE(r.created_ids.has_value());
  EXPECT_EQ(*r.created_ids, (std::map<std::string, std::string>{{"k1", "M1"}, {"k2", "M-2_x"}}));
  EXPECT_TRUE(r.calls.empty());
  EXPECT_TRUE(r.capabilities.empty());
  auto empty = parsed(R"({"using":[],"methodCalls":[],"createdIds":{}})");
  ASSERT_TRUE(empty.created_ids.has_value());
  EXPECT_TRUE(empty.created_ids->empty());
  EXPECT_FALSE(parsed(R"({"using":[],"methodCalls":[],"createdIds":null})").created_ids);
  // The call id and the method name are any strings (§3.2).
  auto odd = parsed(R"({"using":[],"methodCalls":[["",{},""]]})");
  ASSERT_EQ(odd.calls.size(), 1u);
  EXPECT_EQ(odd.calls[0].name, "");
  EXPECT_EQ(odd.calls[0].call_id, "");
}

TEST(JmapRequest, ProblemDetailsJsonIsExact) {
  EXPECT_EQ(problem("{").to_json(),
            R"({"type":"urn:ietf:params:jmap:error:notJSON","status":400,)"
            R"("detail":"The request is not I-JSON: incomplete JSON at octet 1."})");
  EXPECT_EQ(problem("[]").to_json(),
            R"({"type":"urn:ietf:params:jmap:error:notRequest","status":400,)"
            R"("detail":"The request is not a JMAP Request object: it is not a JSON object."})");
  EXPECT_EQ(problem(R"({"using":["https://example.com/apis/foobar"],"methodCalls":[]})").to_json(),
            R"({"type":"urn:ietf:params:jmap:error:unknownCapability","status":400,)"
            R"("detail":"The request uses the capability \"https://example.com/apis/foobar\", )"
            R"(which this server does not support."})");
  RequestLimits small;
  small.max_size_request = 10;
  EXPECT_EQ(problem(kExample, small).to_json(),
            R"({"type":"urn:ietf:params:jmap:error:limit","status":400,)"
            R"("detail":"The request is larger than 10 octets, the most this server processes.",)"
            R"("limit":"maxSizeRequest"})");
  RequestLimits two;
  two.max_calls_in_request = 2;
  EXPECT_EQ(problem(kExample, two).to_json(),
            R"({"type":"urn:ietf:params:jmap:error:limit","status":400,)"
            R"("detail":"The request has 3 method calls; this server processes at most 2.",)"
            R"("limit":"maxCallsInRequest"})");
  ProblemDetails custom{"t", 503, "d\"x", ""};
  EXPECT_EQ(custom.to_json(), R"({"type":"t","status":503,"detail":"d\"x"})");
}

TEST(JmapRequest, MalformedJsonIsNotJson) {
  const std::string n(kProblemNotJson);
  std::string body(kExample);
  EXPECT_EQ(type_of(body.substr(0, body.size() - 1)), n);  // truncated
  EXPECT_EQ(type_of(body + "x"), n);                       // trailing garbage
  EXPECT_EQ(type_of(body + "{}"), n);
  EXPECT_EQ(type_of("{\"using\":[\"\xC3\"],\"methodCalls\":[]}"), n);  // invalid UTF-8
  EXPECT_EQ(type_of("{\"using\":[],\"methodCalls\":[[\"a\xFF\",{},\"c\"]]}"), n);
  EXPECT_EQ(type_of(R"({"using":["\ud800"],"methodCalls":[]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"using":[],"methodCalls":[]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[["a",{"x":1,"x":1},"c"]]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[["a",{"x":1e400},"c"]]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[["a",{"x":18446744073709551616},"c"]]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[["a",{"x":9007199254740992},"c"]]})"), n);
  EXPECT_EQ(type_of(""), n);
  std::string deep = R"({"using":[],"methodCalls":[["a",{"x":)" + std::string(10'000, '[') +
                     std::string(10'000, ']') + "},\"c\"]]}";
  EXPECT_EQ(problem(deep).detail,
            "The request is not I-JSON: arrays and objects nested more than 64 deep.");
}

TEST(JmapRequest, DepthCountsTheRequestItself) {
  // Request object, methodCalls, the invocation, its arguments: 4 levels before "x".
  auto body = [](size_t n) {
    return R"({"using":[],"methodCalls":[["a",{"x":)" + std::string(n, '[') + std::string(n, ']') +
           "},\"c\"]]}";
  };
  EXPECT_EQ(parsed(body(60)).calls.size(), 1u);
  EXPECT_EQ(type_of(body(61)), kProblemNotJson);
}

TEST(JmapRequest, WrongShapeIsNotRequest) {
  const std::string n(kProblemNotRequest);
  EXPECT_EQ(type_of("[]"), n);
  EXPECT_EQ(type_of("\"x\""), n);
  EXPECT_EQ(type_of("null"), n);
  EXPECT_EQ(type_of(R"({"methodCalls":[]})"), n);
  EXPECT_EQ(type_of(R"({"using":[]})"), n);
  EXPECT_EQ(type_of(R"({"using":"urn:ietf:params:jmap:core","methodCalls":[]})"), n);
  EXPECT_EQ(type_of(R"({"using":null,"methodCalls":[]})"), n);
  EXPECT_EQ(type_of(R"({"using":[1],"methodCalls":[]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":{}})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[["a",{}]]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[["a",{},"c","d"]]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[["a",{},1]]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[["a",{},null]]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[["a",[],"c"]]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[["a",null,"c"]]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[[1,{},"c"]]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":["a"]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[],"createdIds":[]})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[],"createdIds":{"k":1}})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[],"createdIds":{"k":""}})"), n);
  EXPECT_EQ(type_of(R"({"using":[],"methodCalls":[],"createdIds":{"k!":"M1"}})"), n);
  EXPECT_EQ(problem(R"({"using":[],"methodCalls":[["a",{},"c"],["a",{},"c","d"]]})").detail,
            "The request is not a JMAP Request object: method call 1 is not an array of a name, "
            "an arguments object and a call id.");
}

TEST(JmapRequest, UnknownCapabilityNamesTheFirst) {
  auto p =
      problem(R"({"using":["urn:ietf:params:jmap:core","urn:x:a","urn:x:b"],"methodCalls":[]})");
  EXPECT_EQ(p.type, kProblemUnknownCapability);
  EXPECT_EQ(p.status, 400);
  EXPECT_EQ(p.detail,
            "The request uses the capability \"urn:x:a\", which this server does not support.");
  EXPECT_TRUE(p.limit.empty());
  // A shape error wins over an unknown capability.
  EXPECT_EQ(type_of(R"({"using":["urn:x:a"],"methodCalls":[1]})"), kProblemNotRequest);
}

TEST(JmapRequest, SizeLimitIsExact) {
  std::string body(kExample);
  RequestLimits limits;
  limits.max_size_request = body.size() + 1;
  EXPECT_EQ(parsed(body, limits).calls.size(), 3u);
  limits.max_size_request = body.size();
  EXPECT_EQ(parsed(body, limits).calls.size(), 3u);
  limits.max_size_request = body.size() - 1;
  auto p = problem(body, limits);
  EXPECT_EQ(p.type, kProblemLimit);
  EXPECT_EQ(p.limit, "maxSizeRequest");
  // The size is checked before the JSON.
  EXPECT_EQ(problem("{{{{{", RequestLimits{4, 64, 64}).limit, "maxSizeRequest");
}

TEST(JmapRequest, CallLimitIsExact) {
  RequestLimits limits;
  limits.max_calls_in_request = 4;
  EXPECT_EQ(parsed(kExample, limits).calls.size(), 3u);
  limits.max_calls_in_request = 3;
  EXPECT_EQ(parsed(kExample, limits).calls.size(), 3u);
  limits.max_calls_in_request = 2;
  auto p = problem(kExample, limits);
  EXPECT_EQ(p.type, kProblemLimit);
  EXPECT_EQ(p.limit, "maxCallsInRequest");
  // The call limit comes before the capability check.
  EXPECT_EQ(problem(R"({"using":["urn:x"],"methodCalls":[["a",{},"1"],["a",{},"2"],["a",{},"3"]]})",
                    limits)
                .limit,
            "maxCallsInRequest");
}

TEST(JmapResponse, EncodesTheRfcExample) {
  std::vector<Invocation> responses{
      {"method1", json::object{{"arg1", 3}, {"arg2", "foo"}}, "c1"},
      {"method2", json::object{{"isBlah", true}}, "c2"},
      {"anotherResponseFromMethod2", json::object{{"data", 10}, {"yetmoredata", "Hello"}}, "c2"},
      {"error", json::object{{"type", "unknownMethod"}}, "c3"},
  };
  std::string bytes = encode_response(responses, "75128aab4b1b", std::nullopt);
  EXPECT_EQ(bytes, R"({"methodResponses":[["method1",{"arg1":3,"arg2":"foo"},"c1"],)"
                   R"(["method2",{"isBlah":true},"c2"],)"
                   R"(["anotherResponseFromMethod2",{"data":10,"yetmoredata":"Hello"},"c2"],)"
                   R"(["error",{"type":"unknownMethod"},"c3"]],"sessionState":"75128aab4b1b"})");
  // Round trip through boost::json.
  json::value v = json::parse(bytes);
  const auto& list = v.at("methodResponses").as_array();
  ASSERT_EQ(list.size(), 4u);
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& inv = list[i].as_array();
    ASSERT_EQ(inv.size(), 3u);
    EXPECT_EQ(inv[0].as_string(), responses[i].name);
    EXPECT_EQ(inv[1].as_object(), responses[i].arguments);
    EXPECT_EQ(inv[2].as_string(), responses[i].call_id);
  }
  EXPECT_EQ(v.at("sessionState").as_string(), "75128aab4b1b");
  EXPECT_FALSE(v.as_object().contains("createdIds"));
}

TEST(JmapResponse, CreatedIdsOnlyWhenGiven) {
  std::map<std::string, std::string> ids{{"k1", "M1"}, {"k\"2", "M2"}};
  std::string bytes = encode_response({}, "s\u00e9", ids);
  EXPECT_EQ(bytes,
            "{\"methodResponses\":[],\"sessionState\":\"s\xC3\xA9\","
            "\"createdIds\":{\"k\\\"2\":\"M2\",\"k1\":\"M1\"}}");
  json::value v = json::parse(bytes);
  EXPECT_EQ(v.at("createdIds").at("k\"2").as_string(), "M2");
  EXPECT_EQ(encode_response({}, "", std::map<std::string, std::string>{}),
            R"({"methodResponses":[],"sessionState":"","createdIds":{}})");
}

TEST(JmapResponse, ParsedRequestReencodes) {
  auto r = parsed(kExample);
  std::string bytes = encode_response(r.calls, "s", r.created_ids);
  auto again = parse_request(R"({"using":[],"methodCalls":)" +
                                 json::serialize(json::parse(bytes).at("methodResponses")) + "}",
                             RequestLimits{}, kKnown);
  ASSERT_TRUE(std::holds_alternative<Request>(again));
  const auto& calls = std::get<Request>(again).calls;
  ASSERT_EQ(calls.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(calls[i].name, r.calls[i].name);
    EXPECT_EQ(calls[i].arguments, r.calls[i].arguments);
    EXPECT_EQ(calls[i].call_id, r.calls[i].call_id);
  }
}

}  // namespace
}  // namespace postamt::jmap
