// Which addresses an authenticated account may send as, for every submission path (SMTP
// submission's MAIL FROM and From header checks, RFC 6409 §8; JMAP EmailSubmission's
// identities next).
//
// Threads: blocking (store); run on a store thread.
#pragma once

#include <string_view>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::mail {

// True when `address` is the account's own address (compared as model/address.h
// says) or an alias that reaches that account. An address that does not parse or names
// nothing is simply not owned. Errors: temporary / io when the store could not be read.
Result<bool> owns_address(store::Store& store, std::string_view account_address,
                          std::string_view address);

}  // namespace postamt::mail
