// The shape of every /set response (RFC 8620 §5.3): what was created, updated and
// destroyed, and a SetError per failed item, collected while a method works through its
// create, update and destroy arguments in that order.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "jmap/engine/call_context.h"

namespace postamt::jmap {

// A SetError object: {"type": ..., "description": ..., "properties": [...]}.
json::object set_error_json(std::string_view type, std::string_view description = {},
                            std::vector<std::string> properties = {});

struct SetResponse {
  json::object created, updated, not_created, not_updated, not_destroyed;
  json::array destroyed;
  // The finished response arguments.
  json::object finish(CallContext& context, const std::string& old_state,
                      const std::string& new_state);
  // Without accountId, oldState and newState (PushSubscription/set, RFC 8620 §7.2.2).
  json::object finish_unscoped();
};

// ifInState (§5.3): stateMismatch unless it equals `state`. Also checks accountId and that
// create + update + destroy stay within maxObjectsInSet (requestTooLarge).
void check_set_arguments(CallContext& context, const json::object& arguments,
                         const std::string& state);

// The create, update and destroy arguments (null or absent: empty).
const json::object& create_argument(const json::object& arguments);
const json::object& update_argument(const json::object& arguments);
std::vector<std::string> destroy_argument(CallContext& context, const json::object& arguments);

}  // namespace postamt::jmap
