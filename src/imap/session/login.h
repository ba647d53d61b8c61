// Password check for LOGIN and AUTHENTICATE. BLOCKING (store + Argon2id): call through
// Runtime::run_blocking.
#pragma once

#include <string_view>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::imap {

// The account when `password` matches. auth_failed for an unknown account or a wrong
// password (an unknown account costs one hash verification too, so response times do
// not reveal which accounts exist); other kinds for store failures.
Result<store::Account> verify_login(store::Store& store, std::string_view user,
                                    std::string_view password);

}  // namespace postamt::imap
