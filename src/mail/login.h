// Checking a login, the same way for every protocol and for `postamt auth test`.
#pragma once

#include <string_view>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::mail {

// Whether `user` can be an account's address at all: well-formed UTF-8 without
// control characters (C0, DEL, C1) that model/address.h accepts as an address. Pure.
bool login_name_is_well_formed(std::string_view user);

// Verifies `password` for the account `user` (address, case-insensitive).
// Returns the account on success. Errors:
//   auth_failed  unknown user, a malformed user name (not UTF-8, a control character,
//                not an address: login_name_is_well_formed), wrong password, or a
//                stored hash that cannot be used (message says which, for the log;
//                clients must get the same words as for a wrong password)
//   temporary / io / no_space  the store could not be read
// An unknown user or a malformed name costs one Argon2id verification, like a wrong
// password, so response times do not tell which accounts exist. Blocking (store,
// Argon2): run on store threads.
Result<store::Account> verify_login(store::Store& store, std::string_view user,
                                    std::string_view password);

}  // namespace postamt::mail
