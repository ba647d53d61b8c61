// Rules and messages shared by every Store implementation, so that all backends
// accept the same input and fail with the same words (the contract tests check both).
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/flags.h"
#include "store/api/types.h"

namespace postamt::store {

// Validated mailbox name: "inbox" in any case becomes "INBOX". invalid when empty,
// longer than 1000 bytes, starting or ending with "/", holding "//", a control
// character, '*' or '%' (IMAP LIST wildcards, RFC 9051 §6.3.9).
Result<std::string> check_mailbox_name(std::string_view name);
// Whether `name` is `parent` itself or below it ("a/b" is below "a"; "ab" is not).
bool is_same_or_below(std::string_view name, std::string_view parent);
// invalid "keyword X is not valid" for the first bad keyword.
Result<void> check_keywords(const Keywords& keywords);

// over_quota when `adding` on top of `used` passes one of `limits` (0: none) of the
// account `address` (store.h, quota).
Result<void> check_quota(std::string_view address, const QuotaLimits& limits,
                         const QuotaLimits& used, const QuotaLimits& adding);

// The keys a message is put in a thread by (RFC 8474 §5.2 THREADID, RFC 8621 §3): its
// own Message-ID, the first and the last kMaxThreadLinkReferences - 1 of its thread
// references (the root and the nearest ancestors), and "=" + its BlobRef, so that
// messages with the same bytes (one EMAILID) share a thread even without a Message-ID.
// A new message joins the oldest thread any of its keys already belongs to in its
// account, or starts one; its keys then belong to that thread unless they already
// belonged to one. Threads never merge, so a thread, once reported, stays.
inline constexpr size_t kMaxThreadLinkReferences = 20;
std::vector<std::string> thread_link_keys(const NewMessage& message);

// API tokens (store.h): a name is 1-64 printable ASCII characters without spaces; a hash
// is a SHA-256 in 64 lowercase hex digits. invalid otherwise.
inline constexpr size_t kMaxTokenName = 64;
Result<void> check_token_name(std::string_view name);
Result<void> check_token_hash(std::string_view hash);
// Cluster claims (store.h): a name and an owner of 1 to kMaxClaimText octets without
// NUL, and a lease of at least one second. invalid otherwise.
inline constexpr size_t kMaxClaimText = 255;
Result<void> check_claim(std::string_view name, std::string_view owner, std::chrono::seconds lease);

namespace errors {
Error domain_missing(std::string_view domain);
Error domain_exists(std::string_view domain);
Error domain_in_use(std::string_view domain, int64_t accounts, int64_t aliases);
Error user_missing(std::string_view address);
Error user_exists(std::string_view address);
Error account_id_missing(AccountId id);
Error alias_missing(std::string_view address);
Error alias_exists(std::string_view address);
Error alias_without_targets(std::string_view address);
Error mailbox_missing(std::string_view name);
Error mailbox_id_missing(MailboxId id);
Error mailbox_exists(std::string_view name);
Error role_taken(MailboxRole role);
Error inbox_protected(std::string_view operation);
Error rename_below_itself(std::string_view name);
Error message_missing(Uid uid);
Error too_many_metadata(size_t max_entries);
Error token_exists(std::string_view name);
Error token_hash_exists();
Error token_missing(std::string_view name);
}  // namespace errors

}  // namespace postamt::store
