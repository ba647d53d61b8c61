#include "base/log.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/push_subscription_json.h"

namespace postamt::jmap::methods {

// RFC 8620 §7.2.1: no accountId and no state; only the subscriptions of the credential
// that authenticated this request; url and keys are never returned, and asking for them
// is forbidden.
json::object push_subscription_get(CallContext& context, const json::object& arguments) {
  if (auto asked = read_string_list(arguments, "properties"))
    for (const std::string& p : *asked)
      if (p == "url" || p == "keys")
        fail("forbidden", "the url and keys of a push subscription are never returned");
  GetArguments get = read_get_unscoped(context, arguments, kPushSubscriptionProperties,
                                       kPushSubscriptionProperties);
  auto subscriptions =
      context.store().list_push_subscriptions(context.account().id, context.credential());
  if (!subscriptions) {
    log::warning("jmap", "cannot read the push subscriptions of <{}>: {}",
                 context.account().address, subscriptions.error().message);
    fail_store(subscriptions.error(), "the push subscriptions could not be read");
  }
  json::array list, not_found;
  if (!get.ids) {
    for (const store::PushSubscription& s : *subscriptions)
      list.push_back(push_subscription_json(s, get));
  } else {
    for (const std::string& id : *get.ids) {
      auto number = parse_push_subscription_id(id);
      const store::PushSubscription* found = nullptr;
      for (const store::PushSubscription& s : *subscriptions)
        if (number && s.id == *number) found = &s;
      if (found)
        list.push_back(push_subscription_json(*found, get));
      else
        not_found.emplace_back(id);
    }
  }
  return {{"list", std::move(list)}, {"notFound", std::move(not_found)}};
}

}  // namespace postamt::jmap::methods
