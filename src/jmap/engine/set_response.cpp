#include "jmap/engine/set_response.h"

#include "jmap/engine/arguments.h"

namespace postamt::jmap {

json::object set_error_json(std::string_view type, std::string_view description,
                            std::vector<std::string> properties) {
  json::object e;
  e["type"] = type;
  if (!description.empty()) e["description"] = description;
  if (!properties.empty()) {
    json::array list;
    for (std::string& p : properties) list.emplace_back(std::move(p));
    e["properties"] = std::move(list);
  }
  return e;
}

json::object SetResponse::finish(CallContext& context, const std::string& old_state,
                                 const std::string& new_state) {
  json::object out;
  out["accountId"] = context.account_id();
  out["oldState"] = old_state;
  out["newState"] = new_state;
  for (auto& member : finish_unscoped()) out[member.key()] = std::move(member.value());
  return out;
}

json::object SetResponse::finish_unscoped() {
  auto or_null = [](json::object& o) {
    return o.empty() ? json::value(nullptr) : json::value(std::move(o));
  };
  json::object out;
  out["created"] = or_null(created);
  out["updated"] = or_null(updated);
  out["destroyed"] = destroyed.empty() ? json::value(nullptr) : json::value(std::move(destroyed));
  out["notCreated"] = or_null(not_created);
  out["notUpdated"] = or_null(not_updated);
  out["notDestroyed"] = or_null(not_destroyed);
  return out;
}

namespace {

const json::object kEmpty;

size_t count_of(const json::object& arguments, std::string_view name) {
  auto it = arguments.find(name);
  if (it == arguments.end() || it->value().is_null()) return 0;
  if (it->value().is_object()) return it->value().get_object().size();
  if (it->value().is_array()) return it->value().get_array().size();
  fail_argument(name, "wrong type");
}

}  // namespace

void check_set_arguments(CallContext& context, const json::object& arguments,
                         const std::string& state) {
  context.require_account(arguments);
  if (count_of(arguments, "create") + count_of(arguments, "update") +
          count_of(arguments, "destroy") >
      context.services().limits.max_objects_in_set)
    fail("requestTooLarge", "more objects than maxObjectsInSet");
  if (auto expected = read_string(arguments, "ifInState"); expected && *expected != state)
    fail("stateMismatch");
}

const json::object& create_argument(const json::object& arguments) {
  const json::object* o = read_object(arguments, "create");
  return o ? *o : kEmpty;
}

const json::object& update_argument(const json::object& arguments) {
  const json::object* o = read_object(arguments, "update");
  return o ? *o : kEmpty;
}

std::vector<std::string> destroy_argument(CallContext& context, const json::object& arguments) {
  auto it = arguments.find("destroy");
  std::vector<std::string> out;
  if (it == arguments.end() || it->value().is_null()) return out;
  if (!it->value().is_array()) fail_argument("destroy", "expected a list of Ids");
  for (const json::value& v : it->value().get_array()) {
    if (!v.is_string()) fail_argument("destroy", "expected a list of Ids");
    std::string_view id = v.get_string();
    out.push_back(context.resolve_id(id).value_or(std::string(id)));
  }
  return out;
}

}  // namespace postamt::jmap
