#include "model/mailbox_role.h"

#include "base/strings.h"

namespace postamt {

namespace {
constexpr MailboxRole kAllRoles[] = {MailboxRole::inbox, MailboxRole::sent, MailboxRole::drafts,
                                     MailboxRole::trash, MailboxRole::junk, MailboxRole::archive};
}

std::string_view special_use(MailboxRole role) {
  switch (role) {
    case MailboxRole::sent:
      return "\\Sent";
    case MailboxRole::drafts:
      return "\\Drafts";
    case MailboxRole::trash:
      return "\\Trash";
    case MailboxRole::junk:
      return "\\Junk";
    case MailboxRole::archive:
      return "\\Archive";
    case MailboxRole::inbox:
    case MailboxRole::none:
      return "";
  }
  return "";
}

std::optional<MailboxRole> role_from_special_use(std::string_view attribute) {
  for (MailboxRole r : kAllRoles) {
    if (!special_use(r).empty() && iequals(special_use(r), attribute)) return r;
  }
  return std::nullopt;
}

std::string_view role_name(MailboxRole role) {
  switch (role) {
    case MailboxRole::inbox:
      return "inbox";
    case MailboxRole::sent:
      return "sent";
    case MailboxRole::drafts:
      return "drafts";
    case MailboxRole::trash:
      return "trash";
    case MailboxRole::junk:
      return "junk";
    case MailboxRole::archive:
      return "archive";
    case MailboxRole::none:
      return "";
  }
  return "";
}

std::optional<MailboxRole> role_from_name(std::string_view name) {
  for (MailboxRole r : kAllRoles) {
    if (iequals(role_name(r), name)) return r;
  }
  return std::nullopt;
}

std::string_view default_mailbox_name(MailboxRole role) {
  switch (role) {
    case MailboxRole::inbox:
      return "INBOX";
    case MailboxRole::sent:
      return "Sent";
    case MailboxRole::drafts:
      return "Drafts";
    case MailboxRole::trash:
      return "Trash";
    case MailboxRole::junk:
      return "Junk";
    case MailboxRole::archive:
      return "Archive";
    case MailboxRole::none:
      return "";
  }
  return "";
}

}  // namespace postamt
