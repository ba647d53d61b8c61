// Mailboxes in mail words, for every protocol (IMAP CREATE, RENAME, DELETE, SELECT, ...;
// JMAP Mailbox/set): which names clients may use, and creating, renaming and deleting
// with the hierarchy rules a client expects.
//
// Names are full paths with "/" as the hierarchy delimiter (store/api/store.h). The
// rules here are stricter than the store's on purpose: names that look like path
// tricks ("a/../b", "./x") or grow without bound would confuse clients and admins
// even where the store could hold them.
//
// Threads: check_mailbox_name and mailbox_pattern_nfc are pure; the rest blocks (store);
// run on a store thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "model/ids.h"
#include "model/mailbox_role.h"
#include "store/api/store.h"

namespace postamt::mail {

// Named limits (docs/architecture.md, limits) for one full mailbox name in UTF-8.
inline constexpr size_t kMaxMailboxNameOctets = 1000;
inline constexpr size_t kMaxMailboxDepth = 32;  // levels, "a/b/c" has 3

// The form under which `name` (UTF-8, as a client wrote it) is stored and looked up:
// Unicode NFC (RFC 5198 §2, RFC 9051 §5.1: an NFD and an NFC spelling are one mailbox),
// and "INBOX" for any case of it. Every command that takes a mailbox name passes it
// through here first and uses the result.
//
// ErrorKind::invalid with one short fixed sentence (never the name itself, which may
// hold anything a client sent) for a name that
//   - is not valid UTF-8;
//   - holds a control character: C0, DEL or C1, U+0085 (NEL) included (RFC 6855 §3);
//   - holds U+2028 LINE SEPARATOR or U+2029 PARAGRAPH SEPARATOR (RFC 6855 §3);
//   - holds a Unicode non-character: U+FDD0..U+FDEF or U+xFFFE/U+xFFFF of any plane;
//   - holds the LIST wildcards "*" or "%";
//   - starts with "#" or "~", which name other namespaces (RFC 9051 §5.1.2.1,
//     RFC 2342 §5): Postamt announces only the personal namespace "";
//   - is empty, longer than kMaxMailboxNameOctets, deeper than kMaxMailboxDepth, starts
//     or ends with "/", contains "//", or has "." or ".." as a level (all counted on
//     the NFC form).
Result<std::string> check_mailbox_name(std::string_view name);

// NFC form of UTF-8 `text` without any other check: for LIST references and patterns,
// which may hold wildcards. Text that is not valid UTF-8 comes back unchanged (it
// matches no stored name).
std::string mailbox_pattern_nfc(std::string_view text);

// The mailbox of `account` that has `role`, or nullopt when none has it. Errors: the
// store's.
Result<std::optional<store::Mailbox>> mailbox_with_role(store::Store& store, AccountId account,
                                                        MailboxRole role);

// Creates `name` (checked and normalized as above) with `role`, and first every missing superior
// name ("a/b/c" needs "a" and "a/b"; RFC 3501 §6.3.3 "SHOULD"). Errors: invalid (name),
// exists (the name, or another mailbox has `role`), the store's. Superiors created
// before a failure stay (they are ordinary, empty mailboxes).
Result<store::Mailbox> create_mailbox(store::Store& store, AccountId account, std::string_view name,
                                      MailboxRole role);

// Renames mailbox `from` of `account`, with everything below it, to `to` (both checked
// and normalized as above; `from` is also found by the exact name it is stored under,
// so that a mailbox named before the rules were tightened can be renamed), creating the superior
// names `to` needs once the rename succeeded. Renaming INBOX moves all its messages into a new
// mailbox `to` and leaves INBOX in place, empty, its children where they are (RFC 3501 §6.3.5, RFC
// 9051 §6.3.6); if that move fails, the new mailbox is removed again so the same name can be
// retried. Errors: invalid (names; renaming
// below itself), not_found (`from`), exists (`to` or a name below it), the store's.
Result<void> rename_mailbox(store::Store& store, AccountId account, std::string_view from,
                            std::string_view to);

// Deletes mailbox `name` (checked and normalized as above, or its exact stored name, as
// for rename) of `account` with its messages (children stay). Returns the id it had. Errors:
// invalid (name; INBOX), not_found, the store's.
Result<MailboxId> delete_mailbox(store::Store& store, AccountId account, std::string_view name);

}  // namespace postamt::mail
