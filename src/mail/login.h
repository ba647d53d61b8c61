// Checking a login, the same way for every protocol and for `postamt auth test`.
#pragma once

#include <string_view>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::mail {

// Verifies `password` for the account `user` (address, case-insensitive).
// Returns the account on success. Errors:
//   auth_failed  unknown user, wrong password, or a stored hash that cannot be used
//                (message says which, for the log; clients must get the same words)
//   temporary / io  the store could not be read
// An unknown user costs one Argon2id verification, like a wrong password, so response
// times do not tell which accounts exist. Blocking (store, Argon2): run on store threads.
Result<store::Account> verify_login(store::Store& store, std::string_view user,
                                    std::string_view password);

}  // namespace postamt::mail
