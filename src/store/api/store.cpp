#include "store/api/store.h"

#include "model/address.h"
#include "store/api/rules.h"

namespace postamt::store {

namespace {

struct Expansion {
  Store& store;
  std::vector<Recipient> recipients;
  std::unordered_set<std::string> seen;  // address keys already in `recipients`

  void add(Recipient r, const std::string& key) {
    if (seen.insert(key).second) recipients.push_back(std::move(r));
  }

  static std::string describe(const std::vector<std::string>& path, const std::string& last) {
    std::string text;
    for (const std::string& p : path) text += p + " -> ";
    return text + last;
  }

  // `path` holds the normalised aliases from the top down to the one being expanded.
  Result<void> expand(const Alias& alias, std::vector<std::string>& path,
                      std::vector<std::string>& path_keys) {
    if (static_cast<int>(path.size()) > kMaxAliasDepth) {
      return Error{ErrorKind::limit, "alias " + path.front() + " expands deeper than " +
                                         std::to_string(kMaxAliasDepth) + " levels"};
    }
    for (const std::string& target : alias.targets) {
      auto key = address_key(target);
      if (!key) return key.error();
      for (const std::string& k : path_keys) {
        if (k == *key) return Error{ErrorKind::invalid, "alias loop: " + describe(path, target)};
      }
      auto account = store.find_account(target);
      if (account) {
        add(Recipient{account->address, RecipientKind::local, account->id}, *key);
        continue;
      }
      if (account.error().kind != ErrorKind::not_found) return account.error();
      auto inner = store.find_alias(target);
      if (inner) {
        path.push_back(inner->address);
        path_keys.push_back(*key);
        POSTAMT_TRY(expand(*inner, path, path_keys));
        path.pop_back();
        path_keys.pop_back();
        continue;
      }
      if (inner.error().kind != ErrorKind::not_found) return inner.error();
      auto parts = parse_address(target);
      if (!parts) return parts.error();
      auto local = store.domain_exists(parts->domain);
      if (!local) return local.error();
      add(Recipient{target, *local ? RecipientKind::unknown_local : RecipientKind::remote, {}},
          *key);
    }
    return {};
  }
};

}  // namespace

Result<std::vector<Recipient>> Store::resolve(std::string_view address) {
  auto parts = parse_address(address);
  if (!parts) return parts.error();
  std::string normal = parts->local_part + "@" + parts->domain;
  auto account = find_account(normal);
  if (account) return std::vector<Recipient>{{account->address, RecipientKind::local, account->id}};
  if (account.error().kind != ErrorKind::not_found) return account.error();
  auto alias = find_alias(normal);
  if (!alias) {
    if (alias.error().kind != ErrorKind::not_found) return alias.error();
    auto local = domain_exists(parts->domain);
    if (!local) return local.error();
    if (*local) {
      return Error{ErrorKind::not_found, "address " + normal + " does not exist"};
    }
    return std::vector<Recipient>{{normal, RecipientKind::remote, {}}};
  }
  Expansion expansion{*this, {}, {}};
  std::vector<std::string> path{alias->address};
  std::vector<std::string> path_keys{*address_key(normal)};
  POSTAMT_TRY(expansion.expand(*alias, path, path_keys));
  return std::move(expansion.recipients);
}

}  // namespace postamt::store
