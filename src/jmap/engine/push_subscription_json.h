// PushSubscription objects (RFC 8620 §7.2) in JSON, shared by PushSubscription/get and
// /set and the push sender: ids, the properties /get returns, `types` and `expires`.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jmap/engine/call_context.h"
#include "jmap/engine/standard.h"
#include "store/api/push_subscriptions.h"

namespace postamt::jmap {

// "P" + the store's id; nullopt for an id this server did not give out.
std::string push_subscription_id(uint64_t id);
std::optional<uint64_t> parse_push_subscription_id(std::string_view id);

// What /get may return (§7.2.1): never url or keys.
inline constexpr std::string_view kPushSubscriptionProperties[] = {
    "id", "deviceClientId", "verificationCode", "expires", "types"};

// The object with the properties `get` asks for. verificationCode is the code once
// the client has proved it (null before: the code travels only in the PushVerification).
json::object push_subscription_json(const store::PushSubscription& subscription,
                                    const GetArguments& get);

// `types` (§7.2): null (every type) or a list of type names (1-255 letters and digits).
// Returns the stored form (a JSON array text, or nullopt for null); an error
// description when the value is neither.
struct TypesValue {
  std::optional<std::string> stored;
  std::string error;  // "" when valid
};
TypesValue read_types(const json::value& value);
// The stored form back as names; nullopt for every type (or unreadable text).
std::optional<std::vector<std::string>> stored_types(const std::optional<std::string>& stored);
// JSON of the stored form: null or the list.
json::value types_json(const std::optional<std::string>& stored);

// The expiry the server sets (§7.2): for a password or token credential (not time
// bounded) at most `max_expiry` after `now`, and that when none is asked for; a session
// credential's expiry is kept as asked (the session's own expiry bounds it).
std::optional<int64_t> bounded_expiry(std::optional<int64_t> asked, int64_t now,
                                      const Credential& credential,
                                      std::chrono::seconds max_expiry);

}  // namespace postamt::jmap
