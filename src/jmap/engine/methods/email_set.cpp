#include <algorithm>
#include <set>

#include "base/log.h"
#include "jmap/email/email_create.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/email_write.h"
#include "jmap/engine/keywords.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/set_response.h"
#include "jmap/engine/standard.h"
#include "jmap/proto/arguments.h"

namespace postamt::jmap::methods {
namespace {

// An update's patch (RFC 8620 §5.3) on the two properties Email/set may change
// (RFC 8621 §4.6: keywords and mailboxIds; everything else is immutable).
std::optional<json::object> apply_email_patch(CallContext& context, const AccountView& view,
                                              const EmailEntry& email, const json::object& patch,
                                              EmailTarget& target) {
  target.flags = flag_set(email.latest());
  for (const EmailCopy& c : email.copies) target.mailboxes.insert(c.mailbox);
  bool keywords_replaced = false, mailboxes_replaced = false;
  bool keywords_patched = false, mailboxes_patched = false;
  for (const auto& [key, value] : patch) {
    std::string_view k = key;
    if (k == "keywords") {
      if (!value.is_object())
        return set_error_json("invalidProperties", "keywords must be an object", {"keywords"});
      FlagSet set;
      if (!keywords_from_json(value.get_object(), set))
        return set_error_json("invalidProperties", "not a keyword", {"keywords"});
      target.flags = std::move(set);
      keywords_replaced = true;
    } else if (k.starts_with("keywords/")) {
      std::string keyword(k.substr(9));
      if (!(value.is_bool() && value.get_bool()) && !value.is_null())
        return set_error_json("invalidPatch", "a keyword is set with true and removed with null");
      if (!is_valid_keyword(keyword))
        return set_error_json("invalidProperties", "not a keyword", {std::string(k)});
      set_keyword(target.flags, keyword, value.is_bool());
      keywords_patched = true;
    } else if (k == "mailboxIds") {
      if (!value.is_object())
        return set_error_json("invalidProperties", "mailboxIds must be an object", {"mailboxIds"});
      target.mailboxes.clear();
      for (const auto& [id, on] : value.get_object()) {
        auto resolved = context.resolve_id(id);
        const store::Mailbox* m = resolved ? view.mailbox(*resolved) : nullptr;
        if (!m || !on.is_bool() || !on.get_bool())
          return set_error_json("invalidProperties", "no such mailbox", {"mailboxIds"});
        target.mailboxes.insert(m);
      }
      mailboxes_replaced = true;
    } else if (k.starts_with("mailboxIds/")) {
      auto resolved = context.resolve_id(k.substr(11));
      const store::Mailbox* m = resolved ? view.mailbox(*resolved) : nullptr;
      if (!m) return set_error_json("invalidProperties", "no such mailbox", {std::string(k)});
      if (!(value.is_bool() && value.get_bool()) && !value.is_null())
        return set_error_json("invalidPatch", "a mailbox is added with true and removed with null");
      if (value.is_bool())
        target.mailboxes.insert(m);
      else
        target.mailboxes.erase(m);
      mailboxes_patched = true;
    } else {
      return set_error_json("invalidProperties", "only keywords and mailboxIds can change",
                            {std::string(k)});
    }
  }
  // §5.3: a patch may not set a property and a path inside it at once.
  if ((keywords_replaced && keywords_patched) || (mailboxes_replaced && mailboxes_patched))
    return set_error_json("invalidPatch", "a property and a path below it in one patch");
  if (target.mailboxes.empty())
    return set_error_json("invalidProperties", "an Email is in at least one mailbox",
                          {"mailboxIds"});
  return std::nullopt;
}

}  // namespace

// RFC 8621 §4.6. Creating builds the message from its parts (jmap/email/email_create.h)
// and stores it as Email/import does; updates change keywords (the $MDNSent latch holds:
// the store never takes it away) and mailboxes (copies and expunges through the mail
// core); destroying expunges every copy.
json::object email_set(CallContext& context, const json::object& arguments) {
  std::string old_state = state_string(context.view().modseq());
  check_set_arguments(context, arguments, old_state);
  SetResponse response;

  for (const auto& [creation_id, value] : create_argument(arguments)) {
    if (!value.is_object()) {
      response.not_created[creation_id] = set_error_json("invalidProperties", "expected an object");
      continue;
    }
    json::object created;
    if (auto error = create_email(context, value.get_object(), created)) {
      response.not_created[creation_id] = std::move(*error);
      continue;
    }
    context.created_ids()[std::string(creation_id)] = std::string(created["id"].get_string());
    response.created[creation_id] = std::move(created);
  }

  for (const auto& [id, value] : update_argument(arguments)) {
    const AccountView& view = context.view();
    const EmailEntry* email = view.email(id);
    if (!email) {
      response.not_updated[id] = set_error_json("notFound");
      continue;
    }
    if (!value.is_object()) {
      response.not_updated[id] = set_error_json("invalidPatch", "expected a patch object");
      continue;
    }
    EmailTarget target;
    if (auto error = apply_email_patch(context, view, *email, value.get_object(), target)) {
      response.not_updated[id] = std::move(*error);
      continue;
    }
    // The view is not reloaded between updates: each names another Email, whose copies
    // the earlier writes did not touch, and reloading a large account per item would
    // cost more than the writes.
    if (auto error = write_email(context, *email, target)) {
      response.not_updated[id] = std::move(*error);
      continue;
    }
    response.updated[id] = nullptr;
  }
  if (!response.updated.empty()) context.invalidate();

  std::set<std::string> destroyed;
  for (const std::string& id : destroy_argument(context, arguments)) {
    const EmailEntry* email = context.view().email(id);
    if (!email || destroyed.contains(id)) {
      response.not_destroyed[id] = set_error_json("notFound");
      continue;
    }
    if (auto error = destroy_email(context, *email)) {
      response.not_destroyed[id] = std::move(*error);
      continue;
    }
    destroyed.insert(id);
    response.destroyed.emplace_back(id);
  }
  if (!destroyed.empty()) context.invalidate();
  return response.finish(context, old_state, state_string(context.current_modseq()));
}

}  // namespace postamt::jmap::methods
