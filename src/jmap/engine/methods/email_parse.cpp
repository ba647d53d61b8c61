#include <algorithm>

#include "jmap/email/blob_ids.h"
#include "jmap/email/email_view.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/blob_access.h"
#include "jmap/engine/email_arguments.h"
#include "jmap/engine/methods/methods.h"
#include "mime/message.h"

namespace postamt::jmap::methods {
namespace {

// RFC 8621 §4.9: what Email/parse returns without a properties argument.
const std::string kDefaultProperties[] = {
    "messageId", "inReplyTo",  "references", "sender",   "from",       "to",
    "cc",        "bcc",        "replyTo",    "subject",  "sentAt",     "hasAttachment",
    "preview",   "bodyValues", "textBody",   "htmlBody", "attachments"};

// §4.9: the metadata of an Email in a mailbox, which a parsed blob does not have
// (threadId too: Postamt does not compute where it would be threaded).
constexpr std::string_view kNullProperties[] = {"id", "mailboxIds", "keywords", "receivedAt",
                                                "threadId"};

bool is_null_property(std::string_view p) {
  return std::find(std::begin(kNullProperties), std::end(kNullProperties), p) !=
         std::end(kNullProperties);
}

// An attached message's parts are parts of the stored message it is in: its part "1.2"
// is section "3.1.2" of the message whose part "3" it is (RFC 9051 §6.4.5), which is what
// fetch_blob_bytes and downloads resolve. render_email numbered them from the attached
// message itself, so each part blobId is renamed under `outer_part`.
void nest_part_blob_ids(json::value& value, const std::string& outer_part) {
  if (value.is_array()) {
    for (json::value& v : value.get_array()) nest_part_blob_ids(v, outer_part);
    return;
  }
  if (!value.is_object()) return;
  json::object& part = value.get_object();
  if (auto b = part.find("blobId"); b != part.end() && b->value().is_string())
    if (auto ref = parse_blob_id(b->value().get_string()); ref && !ref->part_id.empty())
      b->value() = part_blob_id(ref->blob, outer_part + "." + ref->part_id);
  if (auto sub = part.find("subParts"); sub != part.end())
    nest_part_blob_ids(sub->value(), outer_part);
}

}  // namespace

// RFC 8621 §4.9. A blob is notParsable when it has no header field before its first
// empty line (the MIME parser takes anything else, leniently, as a message).
json::object email_parse(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  auto blob_ids = read_id_list(arguments, "blobIds");
  if (!blob_ids) fail_argument("blobIds", "missing");
  if (blob_ids->size() > context.services().limits.max_objects_in_get)
    fail("requestTooLarge", "more blobIds than maxObjectsInGet");
  std::vector<std::string> properties(std::begin(kDefaultProperties), std::end(kDefaultProperties));
  if (auto p = read_string_list(arguments, "properties")) {
    for (const std::string& name : *p)
      if (!is_email_property(name)) fail_argument("properties", "unknown property " + name);
    properties = std::move(*p);
  }
  BodyArguments body = read_body_arguments(arguments);
  const std::vector<std::string>& body_properties = body.body_properties;
  const BodyValueOptions& options = body.options;

  json::object parsed;
  json::array not_parsable, not_found;
  for (const std::string& id : *blob_ids) {
    auto ref = parse_blob_id(id);
    auto bytes = ref ? fetch_blob_bytes(context, *ref) : std::nullopt;
    if (!bytes) {
      not_found.emplace_back(id);
      continue;
    }
    mime::Message message = mime::parse(*bytes);
    if (message.header(message.root()).size() == 0) {
      not_parsable.emplace_back(id);
      continue;
    }
    json::object email;
    for (const std::string& p : properties) {
      if (is_null_property(p)) email[p] = nullptr;
      if (p == "blobId") email[p] = id;
      if (p == "size") email[p] = bytes->size();
    }
    render_email(*bytes, message, ref->blob, properties, body_properties, options, email);
    if (!ref->part_id.empty())
      for (std::string_view p : {"bodyStructure", "textBody", "htmlBody", "attachments"})
        if (auto it = email.find(p); it != email.end())
          nest_part_blob_ids(it->value(), ref->part_id);
    parsed[id] = std::move(email);
  }
  auto or_null = [](json::array& a) {
    return a.empty() ? json::value(nullptr) : json::value(std::move(a));
  };
  return {{"accountId", context.account_id()},
          {"parsed", parsed.empty() ? json::value(nullptr) : json::value(std::move(parsed))},
          {"notParsable", or_null(not_parsable)},
          {"notFound", or_null(not_found)}};
}

}  // namespace postamt::jmap::methods
