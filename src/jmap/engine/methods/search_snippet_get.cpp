#include "base/log.h"
#include "jmap/email/email_view.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/email_filter.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/search_snippet.h"
#include "mime/message.h"

namespace postamt::jmap::methods {
namespace {

// The subject and the text of the textBody parts (RFC 8621 §4.1.4: text/plain, or
// text/html where there is no plain alternative), as Email/get would render them.
struct EmailText {
  std::string subject;
  std::string body;
};

EmailText email_text(CallContext& context, const EmailEntry& email) {
  const store::MessageRecord& record = email.latest();
  auto bytes = context.blobs().get(record.blob);
  if (!bytes) {
    log::warning("jmap", "cannot read message {} of <{}>: {}", record.blob.hex(),
                 context.account().address, bytes.error().message);
    fail_store(bytes.error(), "a message could not be read");
  }
  mime::Message parsed = mime::parse(*bytes);
  const std::string properties[] = {"subject", "textBody", "bodyValues"};
  const std::string body_properties[] = {"partId", "type"};
  BodyValueOptions options;
  options.fetch_text = true;
  json::object out;
  render_email(*bytes, parsed, record.blob, properties, body_properties, options, out);
  EmailText text;
  if (out["subject"].is_string()) text.subject = out["subject"].get_string();
  const json::object& values = out["bodyValues"].as_object();
  for (const json::value& part : out["textBody"].as_array()) {
    const json::object& p = part.as_object();
    auto value = values.find(p.at("partId").as_string());
    if (value == values.end()) continue;
    std::string_view v = value->value().at("value").as_string();
    if (!text.body.empty()) text.body += '\n';
    text.body += p.at("type").as_string() == "text/html" ? html_to_text(v) : std::string(v);
  }
  return text;
}

}  // namespace

// RFC 8621 §5.1.
json::object search_snippet_get(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  auto ids = read_id_list(arguments, "emailIds");
  if (!ids) fail_argument("emailIds", "missing");
  if (ids->size() > context.services().limits.max_objects_in_get)
    fail("requestTooLarge", "more emailIds than maxObjectsInGet");
  const AccountView& view = context.view();
  SnippetTerms terms;
  if (auto f = arguments.find("filter"); f != arguments.end() && !f->value().is_null()) {
    // The same filter as Email/query's: unsupportedFilter and invalidArguments alike.
    EmailFilter::compile(view, f->value());
    terms = snippet_terms(f->value());
  }
  json::array list, not_found;
  for (const std::string& id : *ids) {
    const EmailEntry* email = view.email(id);
    if (!email) {
      not_found.emplace_back(id);
      continue;
    }
    json::object snippet{{"emailId", id}, {"subject", nullptr}, {"preview", nullptr}};
    if (!terms.subject.empty() || !terms.body.empty()) {
      EmailText text = email_text(context, *email);
      if (auto s = mark_matches(text.subject, terms.subject)) snippet["subject"] = *s;
      if (auto p = preview_snippet(text.body, terms.body)) snippet["preview"] = *p;
    }
    list.push_back(std::move(snippet));
  }
  return {
      {"accountId", context.account_id()},
      {"list", std::move(list)},
      {"notFound", not_found.empty() ? json::value(nullptr) : json::value(std::move(not_found))}};
}

}  // namespace postamt::jmap::methods
