#include "mail/login.h"

#include <string>

#include "auth/password.h"

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

}  // namespace

Result<store::Account> verify_login(store::Store& store, std::string_view user,
                                    std::string_view password) {
  auto hash = store.password_hash(user);
  if (!hash) {
    if (hash.error().kind != ErrorKind::not_found) return hash.error();
    if (const std::string& dummy = unknown_account_hash(); !dummy.empty())
      (void)auth::verify_password(dummy, password);
    return Error{ErrorKind::auth_failed, "no such account"};
  }
  auto check = auth::verify_password(*hash, password);
  if (!check)
    return Error{ErrorKind::auth_failed, "unusable password hash: " + check.error().message};
  if (*check != auth::PasswordCheck::match) return Error{ErrorKind::auth_failed, "wrong password"};
  return store.find_account(user);
}

}  // namespace postamt::mail
