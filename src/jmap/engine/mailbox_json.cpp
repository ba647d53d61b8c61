#include "jmap/engine/mailbox_json.h"

#include <unordered_set>

#include "jmap/engine/keywords.h"
#include "model/mailbox_role.h"
#include "model/object_ids.h"

namespace postamt::jmap {

const store::Mailbox* parent_of(const AccountView& view, const store::Mailbox& mailbox) {
  size_t slash = mailbox.name.rfind('/');
  if (slash == std::string::npos) return nullptr;
  return view.mailbox_named(std::string_view(mailbox.name).substr(0, slash));
}

std::string leaf_name(const AccountView& view, const store::Mailbox& mailbox) {
  if (!parent_of(view, mailbox)) return mailbox.name;
  return mailbox.name.substr(mailbox.name.rfind('/') + 1);
}

namespace {

bool unread(const store::MessageRecord& r) {
  return !r.flags.has(SystemFlag::seen) && !r.flags.has(SystemFlag::draft);
}

}  // namespace

MailboxCounts mailbox_counts(const AccountView& view, const store::Mailbox& mailbox) {
  MailboxCounts counts;
  bool trash = mailbox.role == MailboxRole::trash;
  std::unordered_set<uint64_t> threads;
  for (const store::MessageRecord& r : view.messages(mailbox)) {
    ++counts.total_emails;
    if (unread(r)) ++counts.unread_emails;
    if (r.thread) threads.insert(*r.thread);
  }
  counts.total_threads = threads.size();
  // §2.1 unreadThreads: a thread counts when one of its Emails is unread, wherever it is,
  // except that Emails only in the trash count only for the trash and Emails outside the
  // trash only for the other mailboxes.
  for (uint64_t thread : threads) {
    for (const EmailEntry* e : view.thread(thread)) {
      bool in_trash = false, elsewhere = false;
      for (const EmailCopy& c : e->copies)
        (c.mailbox->role == MailboxRole::trash ? in_trash : elsewhere) = true;
      if (trash ? !in_trash : !elsewhere) continue;
      if (unread(e->latest())) {
        ++counts.unread_threads;
        break;
      }
    }
  }
  return counts;
}

json::object mailbox_json(const AccountView& view, const store::Mailbox& mailbox,
                          const GetArguments& get) {
  json::object out;
  out["id"] = AccountView::mailbox_id(mailbox);
  if (wants(get, "name")) out["name"] = leaf_name(view, mailbox);
  if (wants(get, "parentId")) {
    const store::Mailbox* parent = parent_of(view, mailbox);
    out["parentId"] = parent ? json::value(AccountView::mailbox_id(*parent)) : json::value(nullptr);
  }
  if (wants(get, "role")) {
    std::string_view role = role_name(mailbox.role);
    out["role"] = role.empty() ? json::value(nullptr) : json::value(role);
  }
  // Roles first in the order new accounts get them, then everything else by name.
  if (wants(get, "sortOrder"))
    out["sortOrder"] = mailbox.role == MailboxRole::none ? 100 : static_cast<int>(mailbox.role);
  if (wants(get, "totalEmails") || wants(get, "unreadEmails") || wants(get, "totalThreads") ||
      wants(get, "unreadThreads")) {
    MailboxCounts counts = mailbox_counts(view, mailbox);
    if (wants(get, "totalEmails")) out["totalEmails"] = counts.total_emails;
    if (wants(get, "unreadEmails")) out["unreadEmails"] = counts.unread_emails;
    if (wants(get, "totalThreads")) out["totalThreads"] = counts.total_threads;
    if (wants(get, "unreadThreads")) out["unreadThreads"] = counts.unread_threads;
  }
  if (wants(get, "myRights")) {
    // One owner per account, no sharing: every right except renaming or deleting the
    // INBOX (RFC 9051 §6.3.4, §6.3.5).
    bool inbox = mailbox.role == MailboxRole::inbox;
    out["myRights"] =
        json::object{{"mayReadItems", true}, {"mayAddItems", true},    {"mayRemoveItems", true},
                     {"maySetSeen", true},   {"maySetKeywords", true}, {"mayCreateChild", true},
                     {"mayRename", !inbox},  {"mayDelete", !inbox},    {"maySubmit", true}};
  }
  if (wants(get, "isSubscribed"))
    out["isSubscribed"] = mailbox.subscription == store::Subscription::subscribed;
  return out;
}

}  // namespace postamt::jmap
