// Rules and messages for receipt records and policy overrides shared by every Store
// implementation (like rules.h), so that all backends accept the same input and fail
// with the same words. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "model/flags.h"  // kMdnSentKeyword
#include "store/api/receipts.h"

namespace postamt::store {

inline constexpr size_t kMaxPolicyWord = 64;

// invalid "policy <what> is not valid" unless 1-64 printable ASCII without spaces.
Result<void> check_policy_word(std::string_view what, std::string_view word);
// invalid unless the receipt names its original (message_id or message) - or, when
// matched_by is unmatched, names none.
Result<void> check_sent_receipt(const NewSentReceipt& receipt);
Result<void> check_received_receipt(const NewReceivedReceipt& receipt);
Result<void> check_refused_receipt(const NewRefusedReceipt& receipt);
// The original key of every unmatched receipt (ReceiptMatch::unmatched). Such records
// are numbered like legacy duplicates (sequence 0, 1, ...) and never refuse one another;
// no other key starts with '!' (a msg-id starts with '<', a copy's key with '#').
inline constexpr std::string_view kUnmatchedOriginalKey = "!unmatched";
// The key that identifies an original per account: its Message-ID, or "#<mailbox>/<uid>"
// for a message without one (a msg-id always starts with '<', so they never collide).
std::string original_key(std::string_view message_id, MessageLocation location);
Error policy_override_missing(PolicyScope scope, std::string_view subject, std::string_view key);

}  // namespace postamt::store
