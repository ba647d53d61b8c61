#include <boost/json/serialize.hpp>

#include <chrono>
#include <map>

#include "base/log.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/set_response.h"
#include "jmap/engine/standard.h"
#include "jmap/engine/submission_json.h"
#include "jmap/engine/submission_send.h"
#include "jmap/proto/arguments.h"
#include "model/object_ids.h"

namespace postamt::jmap::methods {
namespace {

// RFC 8621 §7: Address {email, parameters}; parameters an object or null.
std::optional<store::SubmissionAddress> read_address(const json::value& value) {
  if (!value.is_object()) return std::nullopt;
  const json::object& o = value.get_object();
  auto email = o.find("email");
  if (email == o.end() || !email->value().is_string()) return std::nullopt;
  store::SubmissionAddress out{std::string(email->value().get_string()), "null",
                               store::SubmissionRoute::remote};
  if (auto p = o.find("parameters"); p != o.end() && !p->value().is_null()) {
    if (!p->value().is_object()) return std::nullopt;
    for (const auto& [name, v] : p->value().get_object())
      if (!v.is_string() && !v.is_null()) return std::nullopt;
    out.parameters = json::serialize(p->value());
  }
  for (const auto& [name, v] : o)
    if (name != "email" && name != "parameters") return std::nullopt;
  return out;
}

std::optional<Envelope> read_envelope(const json::object& envelope) {
  auto from = envelope.find("mailFrom");
  auto to = envelope.find("rcptTo");
  if (from == envelope.end() || to == envelope.end() || !to->value().is_array() ||
      envelope.size() != 2)
    return std::nullopt;
  Envelope out;
  auto mail_from = read_address(from->value());
  if (!mail_from) return std::nullopt;
  out.mail_from = std::move(*mail_from);
  for (const json::value& v : to->value().get_array()) {
    auto rcpt = read_address(v);
    if (!rcpt) return std::nullopt;
    out.rcpt_to.push_back(std::move(*rcpt));
  }
  return out;
}

int64_t seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// §7.5 create: checks the object, sends the Email, and keeps the record (durable before
// the create is answered).
std::optional<json::object> create_submission(CallContext& context, const json::object& create,
                                              json::object& created, std::string& email_id) {
  for (const auto& [key, value] : create) {
    if (key == "identityId" || key == "emailId" || key == "envelope") continue;
    // Sent at once (maxDelayedSend 0): undoStatus can only be "final".
    if (key == "undoStatus" && value.is_string() && value.get_string() == "final") continue;
    return set_error_json("invalidProperties", "not a property a client may set",
                          {std::string(key)});
  }
  auto identity = read_string(create, "identityId");
  if (!identity || *identity != account_identity_id(context))
    return set_error_json("invalidProperties", "no such identity", {"identityId"});
  auto email_arg = read_string(create, "emailId");
  auto resolved = email_arg ? context.resolve_id(*email_arg) : std::nullopt;
  const EmailEntry* email = resolved ? context.view().email(*resolved) : nullptr;
  if (!email) return set_error_json("invalidProperties", "no such Email", {"emailId"});
  email_id = email->id;
  const store::MessageRecord& record = email->first();
  auto bytes = context.blobs().get(record.blob);
  if (!bytes) return set_error_json("serverFail", "the message could not be read");

  std::optional<Envelope> envelope;
  if (const json::object* given = read_object(create, "envelope")) {
    envelope = read_envelope(*given);
    if (!envelope) return set_error_json("invalidProperties", "not an Envelope", {"envelope"});
  } else {
    envelope = derive_envelope(*bytes);
    if (!envelope) return set_error_json("invalidEmail", "the Email has no From", {"emailId"});
  }

  SendOutcome outcome;
  if (auto error = send_message(context, *bytes, *envelope, outcome)) return error;

  store::NewEmailSubmission submission;
  submission.account = context.account().id;
  submission.identity_id = *identity;
  submission.email_id = email->id;
  submission.thread_id = thread_object_id(email->thread());
  submission.message_id = record.message_id;
  submission.mail_from = envelope->mail_from;
  submission.rcpt_to = std::move(outcome.rcpt_to);
  submission.send_at = seconds_now();
  submission.queue_id = std::move(outcome.queue_id);
  auto stored = context.store().create_email_submission(submission);
  context.invalidate();
  if (!stored) {
    // The message went out; only its record is missing.
    log::error("jmap", "submission by <{}> sent but not recorded: {}", context.account().address,
               stored.error().message);
    return set_error_json("serverFail", "sent, but the submission could not be recorded");
  }
  created = {{"id", submission_object_id(stored->id)},
             {"threadId", stored->thread_id},
             {"sendAt", format_utc_date(stored->send_at)},
             {"undoStatus", "final"}};
  return std::nullopt;
}

// onSuccessDestroyEmail: Ids, or "#creationId" for a submission created in this call
// (§7.5), so not read_id_list.
std::vector<std::string> read_destroy_email(const json::object& arguments) {
  auto list = read_string_list(arguments, "onSuccessDestroyEmail");
  if (!list) return {};
  for (const std::string& id : *list) {
    std::string_view bare = std::string_view(id).substr(id.starts_with('#') ? 1 : 0);
    if (!is_valid_id(bare)) fail_argument("onSuccessDestroyEmail", "expected a list of Ids");
  }
  return std::move(*list);
}

const store::EmailSubmission* find_record(const std::vector<store::EmailSubmission>& records,
                                          std::string_view id) {
  auto number = parse_submission_object_id(id);
  if (!number) return nullptr;
  for (const store::EmailSubmission& r : records)
    if (r.id == *number) return &r;
  return nullptr;
}

// §7.5 onSuccessUpdateEmail / onSuccessDestroyEmail: one implicit Email/set after this
// response, for the submissions that succeeded ("#creationId" names one created here).
void email_follow_up(CallContext& context, const json::object& arguments,
                     const std::map<std::string, std::string>& succeeded) {
  json::object update;
  json::array destroy;
  auto email_of = [&](std::string_view key) -> std::optional<std::string> {
    std::string id(key);
    if (key.starts_with('#')) {
      auto created = context.created_ids().find(std::string(key.substr(1)));
      if (created == context.created_ids().end()) return std::nullopt;
      id = created->second;
    }
    auto it = succeeded.find(id);
    if (it == succeeded.end()) return std::nullopt;
    return it->second;
  };
  if (const json::object* updates = read_object(arguments, "onSuccessUpdateEmail"))
    for (const auto& [key, patch] : *updates)
      if (auto email = email_of(key)) update[*email] = patch;
  for (const std::string& key : read_destroy_email(arguments))
    if (auto email = email_of(key)) destroy.emplace_back(*email);
  if (update.empty() && destroy.empty()) return;
  json::object email_arguments{{"accountId", context.account_id()}};
  if (!update.empty()) email_arguments["update"] = std::move(update);
  if (!destroy.empty()) email_arguments["destroy"] = std::move(destroy);
  try {
    json::object result = email_set(context, email_arguments);
    context.follow_ups().push_back({"Email/set", std::move(result), {}});
  } catch (const MethodFailure& failure) {
    context.follow_ups().push_back({"error", failure.error.to_arguments(), {}});
  }
}

}  // namespace

// RFC 8621 §7.5. Every submission is sent at once (maxDelayedSend 0), so undoStatus is
// "final" from the start and an update to "canceled" is cannotUnsend. Destroying removes
// the record, not the Email.
json::object email_submission_set(CallContext& context, const json::object& arguments) {
  std::string old_state = state_string(context.view().modseq());
  check_set_arguments(context, arguments, old_state);
  // Checked before anything is sent, so that a malformed argument sends nothing.
  auto on_update = arguments.find("onSuccessUpdateEmail");
  if (on_update != arguments.end() && !on_update->value().is_null() &&
      !on_update->value().is_object())
    fail_argument("onSuccessUpdateEmail", "expected an object of patches");
  read_destroy_email(arguments);
  SetResponse response;
  std::map<std::string, std::string> succeeded;  // submission id -> its Email id

  for (const auto& [creation_id, value] : create_argument(arguments)) {
    if (!value.is_object()) {
      response.not_created[creation_id] = set_error_json("invalidProperties", "expected an object");
      continue;
    }
    json::object created;
    std::string email_id;
    if (auto error = create_submission(context, value.get_object(), created, email_id)) {
      response.not_created[creation_id] = std::move(*error);
      continue;
    }
    std::string id(created["id"].get_string());
    context.created_ids()[std::string(creation_id)] = id;
    succeeded[id] = email_id;
    response.created[creation_id] = std::move(created);
  }

  auto records = context.store().list_email_submissions(context.account().id);
  if (!records) fail_store(records.error(), "the store could not be read");
  for (const auto& [id, value] : update_argument(arguments)) {
    const store::EmailSubmission* record = find_record(*records, id);
    if (!record) {
      response.not_updated[id] = set_error_json("notFound");
      continue;
    }
    if (!value.is_object()) {
      response.not_updated[id] = set_error_json("invalidPatch", "expected a patch object");
      continue;
    }
    std::optional<json::object> error;
    for (const auto& [key, v] : value.get_object()) {
      if (key != "undoStatus") {
        error =
            set_error_json("invalidProperties", "only undoStatus can change", {std::string(key)});
      } else if (!v.is_string() || (v.get_string() != "final" && v.get_string() != "canceled")) {
        error = set_error_json("invalidProperties", "not an undoStatus", {"undoStatus"});
      } else if (v.get_string() == "canceled") {
        error = set_error_json("cannotUnsend", "the message was sent at once");
      }
      if (error) break;
    }
    if (error) {
      response.not_updated[id] = std::move(*error);
      continue;
    }
    succeeded[id] = record->email_id;
    response.updated[id] = nullptr;
  }

  for (const std::string& id : destroy_argument(context, arguments)) {
    const store::EmailSubmission* record = find_record(*records, id);
    if (!record) {
      response.not_destroyed[id] = set_error_json("notFound");
      continue;
    }
    auto destroyed = context.store().destroy_email_submission(context.account().id, record->id);
    context.invalidate();
    if (!destroyed) {
      response.not_destroyed[id] = set_error_json(
          destroyed.error().kind == ErrorKind::not_found ? "notFound" : "serverFail");
      continue;
    }
    succeeded[id] = record->email_id;
    response.destroyed.emplace_back(id);
  }

  json::object result = response.finish(context, old_state, state_string(context.current_modseq()));
  email_follow_up(context, arguments, succeeded);
  return result;
}

}  // namespace postamt::jmap::methods
