#include <fmt/format.h>

#include "base/log.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/mailbox_json.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/set_response.h"
#include "mail/mailboxes.h"
#include "model/mailbox_role.h"
#include "store/api/rules.h"

namespace postamt::jmap::methods {
namespace {

// The store's error for one item as a SetError (the one mapping for Mailbox/set).
json::object mailbox_error(const Error& error) {
  switch (error.kind) {
    case ErrorKind::exists:
      return set_error_json("invalidProperties", "a mailbox of that name or role exists", {"name"});
    case ErrorKind::invalid:
      return set_error_json("invalidProperties", error.message, {"name"});
    case ErrorKind::not_found:
      return set_error_json("notFound");
    default:
      log::warning("jmap", "Mailbox/set: {}", error.message);
      return set_error_json("serverFail", "the mailbox store failed; try again");
  }
}

// The full store name for a leaf name under a parent id (null: top level).
std::optional<std::string> full_name(CallContext& context, const json::value& parent_id,
                                     std::string_view leaf, json::object& error) {
  if (leaf.empty() || leaf.find('/') != std::string_view::npos) {
    error = set_error_json("invalidProperties", "a name is not empty and holds no \"/\"", {"name"});
    return std::nullopt;
  }
  if (parent_id.is_null()) return std::string(leaf);
  if (!parent_id.is_string()) {
    error = set_error_json("invalidProperties", "parentId must be an Id or null", {"parentId"});
    return std::nullopt;
  }
  auto id = context.resolve_id(parent_id.get_string());
  const store::Mailbox* parent = id ? context.view().mailbox(*id) : nullptr;
  if (!parent) {
    error = set_error_json("invalidProperties", "no such parent mailbox", {"parentId"});
    return std::nullopt;
  }
  return parent->name + "/" + std::string(leaf);
}

constexpr std::string_view kServerSet[] = {"id",           "totalEmails",   "unreadEmails",
                                           "totalThreads", "unreadThreads", "myRights"};

std::optional<json::object> check_properties(const json::object& object, bool creating) {
  std::vector<std::string> bad;
  for (const auto& [key, value] : object) {
    std::string_view k = key;
    bool known =
        k == "name" || k == "parentId" || k == "isSubscribed" || k == "role" || k == "sortOrder";
    for (std::string_view s : kServerSet)
      if (k == s) known = false;
    if (!known) bad.emplace_back(k);
  }
  if (!bad.empty()) return set_error_json("invalidProperties", "not settable", bad);
  if (auto s = object.find("isSubscribed"); s != object.end() && !s->value().is_bool())
    return set_error_json("invalidProperties", "isSubscribed must be true or false",
                          {"isSubscribed"});
  if (creating && !object.contains("name"))
    return set_error_json("invalidProperties", "name is required", {"name"});
  if (auto n = object.find("name"); n != object.end() && !n->value().is_string())
    return set_error_json("invalidProperties", "name must be a string", {"name"});
  return std::nullopt;
}

}  // namespace

// RFC 8621 §2.5 (RFC 8620 §5.3). Names go through the same rules as IMAP CREATE and
// RENAME (mail/mailboxes.h); sortOrder is computed from the role and cannot be set.
json::object mailbox_set(CallContext& context, const json::object& arguments) {
  std::string old_state = state_string(context.view().modseq());
  check_set_arguments(context, arguments, old_state);
  bool remove_emails = read_bool(arguments, "onDestroyRemoveEmails").value_or(false);
  store::Store& store = context.store();
  AccountId account = context.account().id;
  SetResponse response;

  for (const auto& [creation_id, value] : create_argument(arguments)) {
    if (!value.is_object()) {
      response.not_created[creation_id] = set_error_json("invalidProperties", "expected an object");
      continue;
    }
    const json::object& object = value.get_object();
    if (auto e = check_properties(object, true)) {
      response.not_created[creation_id] = *e;
      continue;
    }
    MailboxRole role = MailboxRole::none;
    if (auto r = object.find("role"); r != object.end() && !r->value().is_null()) {
      auto parsed = r->value().is_string() ? role_from_name(r->value().get_string()) : std::nullopt;
      if (!parsed || *parsed == MailboxRole::inbox) {
        response.not_created[creation_id] =
            set_error_json("invalidProperties", "not a role this server gives", {"role"});
        continue;
      }
      role = *parsed;
    }
    if (object.contains("sortOrder")) {
      response.not_created[creation_id] =
          set_error_json("invalidProperties", "sortOrder follows the role here", {"sortOrder"});
      continue;
    }
    json::object error;
    auto parent = object.find("parentId");
    auto name = full_name(context, parent == object.end() ? json::value(nullptr) : parent->value(),
                          object.at("name").get_string(), error);
    if (!name) {
      response.not_created[creation_id] = error;
      continue;
    }
    auto created = mail::create_mailbox(store, account, *name, role);
    if (!created) {
      response.not_created[creation_id] = mailbox_error(created.error());
      continue;
    }
    bool subscribe = true;
    if (auto s = object.find("isSubscribed"); s != object.end()) subscribe = s->value().get_bool();
    if (subscribe)
      (void)store.set_subscription(account, created->name, store::Subscription::subscribed);
    context.invalidate();
    std::string id = AccountView::mailbox_id(*created);
    context.created_ids()[std::string(creation_id)] = id;
    GetArguments all{std::nullopt, {kMailboxProperties, std::end(kMailboxProperties)}};
    json::object shown = mailbox_json(context.view(), *context.view().mailbox(id), all);
    json::object server_set;
    for (std::string_view p : {"id", "sortOrder", "totalEmails", "unreadEmails", "totalThreads",
                               "unreadThreads", "myRights", "isSubscribed"})
      server_set[p] = shown[p];
    response.created[creation_id] = std::move(server_set);
  }

  for (const auto& [id, value] : update_argument(arguments)) {
    const store::Mailbox* box = context.view().mailbox(id);
    if (!box) {
      response.not_updated[id] = set_error_json("notFound");
      continue;
    }
    if (!value.is_object()) {
      response.not_updated[id] = set_error_json("invalidProperties", "expected a patch object");
      continue;
    }
    const json::object& patch = value.get_object();
    if (auto e = check_properties(patch, false)) {
      response.not_updated[id] = *e;
      continue;
    }
    if (auto r = patch.find("role"); r != patch.end()) {
      std::string_view now = role_name(box->role);
      bool same = r->value().is_null() ? now.empty()
                                       : r->value().is_string() && r->value().get_string() == now;
      if (!same) {
        response.not_updated[id] =
            set_error_json("invalidProperties", "roles cannot change", {"role"});
        continue;
      }
    }
    if (patch.contains("sortOrder")) {
      response.not_updated[id] =
          set_error_json("invalidProperties", "sortOrder follows the role here", {"sortOrder"});
      continue;
    }
    std::string old_name = box->name;
    std::string leaf = leaf_name(context.view(), *box);
    const store::Mailbox* parent = parent_of(context.view(), *box);
    json::value parent_id =
        parent ? json::value(AccountView::mailbox_id(*parent)) : json::value(nullptr);
    if (!parent && old_name.find('/') != std::string::npos) parent_id = nullptr;
    if (auto n = patch.find("name"); n != patch.end()) leaf = n->value().get_string();
    if (auto p = patch.find("parentId"); p != patch.end()) parent_id = p->value();
    json::object error;
    std::optional<std::string> new_name;
    if (patch.contains("name") || patch.contains("parentId")) {
      new_name = full_name(context, parent_id, leaf, error);
      if (!new_name) {
        response.not_updated[id] = error;
        continue;
      }
    }
    if (new_name && *new_name != old_name) {
      if (box->role == MailboxRole::inbox) {
        response.not_updated[id] = set_error_json("forbidden", "the INBOX cannot be renamed");
        continue;
      }
      if (auto r = mail::rename_mailbox(store, account, old_name, *new_name); !r) {
        response.not_updated[id] = mailbox_error(r.error());
        continue;
      }
      context.invalidate();
    }
    if (auto s = patch.find("isSubscribed"); s != patch.end()) {
      const std::string& name = new_name ? *new_name : old_name;
      auto r = store.set_subscription(account, name,
                                      s->value().get_bool() ? store::Subscription::subscribed
                                                            : store::Subscription::unsubscribed);
      if (!r) {
        response.not_updated[id] = mailbox_error(r.error());
        continue;
      }
      context.invalidate();
    }
    response.updated[id] = nullptr;
  }

  for (const std::string& id : destroy_argument(context, arguments)) {
    const store::Mailbox* box = context.view().mailbox(id);
    if (!box) {
      response.not_destroyed[id] = set_error_json("notFound");
      continue;
    }
    if (box->role == MailboxRole::inbox) {
      response.not_destroyed[id] = set_error_json("forbidden", "the INBOX cannot be destroyed");
      continue;
    }
    bool has_child = false;
    for (const store::Mailbox& m : context.view().mailboxes())
      if (m.id != box->id && store::is_same_or_below(m.name, box->name)) has_child = true;
    if (has_child) {
      response.not_destroyed[id] = set_error_json("mailboxHasChild");
      continue;
    }
    if (!context.view().messages(*box).empty() && !remove_emails) {
      response.not_destroyed[id] = set_error_json("mailboxHasEmail");
      continue;
    }
    if (auto r = mail::delete_mailbox(store, account, box->name); !r) {
      response.not_destroyed[id] = mailbox_error(r.error());
      continue;
    }
    context.invalidate();
    response.destroyed.emplace_back(id);
  }
  return response.finish(context, old_state, state_string(context.current_modseq()));
}

}  // namespace postamt::jmap::methods
