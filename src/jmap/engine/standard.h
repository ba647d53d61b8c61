// The standard methods' shared rules (RFC 8620 §5): reading /get, /changes and /query
// arguments, and state strings. Each Foo/get, Foo/changes file uses these, so the rules
// of §5.1-5.6 hold the same way for every type.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jmap/engine/call_context.h"

namespace postamt::jmap {

// Every type's state is the account's modseq (store/api/store.h), in decimal: one number
// that moves with every change of the account, so a state never repeats (§5.1).
std::string state_string(ModSeq modseq);
std::optional<ModSeq> parse_state(std::string_view state);

struct GetArguments {
  std::optional<std::vector<std::string>> ids;  // nullopt: every object
  std::vector<std::string> properties;          // always includes "id"
};

// §5.1: accountId checked, ids (null = all; "#x" creation ids resolved, unknown ones
// left to come back in notFound), properties (null = `defaults`; a name not in `known`
// is invalidArguments unless `accept` says it is known). More than maxObjectsInGet ids
// is requestTooLarge.
GetArguments read_get(CallContext& context, const json::object& arguments,
                      std::span<const std::string_view> known,
                      std::span<const std::string_view> defaults,
                      bool (*accept)(std::string_view) = nullptr);

// read_get without accountId, for a type not tied to an account (PushSubscription/get,
// RFC 8620 §7.2.1).
GetArguments read_get_unscoped(CallContext& context, const json::object& arguments,
                               std::span<const std::string_view> known,
                               std::span<const std::string_view> defaults,
                               bool (*accept)(std::string_view) = nullptr);

bool wants(const GetArguments& get, std::string_view property);

// One change for /changes: the object's id and the modseq of the change.
struct Change {
  std::string id;
  ModSeq modseq = 0;
};

struct ChangeSet {
  std::vector<Change> created, updated, destroyed;
};

// §5.2: reads sinceState and maxChanges, and answers from `changes` (everything after
// sinceState) as of `now`. Cuts at a modseq when more than maxChanges changed
// (hasMoreChanges, newState that modseq). `history_start`: states below it are
// cannotCalculateChanges. `extra` is merged into the response (updatedProperties).
json::object answer_changes(CallContext& context, const json::object& arguments, ModSeq now,
                            ModSeq history_start, ChangeSet changes, json::object extra = {});

// sinceState of a /changes call, checked against `history_start` and `now`:
// cannotCalculateChanges for a state this server never gave or no longer knows.
ModSeq read_since_state(const json::object& arguments, std::string_view name, ModSeq now,
                        ModSeq history_start);

}  // namespace postamt::jmap
