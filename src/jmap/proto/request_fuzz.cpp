// libFuzzer target: parse_request over arbitrary bytes, then result references, patches
// and dates over what it accepts. Checks that a problem's JSON parses, that a Request
// re-encoded parses back to the same calls, and that a response encodes to JSON.
// Each call is resolved against the calls before it, used as stand-in responses.
// The same bytes as a WebSocket message (websocket.h): an error encodes to JSON, and a
// WebSocket Request is a Request parse_request takes too, with the same calls.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "jmap/proto/arguments.h"
#include "jmap/proto/references.h"
#include "jmap/proto/request.h"
#include "jmap/proto/websocket.h"

namespace {

namespace json = boost::json;
using namespace postamt::jmap;

constexpr std::string_view kKnown[] = {kCoreCapability, kMailCapability};

json::value parse_or_die(std::string_view text) {
  json::parse_options options;
  options.max_depth = 10'000;
  json::error_code ec;
  json::value v = json::parse(text, ec, {}, options);
  if (ec) abort();
  return v;
}

std::string request_body(const Request& r) {
  json::object o;
  json::array caps;
  for (const auto& c : r.capabilities) caps.emplace_back(c);
  o["using"] = std::move(caps);
  // The encoded responses hold exactly the Invocation triples methodCalls needs.
  o["methodCalls"] = parse_or_die(encode_response(r.calls, "", std::nullopt)).at("methodResponses");
  if (r.created_ids) {
    json::object ids;
    for (const auto& [k, v] : *r.created_ids) ids[k] = v;
    o["createdIds"] = std::move(ids);
  }
  return json::serialize(o);
}

void check_websocket_message(std::string_view body, const RequestLimits& limits) {
  auto message = parse_websocket_message(body, limits, kKnown);
  if (auto* e = std::get_if<WebSocketRequestError>(&message)) {
    json::value v = parse_or_die(encode_websocket_problem(e->request_id, e->problem));
    if (v.at("@type").as_string() != "RequestError") abort();
  } else if (auto* r = std::get_if<WebSocketRequest>(&message)) {
    auto plain = parse_request(body, limits, kKnown);
    const auto* same = std::get_if<Request>(&plain);
    if (!same || same->calls.size() != r->request.calls.size()) abort();
    parse_or_die(encode_websocket_response(r->id, r->request.calls, "0", std::nullopt));
  }
}

void exercise_strings(const json::object& args) {
  for (const auto& [key, value] : args) {
    if (const auto* s = value.if_string()) {
      if (auto t = parse_date(*s)) (void)format_utc_date(*t);
      if (auto t = parse_utc_date(*s)) {
        if (parse_date(*s) != t) abort();  // a UTCDate is a Date
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(bytes), size);
  RequestLimits limits;
  limits.max_calls_in_request = 16;
  check_websocket_message(body, limits);
  auto parsed = parse_request(body, limits, kKnown);
  if (auto* problem = std::get_if<ProblemDetails>(&parsed)) {
    json::value v = parse_or_die(problem->to_json());
    if (v.at("type").as_string() != problem->type) abort();
    return 0;
  }
  Request& request = std::get<Request>(parsed);

  RequestLimits unlimited = limits;
  unlimited.max_size_request = SIZE_MAX;
  auto again = parse_request(request_body(request), unlimited, kKnown);
  const auto* back = std::get_if<Request>(&again);
  if (!back || back->calls.size() != request.calls.size() ||
      back->created_ids != request.created_ids) {
    abort();
  }
  for (size_t i = 0; i < back->calls.size(); ++i) {
    if (back->calls[i].name != request.calls[i].name ||
        back->calls[i].arguments != request.calls[i].arguments ||
        back->calls[i].call_id != request.calls[i].call_id) {
      abort();
    }
  }

  std::vector<Invocation> responses;
  for (auto& call : request.calls) {
    json::object before = call.arguments;
    auto error = resolve_result_references(call.arguments, responses);
    if (error) {
      if (call.arguments != before) abort();  // unchanged on failure
      parse_or_die(json::serialize(error->to_arguments()));
    } else {
      // Each "#name" became "name"; a "#name" stays only as the target of "##name".
      if (call.arguments.size() != before.size()) abort();
      for (const auto& [key, value] : before) {
        if (!key.starts_with('#')) continue;
        if (!call.arguments.contains(key.substr(1))) abort();
        if (call.arguments.contains(key) && !before.contains("#" + std::string(key))) abort();
      }
    }
    json::object patched = call.arguments;
    if (auto e = apply_patch(patched, before)) {
      if (patched != call.arguments) abort();  // unchanged on failure
    }
    exercise_strings(call.arguments);
    responses.push_back(call);
  }
  parse_or_die(encode_response(responses, "state", request.created_ids));
  return 0;
}
