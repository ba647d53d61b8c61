#include <algorithm>

#include "base/log.h"
#include "jmap/email/blob_ids.h"
#include "jmap/email/email_view.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/email_arguments.h"
#include "jmap/engine/keywords.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/standard.h"
#include "mime/message.h"
#include "model/object_ids.h"

namespace postamt::jmap::methods {
namespace {

// RFC 8621 §4.2: what Email/get returns without a properties argument.
constexpr std::string_view kDefaultProperties[] = {
    "id",        "blobId",    "threadId",   "mailboxIds", "keywords",      "size",    "receivedAt",
    "messageId", "inReplyTo", "references", "sender",     "from",          "to",      "cc",
    "bcc",       "replyTo",   "subject",    "sentAt",     "hasAttachment", "preview", "bodyValues",
    "textBody",  "htmlBody",  "attachments"};

// Properties the engine answers from the store's records, without the message bytes.
constexpr std::string_view kRecordProperties[] = {"id",       "blobId", "threadId",  "mailboxIds",
                                                  "keywords", "size",   "receivedAt"};

bool is_record_property(std::string_view p) {
  return std::find(std::begin(kRecordProperties), std::end(kRecordProperties), p) !=
         std::end(kRecordProperties);
}

bool accept_property(std::string_view p) {
  return is_email_property(p);
}

}  // namespace

json::object email_get(CallContext& context, const json::object& arguments) {
  GetArguments get =
      read_get(context, arguments, kRecordProperties, kDefaultProperties, &accept_property);
  BodyArguments body = read_body_arguments(arguments);
  const std::vector<std::string>& body_properties = body.body_properties;
  const BodyValueOptions& options = body.options;

  std::vector<std::string> content_properties;
  for (const std::string& p : get.properties)
    if (!is_record_property(p)) content_properties.push_back(p);
  bool reads_body = std::any_of(content_properties.begin(), content_properties.end(),
                                [](const std::string& p) { return p == "bodyValues"; }) &&
                    (options.fetch_text || options.fetch_html || options.fetch_all);

  const AccountView& view = context.view();
  std::vector<const EmailEntry*> emails;
  json::array not_found;
  if (!get.ids) {
    for (const EmailEntry& e : view.emails()) {
      if (emails.size() >= context.services().limits.max_objects_in_get)
        fail("requestTooLarge", "more Emails than maxObjectsInGet; ask for ids");
      emails.push_back(&e);
    }
  } else {
    for (const std::string& id : *get.ids) {
      if (const EmailEntry* e = view.email(id))
        emails.push_back(e);
      else
        not_found.emplace_back(id);
    }
  }

  json::array list;
  for (const EmailEntry* e : emails) {
    const store::MessageRecord& record = e->latest();
    json::object out;
    out["id"] = e->id;
    if (wants(get, "blobId")) out["blobId"] = blob_id(record.blob);
    if (wants(get, "threadId")) out["threadId"] = thread_object_id(e->thread());
    if (wants(get, "mailboxIds")) {
      json::object boxes;
      for (const EmailCopy& c : e->copies) boxes[AccountView::mailbox_id(*c.mailbox)] = true;
      out["mailboxIds"] = std::move(boxes);
    }
    if (wants(get, "keywords")) out["keywords"] = keywords_json(record);
    if (wants(get, "size")) out["size"] = record.size;
    if (wants(get, "receivedAt")) out["receivedAt"] = format_utc_date(e->received_at());
    if (!content_properties.empty()) {
      auto bytes = context.blobs().get(record.blob);
      if (!bytes) {
        log::warning("jmap", "cannot read message {} of <{}>: {}", record.blob.hex(),
                     context.account().address, bytes.error().message);
        fail_store(bytes.error(), "a message could not be read");
      }
      mime::Message parsed = mime::parse(*bytes);
      render_email(*bytes, parsed, record.blob, content_properties, body_properties, options, out);
      if (reads_body) {
        const EmailCopy& c = e->copies.front();
        context.downloads().push_back({context.account().id, context.account().address,
                                       c.mailbox->id, c.record->uid, record.blob,
                                       mail::DownloadKind::full_message});
      }
    }
    list.push_back(std::move(out));
  }
  return {{"accountId", context.account_id()},
          {"state", state_string(view.modseq())},
          {"list", std::move(list)},
          {"notFound", std::move(not_found)}};
}

}  // namespace postamt::jmap::methods
