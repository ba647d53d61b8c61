#include "jmap/proto/errors.h"

namespace postamt::jmap {
namespace {

void add_extra(json::object& o, const json::object& extra) {
  // emplace keeps the members already there, so extra cannot replace "type".
  for (const auto& [key, value] : extra) o.emplace(key, value);
}

}  // namespace

json::object MethodError::to_arguments() const {
  json::object o;
  o["type"] = type;
  if (!description.empty()) o["description"] = description;
  add_extra(o, extra);
  return o;
}

MethodError method_failure(std::string_view type, std::string description) {
  return MethodError{std::string(type), std::move(description), {}};
}

MethodError invalid_arguments(std::string description, std::string_view argument) {
  auto e = method_failure(method_error::kInvalidArguments, std::move(description));
  // Not in RFC 8620, but what other servers send: lets a client point at the argument.
  if (!argument.empty()) e.extra["arguments"] = json::array{json::string_view(argument)};
  return e;
}

MethodError invalid_result_reference(std::string description) {
  return method_failure(method_error::kInvalidResultReference, std::move(description));
}

MethodError unknown_method(std::string_view name) {
  return method_failure(method_error::kUnknownMethod,
                        "unknown method \"" + std::string(name) + "\"");
}

MethodError server_fail(std::string description) {
  return method_failure(method_error::kServerFail, std::move(description));
}

MethodError server_unavailable(std::string description) {
  return method_failure(method_error::kServerUnavailable, std::move(description));
}

MethodError forbidden(std::string description) {
  return method_failure(method_error::kForbidden, std::move(description));
}

MethodError account_not_found() {
  return method_failure(method_error::kAccountNotFound);
}

MethodError account_not_supported_by_method() {
  return method_failure(method_error::kAccountNotSupportedByMethod);
}

MethodError account_read_only() {
  return method_failure(method_error::kAccountReadOnly);
}

MethodError request_too_large(std::string description) {
  return method_failure(method_error::kRequestTooLarge, std::move(description));
}

MethodError state_mismatch() {
  return method_failure(method_error::kStateMismatch);
}

MethodError cannot_calculate_changes() {
  return method_failure(method_error::kCannotCalculateChanges);
}

MethodError anchor_not_found() {
  return method_failure(method_error::kAnchorNotFound);
}

MethodError unsupported_sort(std::string description) {
  return method_failure(method_error::kUnsupportedSort, std::move(description));
}

MethodError unsupported_filter(std::string description) {
  return method_failure(method_error::kUnsupportedFilter, std::move(description));
}

MethodError too_many_changes() {
  return method_failure(method_error::kTooManyChanges);
}

MethodError from_account_not_found() {
  return method_failure(method_error::kFromAccountNotFound);
}

MethodError from_account_not_supported_by_method() {
  return method_failure(method_error::kFromAccountNotSupportedByMethod);
}

json::object SetError::to_json() const {
  json::object o;
  o["type"] = type;
  if (!description.empty()) o["description"] = description;
  if (!properties.empty()) {
    json::array list;
    for (const auto& p : properties) list.emplace_back(p);
    o["properties"] = std::move(list);
  }
  add_extra(o, extra);
  return o;
}

SetError set_failure(std::string_view type, std::string description) {
  return SetError{std::string(type), std::move(description), {}, {}};
}

SetError not_found(std::string description) {
  return set_failure(set_error::kNotFound, std::move(description));
}

SetError invalid_properties(std::vector<std::string> properties, std::string description) {
  auto e = set_failure(set_error::kInvalidProperties, std::move(description));
  e.properties = std::move(properties);
  return e;
}

SetError invalid_patch(std::string description) {
  return set_failure(set_error::kInvalidPatch, std::move(description));
}

SetError already_exists(std::string existing_id) {
  auto e = set_failure(set_error::kAlreadyExists);
  e.extra["existingId"] = existing_id;
  return e;
}

SetError blob_not_found(std::vector<std::string> blob_ids) {
  auto e = set_failure(set_error::kBlobNotFound);
  json::array list;
  for (const auto& id : blob_ids) list.emplace_back(id);
  e.extra["notFound"] = std::move(list);
  return e;
}

}  // namespace postamt::jmap
