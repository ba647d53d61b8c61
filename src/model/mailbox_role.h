// Mailbox roles: what a mailbox is for, independent of its name. IMAP shows them as
// special-use attributes (RFC 6154 §2), JMAP as Mailbox/role (RFC 8621 §2).
// An account has at most one mailbox per role other than `none`.
#pragma once

#include <optional>
#include <string_view>

namespace postamt {

enum class MailboxRole { none, inbox, sent, drafts, trash, junk, archive };

// RFC 6154 §2 attribute: "\Sent", "\Drafts", "\Trash", "\Junk", "\Archive".
// inbox and none have no special-use attribute and return "".
std::string_view special_use(MailboxRole role);
// Case-insensitive inverse of special_use; nullopt for unknown or unsupported
// attributes (\All, \Flagged are not roles Postamt assigns).
std::optional<MailboxRole> role_from_special_use(std::string_view attribute);

// JMAP role names (RFC 8621 §2, IANA registry): "inbox", "sent", ..., "" for none.
std::string_view role_name(MailboxRole role);
std::optional<MailboxRole> role_from_name(std::string_view name);

// The name Postamt gives the mailbox of this role in a new account: "INBOX", "Sent",
// "Drafts", "Trash", "Junk", "Archive"; "" for none.
std::string_view default_mailbox_name(MailboxRole role);

// The roles every new account gets, INBOX first.
inline constexpr MailboxRole kDefaultRoles[] = {MailboxRole::inbox,  MailboxRole::sent,
                                                MailboxRole::drafts, MailboxRole::trash,
                                                MailboxRole::junk,   MailboxRole::archive};

}  // namespace postamt
