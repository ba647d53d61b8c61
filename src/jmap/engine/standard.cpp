#include "jmap/engine/standard.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "jmap/engine/arguments.h"

namespace postamt::jmap {

std::string state_string(ModSeq modseq) {
  return std::to_string(modseq);
}

std::optional<ModSeq> parse_state(std::string_view state) {
  ModSeq value = 0;
  if (state.empty() || (state.size() > 1 && state[0] == '0')) return std::nullopt;
  auto [end, ec] = std::from_chars(state.data(), state.data() + state.size(), value);
  if (ec != std::errc() || end != state.data() + state.size()) return std::nullopt;
  return value;
}

GetArguments read_get(CallContext& context, const json::object& arguments,
                      std::span<const std::string_view> known,
                      std::span<const std::string_view> defaults,
                      bool (*accept)(std::string_view)) {
  context.require_account(arguments);
  return read_get_unscoped(context, arguments, known, defaults, accept);
}

GetArguments read_get_unscoped(CallContext& context, const json::object& arguments,
                               std::span<const std::string_view> known,
                               std::span<const std::string_view> defaults,
                               bool (*accept)(std::string_view)) {
  GetArguments get;
  auto ids = arguments.find("ids");
  if (ids != arguments.end() && !ids->value().is_null()) {
    if (!ids->value().is_array()) fail_argument("ids", "expected a list of Ids");
    get.ids.emplace();
    for (const json::value& v : ids->value().get_array()) {
      if (!v.is_string()) fail_argument("ids", "expected a list of Ids");
      std::string_view id = v.get_string();
      bool creation = id.starts_with('#') && is_valid_id(id.substr(1));
      if (!creation && !is_valid_id(id)) fail_argument("ids", "expected a list of Ids");
      get.ids->push_back(context.resolve_id(id).value_or(std::string(id)));
    }
    if (get.ids->size() > context.services().limits.max_objects_in_get)
      fail("requestTooLarge", "more ids than maxObjectsInGet");
  }
  auto properties = read_string_list(arguments, "properties");
  if (!properties) {
    get.properties.assign(defaults.begin(), defaults.end());
  } else {
    for (const std::string& p : *properties) {
      bool ok = std::find(known.begin(), known.end(), p) != known.end() || (accept && accept(p));
      if (!ok) fail_argument("properties", "unknown property " + p);
    }
    get.properties = std::move(*properties);
  }
  if (std::find(get.properties.begin(), get.properties.end(), "id") == get.properties.end())
    get.properties.insert(get.properties.begin(), "id");  // §5.1: id is always returned
  return get;
}

bool wants(const GetArguments& get, std::string_view property) {
  return std::find(get.properties.begin(), get.properties.end(), property) != get.properties.end();
}

ModSeq read_since_state(const json::object& arguments, std::string_view name, ModSeq now,
                        ModSeq history_start) {
  auto since_text = read_string(arguments, name);
  if (!since_text) fail_argument(name, "missing");
  auto since = parse_state(*since_text);
  // A state above the current one was never given out; one below the start of the kept
  // history cannot be answered (§5.2 cannotCalculateChanges).
  if (!since || *since > now || *since < history_start)
    fail("cannotCalculateChanges", "this state is not known; fetch everything again");
  return *since;
}

json::object answer_changes(CallContext& context, const json::object& arguments, ModSeq now,
                            ModSeq history_start, ChangeSet changes, json::object extra) {
  context.require_account(arguments);
  ModSeq since = read_since_state(arguments, "sinceState", now, history_start);
  auto max_changes = read_uint(arguments, "maxChanges");
  if (max_changes && *max_changes == 0) fail_argument("maxChanges", "must be above 0");

  ModSeq new_state = now;
  bool has_more = false;
  size_t total = changes.created.size() + changes.updated.size() + changes.destroyed.size();
  if (max_changes && total > *max_changes) {
    // Keep whole modseqs only: the new state must be one the client can resume from.
    std::vector<ModSeq> all;
    for (auto* list : {&changes.created, &changes.updated, &changes.destroyed})
      for (const Change& c : *list) all.push_back(c.modseq);
    std::sort(all.begin(), all.end());
    ModSeq cut = 0;
    size_t i = 0;
    while (i < all.size()) {
      size_t j = i;
      while (j < all.size() && all[j] == all[i]) ++j;
      if (j > *max_changes) break;
      cut = all[i];
      i = j;
    }
    if (cut == 0) fail("cannotCalculateChanges", "one change touches more objects than maxChanges");
    for (auto* list : {&changes.created, &changes.updated, &changes.destroyed})
      std::erase_if(*list, [cut](const Change& c) { return c.modseq > cut; });
    new_state = cut;
    has_more = true;
  }
  auto ids = [](const std::vector<Change>& list) {
    json::array out;
    for (const Change& c : list) out.emplace_back(c.id);
    return out;
  };
  json::object out;
  out["accountId"] = context.account_id();
  out["oldState"] = state_string(since);
  out["newState"] = state_string(new_state);
  out["hasMoreChanges"] = has_more;
  out["created"] = ids(changes.created);
  out["updated"] = ids(changes.updated);
  out["destroyed"] = ids(changes.destroyed);
  for (auto& [k, v] : extra) out[k] = v;
  return out;
}

}  // namespace postamt::jmap
