// The JMAP WebSocket messages (RFC 8887 §4.3): each client message kind, each error in
// the order the header gives, and the server's objects as exact JSON.
#include "jmap/proto/websocket.h"

#include <gtest/gtest.h>

namespace postamt::jmap {
namespace {

constexpr std::string_view kKnown[] = {kCoreCapability, kMailCapability};

WebSocketMessage parse(std::string_view text, size_t max_size = 1000) {
  RequestLimits limits;
  limits.max_size_request = max_size;
  limits.max_calls_in_request = 2;
  return parse_websocket_message(text, limits, kKnown);
}

WebSocketRequestError error_of(std::string_view text, size_t max_size = 1000) {
  auto m = parse(text, max_size);
  EXPECT_TRUE(std::holds_alternative<WebSocketRequestError>(m)) << text;
  if (auto* e = std::get_if<WebSocketRequestError>(&m)) return *e;
  return {};
}

// §4.4: the example Core/echo request.
TEST(JmapWebSocket, RequestWithId) {
  auto m = parse(R"({"@type":"Request","id":"R1","using":["urn:ietf:params:jmap:core"],
                     "methodCalls":[["Core/echo",{"hello":true,"high":5},"b3ff"]]})");
  ASSERT_TRUE(std::holds_alternative<WebSocketRequest>(m));
  const auto& r = std::get<WebSocketRequest>(m);
  EXPECT_EQ(r.id, "R1");
  ASSERT_EQ(r.request.calls.size(), 1u);
  EXPECT_EQ(r.request.calls[0].name, "Core/echo");
  EXPECT_EQ(r.request.calls[0].call_id, "b3ff");
  auto without = parse(R"({"@type":"Request","using":[],"methodCalls":[]})");
  ASSERT_TRUE(std::holds_alternative<WebSocketRequest>(without));
  EXPECT_FALSE(std::get<WebSocketRequest>(without).id);
}

// §4.3.5.2 and §4.3.5.3.
TEST(JmapWebSocket, PushEnableAndDisable) {
  auto m = parse(R"({"@type":"WebSocketPushEnable","dataTypes":["Mailbox","Email"],
                     "pushState":"aaa"})");
  ASSERT_TRUE(std::holds_alternative<WebSocketPushEnable>(m));
  const auto& e = std::get<WebSocketPushEnable>(m);
  EXPECT_EQ(e.data_types, (std::vector<std::string>{"Mailbox", "Email"}));
  EXPECT_EQ(e.push_state, "aaa");
  for (std::string_view all : {R"({"@type":"WebSocketPushEnable","dataTypes":null})",
                               R"({"@type":"WebSocketPushEnable"})"}) {
    auto n = parse(all);
    ASSERT_TRUE(std::holds_alternative<WebSocketPushEnable>(n)) << all;
    EXPECT_FALSE(std::get<WebSocketPushEnable>(n).data_types);
    EXPECT_FALSE(std::get<WebSocketPushEnable>(n).push_state);
  }
  EXPECT_TRUE(std::holds_alternative<WebSocketPushDisable>(
      parse(R"({"@type":"WebSocketPushDisable","extra":1})")));
}

// The checks in order, each with its problem type and whether the id comes back.
TEST(JmapWebSocket, RequestErrors) {
  auto too_big = error_of(R"({"@type":"Request","id":"x","using":[],"methodCalls":[]})", 20);
  EXPECT_EQ(too_big.problem.type, kProblemLimit);
  EXPECT_EQ(too_big.problem.limit, "maxSizeRequest");
  EXPECT_FALSE(too_big.request_id);

  auto not_json = error_of("The quick brown fox jumps\n over the lazy dog.");
  EXPECT_EQ(not_json.problem.type, kProblemNotJson);
  EXPECT_FALSE(not_json.request_id);
  EXPECT_EQ(error_of(R"({"id":"a","id":"b"})").problem.type, kProblemNotJson);

  auto array = error_of("[1]");
  EXPECT_EQ(array.problem.type, kProblemNotRequest);
  EXPECT_EQ(array.problem.detail,
            "The message is not a JMAP WebSocket message: it is not a JSON object.");
  auto no_type = error_of(R"({"id":"R2","using":[],"methodCalls":[]})");
  EXPECT_EQ(no_type.problem.detail,
            "The message is not a JMAP WebSocket message: \"@type\" is missing or not a string.");
  EXPECT_EQ(no_type.request_id, "R2");
  auto unknown = error_of(R"({"@type":"Response","id":"R3"})");
  EXPECT_EQ(unknown.problem.detail,
            "The message is not a JMAP WebSocket message: unknown \"@type\" \"Response\".");
  EXPECT_EQ(unknown.request_id, "R3");
  auto bad_id = error_of(R"({"@type":"Request","id":7,"using":[],"methodCalls":[]})");
  EXPECT_EQ(bad_id.problem.detail,
            "The message is not a JMAP WebSocket message: \"id\" is not a string.");
  EXPECT_FALSE(bad_id.request_id);

  // A Request's own errors keep its id.
  auto no_calls = error_of(R"({"@type":"Request","id":"R4","using":[]})");
  EXPECT_EQ(no_calls.problem.type, kProblemNotRequest);
  EXPECT_EQ(no_calls.request_id, "R4");
  auto unknown_cap =
      error_of(R"({"@type":"Request","id":"R5","using":["urn:x"],"methodCalls":[]})");
  EXPECT_EQ(unknown_cap.problem.type, kProblemUnknownCapability);
  EXPECT_EQ(unknown_cap.request_id, "R5");
  auto calls = error_of(
      R"({"@type":"Request","id":"R6","using":[],"methodCalls":[["a",{},"1"],["a",{},"2"],["a",{},"3"]]})");
  EXPECT_EQ(calls.problem.limit, "maxCallsInRequest");
  EXPECT_EQ(calls.request_id, "R6");

  auto types = error_of(R"({"@type":"WebSocketPushEnable","id":"P","dataTypes":"Email"})");
  EXPECT_EQ(types.problem.detail,
            "The message is not a JMAP WebSocket message: \"dataTypes\" is not an array or null.");
  EXPECT_EQ(types.request_id, "P");
  EXPECT_EQ(error_of(R"({"@type":"WebSocketPushEnable","dataTypes":[1]})").problem.detail,
            "The message is not a JMAP WebSocket message: \"dataTypes\" holds something other "
            "than strings.");
  EXPECT_EQ(error_of(R"({"@type":"WebSocketPushEnable","pushState":5})").problem.detail,
            "The message is not a JMAP WebSocket message: \"pushState\" is not a string.");
}

// §4.3.3, §4.3.4, §4.3.5.1 as exact JSON.
TEST(JmapWebSocket, ServerObjects) {
  std::vector<Invocation> responses{{"Core/echo", json::object{{"hello", true}}, "b3ff"}};
  EXPECT_EQ(encode_websocket_response("R1", responses, "0", std::nullopt),
            R"({"@type":"Response","methodResponses":[["Core/echo",{"hello":true},"b3ff"]],)"
            R"("sessionState":"0","requestId":"R1"})");
  std::map<std::string, std::string> ids{{"k1", "M1"}};
  EXPECT_EQ(encode_websocket_response(std::nullopt, {}, "0", ids),
            R"({"@type":"Response","methodResponses":[],"sessionState":"0",)"
            R"("createdIds":{"k1":"M1"}})");
  ProblemDetails p{std::string(kProblemNotJson), 400, "bad", ""};
  EXPECT_EQ(encode_websocket_problem(std::nullopt, p),
            R"({"@type":"RequestError","type":"urn:ietf:params:jmap:error:notJSON",)"
            R"("status":400,"detail":"bad"})");
  ProblemDetails limit{std::string(kProblemLimit), 400, "many", "maxConcurrentRequests"};
  EXPECT_EQ(encode_websocket_problem("R9", limit),
            R"({"@type":"RequestError","type":"urn:ietf:params:jmap:error:limit",)"
            R"("status":400,"detail":"many","limit":"maxConcurrentRequests","requestId":"R9"})");
  EXPECT_EQ(encode_websocket_state_change("A1", {{"Mailbox", "7"}, {"Email", "7"}}, "7"),
            R"({"@type":"StateChange","changed":{"A1":{"Mailbox":"7","Email":"7"}},)"
            R"("pushState":"7"})");
}

}  // namespace
}  // namespace postamt::jmap
