#include <chrono>
#include <map>
#include <random>

#include "base/log.h"
#include "base/strings.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/set_response.h"
#include "mdn/user_receipt.h"
#include "model/flags.h"

namespace postamt::jmap::methods {
namespace {

// What the client chose for one MDN (RFC 9007 §2), or the SetError that refuses it.
struct MdnRequest {
  std::string for_email_id;
  mdn::ComposeOptions options;
  json::object set_by_client;  // the properties given (non-null), to leave out of `sent`
};

// One MDN's SetError, thrown from inside its checks and caught per creation id.
struct SetFailure {
  json::object error;
};

[[noreturn]] void refuse(json::object error) {
  throw SetFailure{std::move(error)};
}

[[noreturn]] void invalid_property(std::string_view property, std::string_view what) {
  refuse(set_error_json("invalidProperties", what, {std::string(property)}));
}

std::optional<std::string> string_property(const json::object& mdn, std::string_view name) {
  auto it = mdn.find(name);
  if (it == mdn.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_string()) invalid_property(name, std::string(name) + " must be a string");
  return std::string(it->value().get_string());
}

std::string disposition_word(const json::object& d, std::string_view name,
                             std::initializer_list<std::string_view> allowed) {
  auto it = d.find(name);
  // RFC 9007 §2: case-sensitive, lowercase.
  if (it != d.end() && it->value().is_string())
    for (std::string_view a : allowed)
      if (it->value().get_string() == a) return std::string(a);
  invalid_property("disposition", "disposition/" + std::string(name) + " is not one of its words");
}

mdn::Disposition read_disposition(const json::object& mdn) {
  auto it = mdn.find("disposition");
  if (it == mdn.end() || !it->value().is_object())
    invalid_property("disposition", "disposition is required");
  const json::object& d = it->value().get_object();
  mdn::Disposition out;
  out.action_mode =
      disposition_word(d, "actionMode", {"manual-action", "automatic-action"}) == "manual-action"
          ? mdn::ActionMode::manual
          : mdn::ActionMode::automatic;
  out.sending_mode =
      disposition_word(d, "sendingMode", {"mdn-sent-manually", "mdn-sent-automatically"}) ==
              "mdn-sent-manually"
          ? mdn::SendingMode::manual
          : mdn::SendingMode::automatic;
  out.type = *mdn::parse_disposition_type(
      disposition_word(d, "type", {"deleted", "dispatched", "displayed", "processed"}));
  for (const auto& [key, value] : d)
    if (key != "actionMode" && key != "sendingMode" && key != "type")
      invalid_property("disposition", "unknown disposition property " + std::string(key));
  return out;
}

MdnRequest read_mdn(const json::object& mdn) {
  MdnRequest out;
  auto id = string_property(mdn, "forEmailId");
  if (!id) invalid_property("forEmailId", "forEmailId is required");
  out.for_email_id = std::move(*id);
  mdn::ComposeOptions& o = out.options;
  o.subject = string_property(mdn, "subject");
  o.text_body = string_property(mdn, "textBody");
  o.reporting_ua = string_property(mdn, "reportingUA");
  if (auto it = mdn.find("includeOriginalMessage"); it != mdn.end() && !it->value().is_null()) {
    if (!it->value().is_bool())
      invalid_property("includeOriginalMessage", "includeOriginalMessage must be a boolean");
    o.include_original =
        it->value().get_bool() ? mdn::IncludeOriginal::yes : mdn::IncludeOriginal::no;
  }
  o.disposition = read_disposition(mdn);
  if (auto fr = string_property(mdn, "finalRecipient")) {
    // "rfc822; addr-spec" as MDN/parse gives it, or the bare address.
    std::string_view value = *fr;
    if (size_t semi = value.find(';'); semi != std::string_view::npos) {
      if (!iequals(trim(value.substr(0, semi)), "rfc822"))
        invalid_property("finalRecipient", "finalRecipient must be an rfc822 address");
      value = value.substr(semi + 1);
    }
    o.final_recipient = std::string(trim(value));
    if (o.final_recipient.empty()) invalid_property("finalRecipient", "finalRecipient is empty");
  }
  for (const auto& [key, value] : mdn) {
    std::string_view k = key;
    if (k == "forEmailId" || k == "subject" || k == "textBody" || k == "reportingUA" ||
        k == "includeOriginalMessage" || k == "disposition" || k == "finalRecipient") {
      if (!value.is_null()) out.set_by_client[k] = true;
    } else if (k == "extensionFields" || k == "extension") {
      // "extension" is the spelling of RFC 9007's own §3.1 example.
      if (value.is_null()) continue;
      if (!value.is_object()) invalid_property(k, std::string(k) + " must be an object");
      for (const auto& [name, v] : value.get_object()) {
        if (!v.is_string()) invalid_property(k, "extension field values are strings");
        o.extension_fields.push_back({std::string(name), std::string(v.get_string())});
      }
    } else if (k == "mdnGateway" || k == "originalRecipient" || k == "originalMessageId" ||
               k == "error") {
      // RFC 9007 §2: server-set.
      if (!value.is_null()) invalid_property(k, std::string(k) + " is set by the server");
    } else {
      invalid_property(k, "unknown property " + std::string(k));
    }
  }
  return out;
}

json::object set_error_for(const mdn::UserReceiptResult& r) {
  switch (r.outcome) {
    case mdn::UserReceiptOutcome::no_request:
      // RFC 9007 §2.1: notFound also for "no valid Disposition-Notification-To".
      return set_error_json("notFound", r.description);
    case mdn::UserReceiptOutcome::forbidden:
      return set_error_json("forbidden", r.description);
    case mdn::UserReceiptOutcome::forbidden_from:
      return set_error_json("forbiddenFrom", r.description, {"finalRecipient"});
    case mdn::UserReceiptOutcome::already_sent:
      return set_error_json("mdnAlreadySent", r.description);
    case mdn::UserReceiptOutcome::invalid:
    case mdn::UserReceiptOutcome::sent:
      break;
  }
  return set_error_json("invalidProperties", r.description);
}

// RFC 9007 §2.1 `sent`: the properties the server chose.
json::object sent_json(const MdnRequest& request, const mdn::ComposedMdn& c) {
  json::object out;
  auto server_chose = [&](std::string_view name, const std::string& value) {
    if (!request.set_by_client.contains(name)) out[name] = value;
  };
  server_chose("subject", c.subject);
  server_chose("textBody", c.text_body);
  server_chose("reportingUA", c.reporting_ua);
  server_chose("finalRecipient", c.final_recipient);
  if (!c.original_recipient.empty()) out["originalRecipient"] = c.original_recipient;
  if (!c.original_message_id.empty()) out["originalMessageId"] = c.original_message_id;
  return out;
}

mdn::UserReceiptDependencies receipt_dependencies(const Services& services) {
  mdn::UserReceiptDependencies deps;
  deps.delivery = *services.delivery;
  deps.server_policy = services.receipts;
  deps.hostname = services.hostname;
  deps.now = [] {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  };
  deps.random = [] {
    static thread_local std::mt19937 rng{std::random_device{}()};
    return static_cast<uint32_t>(rng());
  };
  return deps;
}

// One MDN: the SetError, or the `sent` entry and the Email it was for.
json::object send_one(CallContext& context, const mdn::UserReceiptDependencies& deps,
                      const json::value& value, std::string& email_id) {
  if (!value.is_object()) return set_error_json("invalidProperties", "expected an MDN object");
  MdnRequest request = read_mdn(value.get_object());
  auto resolved = context.resolve_id(request.for_email_id);
  const EmailEntry* email = resolved ? context.view().email(*resolved) : nullptr;
  if (!email) refuse(set_error_json("notFound", "no such Email", {"forEmailId"}));
  const store::MessageRecord& record = email->latest();
  auto bytes = context.blobs().get(record.blob);
  if (!bytes) {
    log::warning("jmap", "cannot read message {} of <{}>: {}", record.blob.hex(),
                 context.account().address, bytes.error().message);
    refuse(set_error_json("serverFail", "the message could not be read"));
  }
  mdn::UserReceiptOriginal original;
  const EmailCopy& copy = email->copies.front();
  original.location = {copy.mailbox->id, copy.record->uid};
  original.message_id = record.message_id;
  for (const EmailCopy& c : email->copies)
    original.has_mdn_sent = original.has_mdn_sent || c.record->keywords.contains(kMdnSentKeyword);
  original.bytes = *bytes;
  // The view (and `email` with it) is reloaded below: the ledger changes keywords.
  const std::string id = email->id;
  auto result = mdn::send_user_receipt(deps, context.account(), original,
                                       std::move(request.options), store::ReceiptPath::jmap);
  // The ledger may have set $MDNSent even when delivery failed.
  context.invalidate();
  if (!result) {
    log::warning("jmap", "MDN/send of <{}> for {}: {}", context.account().address, id,
                 result.error().message);
    if (result.error().kind == ErrorKind::not_found)
      refuse(set_error_json("notFound", "the Email or the requester is gone"));
    refuse(set_error_json("serverFail", "the receipt could not be sent"));
  }
  if (result->outcome != mdn::UserReceiptOutcome::sent) refuse(set_error_for(*result));
  email_id = id;
  return sent_json(request, result->composed);
}

}  // namespace

// RFC 9007 §2.1. The server builds the receipt, applies the rules of every receipt
// (mdn/user_receipt.h: RFC 8098 §2.1, the policy, the ledger) and delivers it; recording
// it sets $MDNSent itself, so the client's onSuccessUpdateEmail only repeats that.
json::object mdn_send(CallContext& context, const json::object& arguments) {
  // RFC 9007 §2.1: an unknown accountId or identityId is invalidArguments.
  if (read_id(arguments, "accountId") != context.account_id())
    fail_argument("accountId", "no such account");
  if (read_id(arguments, "identityId") != "I" + std::to_string(context.account().id.value()))
    fail_argument("identityId", "no such identity");
  const json::object* send = read_object(arguments, "send");
  if (!send) fail_argument("send", "missing");
  if (send->size() > context.services().limits.max_objects_in_set)
    fail("requestTooLarge", "more MDNs than maxObjectsInSet");
  const json::object* on_success = read_object(arguments, "onSuccessUpdateEmail");
  if (on_success) {
    for (const auto& [key, patch] : *on_success) {
      std::string_view k = key;
      // RFC 9007 §2.1: always a backward reference to a creation id of `send`.
      if (!k.starts_with('#') || !send->contains(k.substr(1)))
        fail_argument("onSuccessUpdateEmail", "keys must be #creationIds of send");
      if (!patch.is_object()) fail_argument("onSuccessUpdateEmail", "expected patch objects");
    }
  }
  if (!context.services().delivery) fail("forbidden", "this server sends no mail");

  const mdn::UserReceiptDependencies deps = receipt_dependencies(context.services());
  json::object sent, not_sent;
  std::map<std::string, std::string, std::less<>> sent_emails;  // creation id -> Email id
  for (const auto& [creation_id, value] : *send) {
    try {
      std::string email_id;
      sent[creation_id] = send_one(context, deps, value, email_id);
      sent_emails[std::string(creation_id)] = email_id;
    } catch (SetFailure& failure) {
      not_sent[creation_id] = std::move(failure.error);
    }
  }

  if (on_success) {
    json::object update;
    for (const auto& [key, patch] : *on_success) {
      auto it = sent_emails.find(std::string_view(key).substr(1));
      if (it != sent_emails.end()) update[it->second] = patch;
    }
    if (!update.empty()) {
      // §2.1: the implicit Email/set, answered after this response.
      json::object set_arguments{{"accountId", context.account_id()},
                                 {"update", std::move(update)}};
      try {
        context.follow_ups().push_back({"Email/set", email_set(context, set_arguments), ""});
      } catch (const MethodFailure& failure) {
        context.follow_ups().push_back({"error", failure.error.to_arguments(), ""});
      }
    }
  }
  json::object out{{"accountId", context.account_id()}};
  out["sent"] = sent.empty() ? json::value(nullptr) : json::value(std::move(sent));
  out["notSent"] = not_sent.empty() ? json::value(nullptr) : json::value(std::move(not_sent));
  return out;
}

}  // namespace postamt::jmap::methods
