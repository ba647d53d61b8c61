#include "mail/login.h"

#include <string>

#include "auth/password.h"
#include "mail/unicode_text.h"
#include "model/address.h"

namespace postamt::mail {
namespace {

// A hash at the default cost that no account has, computed once per process.
const std::string& unknown_account_hash() {
  static const std::string hash = [] {
    auto made = auth::hash_password("postamt: no such account");
    return made ? *made : std::string();
  }();
  return hash;
}

// Spends what a password check costs, so that a name without an account answers as
// slowly as a wrong password.
void verify_against_nothing(std::string_view password) {
  if (const std::string& dummy = unknown_account_hash(); !dummy.empty())
    (void)auth::verify_password(dummy, password);
}

}  // namespace

bool login_name_is_well_formed(std::string_view user) {
  return is_utf8(user) && !has_control_character(user) && parse_address(user).ok();
}

Result<store::Account> verify_login(store::Store& store, std::string_view user,
                                    std::string_view password) {
  // A name that no account can have is a failed login like any other: the store would
  // call it invalid, and engines would answer that differently from a wrong password.
  if (!login_name_is_well_formed(user)) {
    verify_against_nothing(password);
    return Error{ErrorKind::auth_failed, "malformed user name"};
  }
  auto hash = store.password_hash(user);
  if (!hash) {
    if (hash.error().kind != ErrorKind::not_found) return hash.error();
    verify_against_nothing(password);
    return Error{ErrorKind::auth_failed, "no such account"};
  }
  auto check = auth::verify_password(*hash, password);
  if (!check)
    return Error{ErrorKind::auth_failed, "unusable password hash: " + check.error().message};
  if (*check != auth::PasswordCheck::match) return Error{ErrorKind::auth_failed, "wrong password"};
  return store.find_account(user);
}

}  // namespace postamt::mail
