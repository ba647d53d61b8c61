#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/set_response.h"
#include "jmap/engine/vacation_json.h"
#include "jmap/proto/arguments.h"

namespace postamt::jmap::methods {

// RFC 8621 §8.2: the object always exists and is the only one, so create and destroy
// fail with "singleton"; update applies a PatchObject to "singleton".
json::object vacation_response_set(CallContext& context, const json::object& arguments) {
  const vacation::Settings previous = load_vacation(context);
  const std::string old_state = vacation_state(previous);
  check_set_arguments(context, arguments, old_state);
  SetResponse response;
  for (const auto& [creation_id, value] : create_argument(arguments))
    response.not_created[creation_id] =
        set_error_json("singleton", "a VacationResponse cannot be created");

  vacation::Settings current = previous;
  for (const auto& [key, value] : update_argument(arguments)) {
    auto id = context.resolve_id(key);
    if (!id || *id != kVacationId) {
      response.not_updated[key] = set_error_json("notFound");
      continue;
    }
    if (!value.is_object()) {
      response.not_updated[key] = set_error_json("invalidPatch", "expected a PatchObject");
      continue;
    }
    // A null removes a member, which vacation_from_json reads as null: right for the
    // nullable properties, not for these two.
    const json::object& patch = value.get_object();
    std::vector<std::string> not_null;
    for (std::string_view p : {"id", "isEnabled"})
      if (auto it = patch.find(p); it != patch.end() && it->value().is_null())
        not_null.emplace_back(p);
    if (!not_null.empty()) {
      response.not_updated[key] = invalid_properties(std::move(not_null)).to_json();
      continue;
    }
    json::object object = vacation_json(current);
    if (auto error = apply_patch(object, patch)) {
      response.not_updated[key] = error->to_json();
      continue;
    }
    vacation::Settings next;
    if (auto error = vacation_from_json(object, next)) {
      response.not_updated[key] = error->to_json();
      continue;
    }
    current = std::move(next);
    response.updated[key] = nullptr;
  }
  for (const std::string& id : destroy_argument(context, arguments))
    response.not_destroyed[id] =
        set_error_json("singleton", "a VacationResponse cannot be destroyed");

  if (current != previous) save_vacation(context, current, previous);
  return response.finish(context, old_state, vacation_state(current));
}

}  // namespace postamt::jmap::methods
