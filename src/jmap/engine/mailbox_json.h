// A store mailbox as a JMAP Mailbox (RFC 8621 §2.1). Names are hierarchical in the store
// ("Work/Projects"); JMAP gives each mailbox its last name part and its parent's id.
// A mailbox whose parent name has no mailbox (IMAP allows "a/b" without "a") keeps the
// full path as its name and has no parent.
#pragma once

#include <boost/json/object.hpp>

#include <span>
#include <string>
#include <string_view>

#include "jmap/engine/account_view.h"
#include "jmap/engine/standard.h"

namespace postamt::jmap {

inline constexpr std::string_view kMailboxProperties[] = {
    "id",           "name",         "parentId",      "role",     "sortOrder",   "totalEmails",
    "unreadEmails", "totalThreads", "unreadThreads", "myRights", "isSubscribed"};

// The parent mailbox (nullptr at the top or when the parent name has no mailbox).
const store::Mailbox* parent_of(const AccountView& view, const store::Mailbox& mailbox);
// The JMAP name: the part after the parent's name.
std::string leaf_name(const AccountView& view, const store::Mailbox& mailbox);

json::object mailbox_json(const AccountView& view, const store::Mailbox& mailbox,
                          const GetArguments& get);

// Counts of §2.1 for one mailbox: emails, unread emails (neither $seen nor $draft),
// threads, unread threads (the trash rule of §2.1 unreadThreads applied).
struct MailboxCounts {
  uint64_t total_emails = 0, unread_emails = 0, total_threads = 0, unread_threads = 0;
};
MailboxCounts mailbox_counts(const AccountView& view, const store::Mailbox& mailbox);

}  // namespace postamt::jmap
