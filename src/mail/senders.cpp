#include "mail/senders.h"

#include <fmt/format.h>

#include <unordered_set>
#include <vector>

#include "mime/originators.h"
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

Result<std::optional<std::string>> check_originators(store::Store& store,
                                                     std::string_view account_address,
                                                     std::string_view message) {
  const auto fields = mime::originator_fields(message);
  const std::string too_large = "Originator header fields are too large";
  size_t octets = 0;
  for (const auto& field : fields) octets += field.value_octets;
  if (octets > kMaxOriginatorOctets) return too_large;
  // Each distinct address once, in order, with where it was first seen; counted before
  // any lookup, so that the limit does not depend on what the store says.
  struct Seen {
    const std::string* field;
    const std::string* address;
    bool in_name;
  };
  std::vector<Seen> order;
  std::unordered_set<std::string> keys;
  for (const auto& field : fields) {
    for (const auto* list : {&field.addresses, &field.other_addresses}) {
      for (const auto& address : *list) {
        auto key = address_key(address);
        if (!keys.insert(key ? *key : address).second) continue;
        if (order.size() == kMaxOriginatorAddresses) return too_large;
        order.push_back({&field.name, &address, list == &field.other_addresses});
      }
    }
  }
  for (const Seen& seen : order) {
    auto mine = owns_address(store, account_address, *seen.address);
    if (!mine) return mine.error();
    if (*mine) continue;
    if (!seen.in_name)
      return fmt::format("{} header address <{}> is not owned by user {}", *seen.field,
                         *seen.address, account_address);
    return fmt::format("{} header names <{}> in a display name or comment, not owned by user {}",
                       *seen.field, *seen.address, account_address);
  }
  return std::optional<std::string>();
}

}  // namespace postamt::mail
