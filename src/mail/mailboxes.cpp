#include "mail/mailboxes.h"

#include <string>
#include <vector>

#include "base/log.h"
#include "store/api/rules.h"

namespace postamt::mail {
namespace {

// Creates every superior name of `name` that does not exist yet.
Result<void> create_superiors(store::Store& store, AccountId account, std::string_view name) {
  for (size_t slash = name.find('/'); slash != std::string_view::npos;
       slash = name.find('/', slash + 1)) {
    const std::string_view parent = name.substr(0, slash);
    auto exists = store.find_mailbox(account, parent);
    if (exists) continue;
    if (exists.error().kind != ErrorKind::not_found) return exists.error();
    auto made = store.create_mailbox(account, parent, MailboxRole::none);
    POSTAMT_TRY(made);
  }
  return {};
}

// RFC 3501 §6.3.5: INBOX's messages move into a new mailbox; INBOX stays, empty. Two
// store transactions (create, then move): a failed move removes the new mailbox again.
Result<void> rename_inbox(store::Store& store, AccountId account, const store::Mailbox& inbox,
                          std::string_view to) {
  auto made = store.create_mailbox(account, to, MailboxRole::none);
  POSTAMT_TRY(made);
  auto messages = store.list_messages(inbox.id);
  Result<store::CopyResult> moved = Error{ErrorKind::internal, "not moved"};
  if (messages) {
    std::vector<Uid> uids;
    uids.reserve(messages->size());
    for (const auto& m : *messages) uids.push_back(m.uid);
    moved = store.move(inbox.id, uids, made->id);
  } else {
    moved = messages.error();
  }
  if (!moved) {
    (void)store.delete_mailbox(made->id);
    return moved.error();
  }
  return {};
}

}  // namespace

Result<void> check_mailbox_name(std::string_view name) {
  if (name.empty()) return Error{ErrorKind::invalid, "Mailbox name is empty"};
  if (name.size() > kMaxMailboxNameOctets)
    return Error{ErrorKind::invalid, "Mailbox name is longer than 1000 octets"};
  if (name.front() == '/' || name.back() == '/')
    return Error{ErrorKind::invalid, "Mailbox name starts or ends with the delimiter"};
  size_t levels = 0;
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    const std::string_view level = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (level.empty()) return Error{ErrorKind::invalid, "Mailbox name contains an empty level"};
    if (level == "." || level == "..")
      return Error{ErrorKind::invalid, "Mailbox name contains a \".\" or \"..\" level"};
    if (++levels > kMaxMailboxDepth)
      return Error{ErrorKind::invalid, "Mailbox name is deeper than 32 levels"};
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

Result<std::optional<store::Mailbox>> mailbox_with_role(store::Store& store, AccountId account,
                                                        MailboxRole role) {
  auto holder = store.find_mailbox_by_role(account, role);
  if (holder) return std::optional<store::Mailbox>(std::move(*holder));
  if (holder.error().kind == ErrorKind::not_found) return std::optional<store::Mailbox>();
  return holder.error();
}

Result<store::Mailbox> create_mailbox(store::Store& store, AccountId account, std::string_view name,
                                      MailboxRole role) {
  POSTAMT_TRY(check_mailbox_name(name));
  if (role != MailboxRole::none) {
    // Refused before any superior is created.
    auto holder = mailbox_with_role(store, account, role);
    POSTAMT_TRY(holder);
    if (*holder) return store::errors::role_taken(role);
  }
  POSTAMT_TRY(create_superiors(store, account, name));
  return store.create_mailbox(account, name, role);
}

Result<void> rename_mailbox(store::Store& store, AccountId account, std::string_view from,
                            std::string_view to) {
  POSTAMT_TRY(check_mailbox_name(from));
  POSTAMT_TRY(check_mailbox_name(to));
  auto mailbox = store.find_mailbox(account, from);
  POSTAMT_TRY(mailbox);
  if (mailbox->name == "INBOX") {
    POSTAMT_TRY(rename_inbox(store, account, *mailbox, to));
  } else {
    POSTAMT_TRY(store.rename_mailbox(mailbox->id, to));
  }
  // The store does not need the superiors, so a failure here is only logged: the
  // rename itself succeeded and must be reported so.
  if (auto made = create_superiors(store, account, to); !made)
    log::warning("mail", "creating the superiors of {} after a rename failed: {}", to,
                 made.error().message);
  return {};
}

Result<MailboxId> delete_mailbox(store::Store& store, AccountId account, std::string_view name) {
  POSTAMT_TRY(check_mailbox_name(name));
  auto mailbox = store.find_mailbox(account, name);
  POSTAMT_TRY(mailbox);
  POSTAMT_TRY(store.delete_mailbox(mailbox->id));
  return mailbox->id;
}

}  // namespace postamt::mail
