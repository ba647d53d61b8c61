#include "mail/mailboxes.h"

#include <cstdint>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/strings.h"
#include "mail/unicode_text.h"
#include "store/api/rules.h"

namespace postamt::mail {
namespace {

// The characters no mailbox name may hold, whatever their place. Runs on the name as
// the client wrote it: none of these appears or disappears under NFC.
Result<void> check_code_points(std::string_view name) {
  const char* refused = nullptr;
  const bool utf8 = for_each_code_point(name, [&refused](char32_t c) {
    // RFC 6855 §3: no C0 or C1 control, DEL, U+2028 or U+2029 in a mailbox name.
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
      refused = "Mailbox name contains a control character";
    else if (c == 0x2028 || c == 0x2029)
      refused = "Mailbox name contains a line or paragraph separator";
    // Unicode §23.7: the 66 non-characters are for a program's internal use, never for
    // interchange.
    else if ((c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE)
      refused = "Mailbox name contains a Unicode non-character";
    // RFC 9051 §5.1 item 3: valid, but LIST could never name such a mailbox alone.
    else if (c == '*' || c == '%')
      refused = "Mailbox name contains a wildcard (* or %)";
    return refused == nullptr;
  });
  if (!utf8) return Error{ErrorKind::invalid, "Mailbox name is not valid UTF-8"};
  if (refused) return Error{ErrorKind::invalid, refused};
  return {};
}

// Structure of an NFC name: size, delimiters, levels, depth.
Result<void> check_levels(std::string_view name) {
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

// The mailbox a RENAME or DELETE names: by its checked, normalized name, or else by the
// exact name it is stored under, so that a mailbox created before the name rules were
// tightened (a name in NFD, or one these rules now refuse) can still be renamed or
// deleted. The error is the check's when neither finds it.
Result<store::Mailbox> find_existing_mailbox(store::Store& store, AccountId account,
                                             std::string_view name) {
  auto checked = check_mailbox_name(name);
  if (checked) {
    auto mailbox = store.find_mailbox(account, *checked);
    if (mailbox || mailbox.error().kind != ErrorKind::not_found || *checked == name) return mailbox;
  }
  auto stored = store.find_mailbox(account, name);
  if (stored) return stored;
  if (!checked) return checked.error();
  return stored.error();
}

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

Result<std::string> check_mailbox_name(std::string_view name) {
  if (name.empty()) return Error{ErrorKind::invalid, "Mailbox name is empty"};
  POSTAMT_TRY(check_code_points(name));
  auto normal = to_nfc(name);
  POSTAMT_TRY(normal);
  std::string_view n = *normal;
  // RFC 9051 §5.1.2.1: a first level starting with "#" names a namespace; "~user" is the
  // usual spelling of another user's (RFC 2342 §5). Only the personal one exists.
  if (n.front() == '#' || n.front() == '~')
    return Error{ErrorKind::invalid, "Mailbox names starting with # or ~ are other namespaces"};
  POSTAMT_TRY(check_levels(n));
  // RFC 9051 §5.1: INBOX is case-insensitive.
  if (iequals(n, "INBOX")) return std::string("INBOX");
  return std::move(*normal);
}

std::string mailbox_pattern_nfc(std::string_view text) {
  if (!is_utf8(text)) return std::string(text);
  auto normal = to_nfc(text);
  return normal ? std::move(*normal) : std::string(text);
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
  auto checked = check_mailbox_name(name);
  POSTAMT_TRY(checked);
  if (role != MailboxRole::none) {
    // Refused before any superior is created.
    auto holder = mailbox_with_role(store, account, role);
    POSTAMT_TRY(holder);
    if (*holder) return store::errors::role_taken(role);
  }
  POSTAMT_TRY(create_superiors(store, account, *checked));
  return store.create_mailbox(account, *checked, role);
}

Result<void> rename_mailbox(store::Store& store, AccountId account, std::string_view from,
                            std::string_view to) {
  auto new_name = check_mailbox_name(to);
  POSTAMT_TRY(new_name);
  auto mailbox = find_existing_mailbox(store, account, from);
  POSTAMT_TRY(mailbox);
  if (mailbox->name == "INBOX") {
    POSTAMT_TRY(rename_inbox(store, account, *mailbox, *new_name));
  } else {
    POSTAMT_TRY(store.rename_mailbox(mailbox->id, *new_name));
  }
  // The store does not need the superiors, so a failure here is only logged: the
  // rename itself succeeded and must be reported so.
  if (auto made = create_superiors(store, account, *new_name); !made)
    log::warning("mail", "creating the superiors of {} after a rename failed: {}", *new_name,
                 made.error().message);
  return {};
}

Result<MailboxId> delete_mailbox(store::Store& store, AccountId account, std::string_view name) {
  auto mailbox = find_existing_mailbox(store, account, name);
  POSTAMT_TRY(mailbox);
  POSTAMT_TRY(store.delete_mailbox(mailbox->id));
  return mailbox->id;
}

}  // namespace postamt::mail
