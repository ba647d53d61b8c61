#include "jmap/engine/api.h"

#include "base/log.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/call_context.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/proto/references.h"
#include "jmap/proto/request.h"
#include "jmap/proto/websocket.h"
#include "metrics/catalog.h"

namespace postamt::jmap {
namespace {

// One method call in postamt_command_duration_seconds{protocol="jmap"}, recorded however
// the call ends: its name once it is a method this server has, else "unknown"; "ok"
// when it answered with its own response, "error" for an error response.
struct CallMetric {
  std::string_view name = "unknown";
  bool ok = false;
  metrics::Stopwatch watch;
  ~CallMetric() {
    metrics::catalog().commands.with({"jmap", name, ok ? "ok" : "error"}).observe(watch.seconds());
  }
};

}  // namespace

std::vector<std::string_view> server_capabilities() {
  return {kCoreCapability, kMailCapability,     kSubmissionCapability,
          kMdnCapability,  kVacationCapability, kWebSocketCapability};
}

RequestLimits request_limits(const Services& services) {
  RequestLimits limits;
  limits.max_size_request = services.limits.max_size_request;
  limits.max_calls_in_request = services.limits.max_calls_in_request;
  return limits;
}

ApiResult process_api_request(const Services& services, const store::Account& account,
                              store::Credential credential, std::string_view body) {
  std::vector<std::string_view> known = server_capabilities();
  auto parsed = parse_request(body, request_limits(services), known);
  if (auto* problem = std::get_if<ProblemDetails>(&parsed))
    return {problem->status, "application/problem+json", problem->to_json(), {}};
  ApiOutcome outcome =
      run_api_request(services, account, credential, std::get<Request>(std::move(parsed)));
  ApiResult result;
  result.content_type = "application/json";
  result.body = encode_response(outcome.responses, outcome.session_state, outcome.created_ids);
  result.downloads = std::move(outcome.downloads);
  return result;
}

ApiOutcome run_api_request(const Services& services, const store::Account& account,
                           store::Credential credential, Request request) {
  std::map<std::string, std::string> created_ids =
      request.created_ids.value_or(std::map<std::string, std::string>{});
  CallContext context(services, account, created_ids, credential);
  std::vector<Invocation> responses;
  for (Invocation& call : request.calls) {
    CallMetric counted;
    auto error_response = [&](const MethodError& error) {
      responses.push_back({"error", error.to_arguments(), call.call_id});
    };
    // §3.7: references first; a bad one is the call's error.
    if (auto error = resolve_result_references(call.arguments, responses)) {
      error_response(*error);
      continue;
    }
    const MethodEntry* method = find_method(call.name);
    bool enabled = false;
    if (method)
      for (const std::string& c : request.capabilities)
        if (c == method->capability) enabled = true;
    if (!method || !enabled) {
      MethodError e;
      e.type = "unknownMethod";
      error_response(e);
      continue;
    }
    counted.name = call.name;
    try {
      json::object result = method->run(context, call.arguments);
      responses.push_back({call.name, std::move(result), call.call_id});
      counted.ok = true;
      for (Invocation& follow : context.follow_ups()) {
        follow.call_id = call.call_id;
        responses.push_back(std::move(follow));
      }
      context.follow_ups().clear();
    } catch (const MethodFailure& failure) {
      error_response(failure.error);
    } catch (const std::exception& e) {
      log::error("jmap", "{} of <{}> failed: {}", call.name, account.address, e.what());
      MethodError error;
      error.type = "serverFail";
      error_response(error);
    }
  }
  ApiOutcome outcome;
  outcome.responses = std::move(responses);
  if (request.created_ids) outcome.created_ids = std::move(created_ids);
  outcome.session_state = "0";
  outcome.downloads = std::move(context.downloads());
  return outcome;
}

}  // namespace postamt::jmap
