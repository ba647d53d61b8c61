// JMAP error values: method-level errors (RFC 8620 §3.6.2) and SetErrors (§5.3), with
// the type names registered by RFC 8620, RFC 8621, RFC 9007 and RFC 9404.
//
// An engine returns a MethodError; the dispatcher turns it into the Invocation
// ["error", to_arguments(), callId]. SetErrors go into notCreated/notUpdated/
// notDestroyed maps as to_json().
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace postamt::jmap {

namespace json = boost::json;

// Method-level error types ("type" of an "error" response).
namespace method_error {
// RFC 8620 §3.6.2, for any method.
inline constexpr std::string_view kServerUnavailable = "serverUnavailable";
inline constexpr std::string_view kServerFail = "serverFail";
inline constexpr std::string_view kServerPartialFail = "serverPartialFail";
inline constexpr std::string_view kUnknownMethod = "unknownMethod";
inline constexpr std::string_view kInvalidArguments = "invalidArguments";
inline constexpr std::string_view kInvalidResultReference = "invalidResultReference";
inline constexpr std::string_view kForbidden = "forbidden";
inline constexpr std::string_view kAccountNotFound = "accountNotFound";
inline constexpr std::string_view kAccountNotSupportedByMethod = "accountNotSupportedByMethod";
inline constexpr std::string_view kAccountReadOnly = "accountReadOnly";
// RFC 8620 §5.1-§5.6 (the standard methods).
inline constexpr std::string_view kRequestTooLarge = "requestTooLarge";
inline constexpr std::string_view kStateMismatch = "stateMismatch";
inline constexpr std::string_view kCannotCalculateChanges = "cannotCalculateChanges";
inline constexpr std::string_view kAnchorNotFound = "anchorNotFound";
inline constexpr std::string_view kUnsupportedSort = "unsupportedSort";
inline constexpr std::string_view kUnsupportedFilter = "unsupportedFilter";
inline constexpr std::string_view kTooManyChanges = "tooManyChanges";
inline constexpr std::string_view kFromAccountNotFound = "fromAccountNotFound";
inline constexpr std::string_view kFromAccountNotSupportedByMethod =
    "fromAccountNotSupportedByMethod";
// RFC 9404 §6.2 (Blob/lookup).
inline constexpr std::string_view kUnknownDataType = "unknownDataType";
// Not registered as a method error: RFC 8620 §3.6.1 uses the name for the request
// level. Some servers answer a method whose capability is missing from "using" with it.
inline constexpr std::string_view kUnknownCapability = "unknownCapability";
}  // namespace method_error

// SetError types (notCreated/notUpdated/notDestroyed values).
namespace set_error {
// RFC 8620 §5.3, §5.4.
inline constexpr std::string_view kForbidden = "forbidden";
inline constexpr std::string_view kOverQuota = "overQuota";
inline constexpr std::string_view kTooLarge = "tooLarge";
inline constexpr std::string_view kRateLimit = "rateLimit";
inline constexpr std::string_view kNotFound = "notFound";
inline constexpr std::string_view kInvalidPatch = "invalidPatch";
inline constexpr std::string_view kWillDestroy = "willDestroy";
inline constexpr std::string_view kInvalidProperties = "invalidProperties";
inline constexpr std::string_view kSingleton = "singleton";
inline constexpr std::string_view kAlreadyExists = "alreadyExists";
// RFC 8621 §2.5, §4.6, §7.5 (Mailbox, Email, EmailSubmission), §6.3 (Identity).
inline constexpr std::string_view kMailboxHasChild = "mailboxHasChild";
inline constexpr std::string_view kMailboxHasEmail = "mailboxHasEmail";
inline constexpr std::string_view kBlobNotFound = "blobNotFound";
inline constexpr std::string_view kTooManyKeywords = "tooManyKeywords";
inline constexpr std::string_view kTooManyMailboxes = "tooManyMailboxes";
inline constexpr std::string_view kInvalidEmail = "invalidEmail";
inline constexpr std::string_view kTooManyRecipients = "tooManyRecipients";
inline constexpr std::string_view kNoRecipients = "noRecipients";
inline constexpr std::string_view kInvalidRecipients = "invalidRecipients";
inline constexpr std::string_view kForbiddenMailFrom = "forbiddenMailFrom";
inline constexpr std::string_view kForbiddenFrom = "forbiddenFrom";
inline constexpr std::string_view kForbiddenToSend = "forbiddenToSend";
inline constexpr std::string_view kCannotUnsend = "cannotUnsend";
// RFC 9007 §2.1 (MDN/send).
inline constexpr std::string_view kMdnAlreadySent = "mdnAlreadySent";
}  // namespace set_error

// Method-level error (§3.6.2): becomes ["error", to_arguments(), callId].
struct MethodError {
  std::string type;         // one of method_error::k...
  std::string description;  // plain words for a developer; omitted from JSON when empty
  json::object extra;       // further members, e.g. {"arguments": ["accountId"]}
  // {"type": type[, "description": description], extra...}; an extra member named
  // "type" or "description" is dropped.
  json::object to_arguments() const;
};

MethodError method_failure(std::string_view type, std::string description = {});
// invalidArguments; `argument`, when given, is listed as {"arguments": [argument]}.
MethodError invalid_arguments(std::string description, std::string_view argument = {});
MethodError invalid_result_reference(std::string description);
MethodError unknown_method(std::string_view name);  // description names the method
MethodError server_fail(std::string description = {});
MethodError server_unavailable(std::string description = {});
MethodError forbidden(std::string description = {});
MethodError account_not_found();
MethodError account_not_supported_by_method();
MethodError account_read_only();
MethodError request_too_large(std::string description = {});
MethodError state_mismatch();
MethodError cannot_calculate_changes();
MethodError anchor_not_found();
MethodError unsupported_sort(std::string description = {});
MethodError unsupported_filter(std::string description = {});
MethodError too_many_changes();
MethodError from_account_not_found();
MethodError from_account_not_supported_by_method();

// SetError (§5.3).
struct SetError {
  std::string type;                     // one of set_error::k...
  std::string description;              // omitted from JSON when empty
  std::vector<std::string> properties;  // omitted from JSON when empty
  json::object extra;                   // e.g. {"existingId": "M1"} for alreadyExists
  // {"type": type[, "description": ..][, "properties": [..]], extra...}; extra members
  // named like the three before are dropped.
  json::object to_json() const;
};

SetError set_failure(std::string_view type, std::string description = {});
SetError not_found(std::string description = {});
SetError invalid_properties(std::vector<std::string> properties, std::string description = {});
SetError invalid_patch(std::string description);
// RFC 8620 §5.4: "existingId" names the record that already exists.
SetError already_exists(std::string existing_id);
// RFC 8621 §4.6: "notFound" lists the blob ids that do not exist.
SetError blob_not_found(std::vector<std::string> blob_ids);

}  // namespace postamt::jmap
