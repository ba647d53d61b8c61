#include "mail/senders.h"

#include "model/address.h"

namespace postamt::mail {

Result<bool> owns_address(store::Store& store, std::string_view account_address,
                          std::string_view address) {
  const auto account_key = address_key(account_address);
  const auto key = address_key(address);
  if (!account_key) return false;
  if (key && *account_key == *key) return true;
  auto resolved = store.resolve(address);
  if (!resolved) {
    if (resolved.error().kind == ErrorKind::temporary || resolved.error().kind == ErrorKind::io)
      return resolved.error();
    return false;
  }
  for (const auto& r : *resolved) {
    auto k = address_key(r.address);
    if (r.kind == store::RecipientKind::local && k && *k == *account_key) return true;
  }
  return false;
}

}  // namespace postamt::mail
