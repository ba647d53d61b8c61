#include "admin/tokens.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <boost/json.hpp>

#include "auth/api_token.h"

namespace postamt::admin {

Result<std::string> token_create(store::Store& store, std::string_view address,
                                 std::string_view name) {
  auto account = store.find_account(address);
  POSTAMT_TRY(account);
  std::string token = auth::new_api_token();
  auto created = store.create_token(account->id, name, auth::api_token_hash(token));
  POSTAMT_TRY(created);
  return fmt::format("{}\n", token);
}

Result<std::string> token_list(store::Store& store, std::string_view address, Format format) {
  auto account = store.find_account(address);
  POSTAMT_TRY(account);
  auto tokens = store.list_tokens(account->id);
  POSTAMT_TRY(tokens);
  if (format == Format::json) {
    boost::json::array arr;
    for (const store::ApiToken& t : *tokens)
      arr.push_back(
          boost::json::object{{"name", t.name}, {"created", t.created.time_since_epoch().count()}});
    return boost::json::serialize(arr) + "\n";
  }
  std::string out;
  for (const store::ApiToken& t : *tokens)
    out += fmt::format("{} created {:%Y-%m-%dT%H:%M:%SZ}\n", t.name, t.created);
  return out;
}

Result<std::string> token_revoke(store::Store& store, std::string_view address,
                                 std::string_view name) {
  auto account = store.find_account(address);
  POSTAMT_TRY(account);
  auto revoked = store.revoke_token(account->id, name);
  POSTAMT_TRY(revoked);
  return fmt::format("token {} of {} revoked\n", name, account->address);
}

}  // namespace postamt::admin
