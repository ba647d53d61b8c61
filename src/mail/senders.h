// Which addresses an authenticated account may send as, for every submission path (SMTP
// submission's MAIL FROM and originator header checks, RFC 6409 §8; JMAP
// EmailSubmission's identities next).
//
// Threads: blocking (store); run on a store thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::mail {

// True when `address` is the account's own address (compared as model/address.h
// says) or an alias that reaches that account. An address that does not parse or names
// nothing is simply not owned. Errors: temporary / io when the store could not be read.
Result<bool> owns_address(store::Store& store, std::string_view account_address,
                          std::string_view address);

// Limits of check_originators(): what one message's originator fields may hold.
inline constexpr size_t kMaxOriginatorAddresses = 100;     // distinct, names included
inline constexpr size_t kMaxOriginatorOctets = 64 * 1024;  // all originator values together

// RFC 6409 §8 for a submitted message: every address of every originator field (From,
// Sender, Resent-From, Resent-Sender; mime/originators.h) and every address spelled in
// their display names or comments must be one the account owns (owns_address). Returns
// nullopt when they are, else the words of the refusal, e.g.
//   "Sender header address <bob@x> is not owned by user alice@x"
//   "From header names <bob@x> in a display name or comment, not owned by user alice@x"
//   "Originator header fields are too large" (over either limit above)
// Each distinct address is looked up once. Errors: temporary / io from the store.
Result<std::optional<std::string>> check_originators(store::Store& store,
                                                     std::string_view account_address,
                                                     std::string_view message);

}  // namespace postamt::mail
