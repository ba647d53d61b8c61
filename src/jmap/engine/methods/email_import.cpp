#include <chrono>

#include "jmap/email/blob_ids.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/blob_access.h"
#include "jmap/engine/email_write.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/set_response.h"
#include "jmap/engine/standard.h"

namespace postamt::jmap::methods {

// RFC 8621 §4.8: uploaded (or stored) message bytes become Emails, durable before the
// response says so (mail/messages.h fsyncs the blob and commits).
json::object email_import(CallContext& context, const json::object& arguments) {
  std::string old_state = state_string(context.view().modseq());
  context.require_account(arguments);
  if (auto expected = read_string(arguments, "ifInState"); expected && *expected != old_state)
    fail("stateMismatch");
  const json::object* emails = read_object(arguments, "emails");
  if (!emails) fail_argument("emails", "missing");
  if (emails->size() > context.services().limits.max_objects_in_set)
    fail("requestTooLarge", "more Emails than maxObjectsInSet");
  json::object created, not_created;
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  for (const auto& [creation_id, value] : *emails) {
    if (!value.is_object()) {
      not_created[creation_id] =
          set_error_json("invalidProperties", "expected an EmailImport object");
      continue;
    }
    const json::object& item = value.get_object();
    auto blob = item.find("blobId");
    auto ref = blob != item.end() && blob->value().is_string()
                   ? parse_blob_id(blob->value().get_string())
                   : std::nullopt;
    if (!ref) {
      not_created[creation_id] =
          set_error_json("invalidProperties", "blobId is required", {"blobId"});
      continue;
    }
    auto bytes = fetch_blob_bytes(context, *ref);
    if (!bytes) {
      json::object e = set_error_json("blobNotFound");
      e["notFound"] = json::array{blob->value()};
      not_created[creation_id] = std::move(e);
      continue;
    }
    std::set<const store::Mailbox*> mailboxes;
    FlagSet flags;
    std::optional<int64_t> received_at;
    if (auto e = read_placement(context, item, mailboxes, flags, received_at)) {
      not_created[creation_id] = std::move(*e);
      continue;
    }
    json::object result;
    if (auto e =
            store_email(context, *bytes, mailboxes, flags, received_at.value_or(now), result)) {
      not_created[creation_id] = std::move(*e);
      continue;
    }
    context.created_ids()[std::string(creation_id)] = std::string(result["id"].get_string());
    created[creation_id] = std::move(result);
  }
  json::object out;
  out["accountId"] = context.account_id();
  out["oldState"] = old_state;
  out["newState"] = state_string(context.current_modseq());
  out["created"] = created.empty() ? json::value(nullptr) : json::value(std::move(created));
  out["notCreated"] =
      not_created.empty() ? json::value(nullptr) : json::value(std::move(not_created));
  return out;
}

}  // namespace postamt::jmap::methods
