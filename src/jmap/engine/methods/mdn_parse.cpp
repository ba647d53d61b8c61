#include "jmap/email/blob_ids.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/blob_access.h"
#include "jmap/engine/methods/methods.h"
#include "mdn/parse.h"

namespace postamt::jmap::methods {
namespace {

json::value optional_string(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

// RFC 9007 §2.2: forEmailId only when the Message-ID names exactly one Email.
json::value email_for(CallContext& context, const std::optional<std::string>& message_id) {
  if (!message_id) return nullptr;
  const EmailEntry* found = nullptr;
  for (const EmailEntry& e : context.view().emails()) {
    if (e.first().message_id != *message_id) continue;
    if (found) return nullptr;
    found = &e;
  }
  return found ? json::value(found->id) : json::value(nullptr);
}

json::object mdn_json(CallContext& context, const mdn::MdnReport& r) {
  const mdn::Disposition& d = r.disposition;
  // RFC 9007 §2: MDN/parse lowercases the disposition words.
  json::object disposition{
      {"actionMode",
       d.action_mode == mdn::ActionMode::manual ? "manual-action" : "automatic-action"},
      {"sendingMode",
       d.sending_mode == mdn::SendingMode::manual ? "mdn-sent-manually" : "mdn-sent-automatically"},
      {"type", mdn::to_string(d.type)}};
  json::value errors = nullptr;
  if (!r.errors.empty()) {
    json::array list;
    for (const std::string& e : r.errors) list.emplace_back(e);
    errors = std::move(list);
  }
  json::value extensions = nullptr;
  if (!r.extension_fields.empty()) {
    json::object fields;
    for (const auto& [name, value] : r.extension_fields) fields[name] = value;
    extensions = std::move(fields);
  }
  return {{"forEmailId", email_for(context, r.original_message_id)},
          {"subject", optional_string(r.subject)},
          {"textBody", optional_string(r.text_body)},
          {"includeOriginalMessage", r.includes_original},
          {"reportingUA", optional_string(r.reporting_ua)},
          {"disposition", std::move(disposition)},
          {"mdnGateway", optional_string(r.mdn_gateway)},
          {"originalRecipient", optional_string(r.original_recipient)},
          {"finalRecipient", r.final_recipient},
          {"originalMessageId", optional_string(r.original_message_id)},
          {"error", std::move(errors)},
          {"extensionFields", std::move(extensions)}};
}

}  // namespace

// RFC 9007 §2.2: blobs the account may read (blob_access.h), parsed as receipts.
json::object mdn_parse(CallContext& context, const json::object& arguments) {
  // §2.2: an unknown accountId is invalidArguments.
  if (read_id(arguments, "accountId") != context.account_id())
    fail_argument("accountId", "no such account");
  auto blob_ids = read_id_list(arguments, "blobIds");
  if (!blob_ids) fail_argument("blobIds", "missing");
  if (blob_ids->size() > context.services().limits.max_objects_in_get)
    fail("requestTooLarge", "more blobIds than maxObjectsInGet");
  json::object parsed;
  json::array not_parsable, not_found;
  for (const std::string& id : *blob_ids) {
    auto ref = parse_blob_id(id);
    std::optional<std::string> bytes;
    if (ref) bytes = fetch_blob_bytes(context, *ref);
    if (!bytes) {
      not_found.emplace_back(id);
      continue;
    }
    auto report = mdn::parse_mdn_report(*bytes);
    if (!report) {
      not_parsable.emplace_back(id);
      continue;
    }
    parsed[id] = mdn_json(context, *report);
  }
  json::object out{{"accountId", context.account_id()}};
  out["parsed"] = parsed.empty() ? json::value(nullptr) : json::value(std::move(parsed));
  out["notParsable"] =
      not_parsable.empty() ? json::value(nullptr) : json::value(std::move(not_parsable));
  out["notFound"] = not_found.empty() ? json::value(nullptr) : json::value(std::move(not_found));
  return out;
}

}  // namespace postamt::jmap::methods
