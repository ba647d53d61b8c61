#include "jmap/engine/query.h"

#include <algorithm>

#include "jmap/engine/arguments.h"
#include "jmap/engine/standard.h"

namespace postamt::jmap {

json::object answer_query(CallContext& context, const json::object& arguments,
                          const std::vector<std::string>& ids, ModSeq state,
                          bool can_calculate_changes) {
  int64_t total = static_cast<int64_t>(ids.size());
  int64_t position = read_int(arguments, "position").value_or(0);
  auto anchor = read_id(arguments, "anchor");
  int64_t anchor_offset = read_int(arguments, "anchorOffset").value_or(0);
  auto limit = read_uint(arguments, "limit");
  bool calculate_total = read_bool(arguments, "calculateTotal").value_or(false);

  int64_t start = 0;
  if (anchor) {
    // §5.5: the anchor's index plus anchorOffset, clamped to 0; position is ignored.
    auto it = std::find(ids.begin(), ids.end(), *anchor);
    if (it == ids.end()) fail("anchorNotFound");
    start = std::max<int64_t>(0, (it - ids.begin()) + anchor_offset);
  } else if (position < 0) {
    start = std::max<int64_t>(0, total + position);
  } else {
    start = position;
  }
  start = std::min(start, total);
  uint64_t cap = context.services().limits.max_query_results;
  uint64_t count = std::min<uint64_t>(static_cast<uint64_t>(total - start), limit.value_or(cap));
  bool capped = count > cap;
  count = std::min<uint64_t>(count, cap);

  json::array slice;
  for (uint64_t i = 0; i < count; ++i) slice.emplace_back(ids[static_cast<size_t>(start) + i]);
  json::object out;
  out["accountId"] = context.account_id();
  out["queryState"] = state_string(state);
  out["canCalculateChanges"] = can_calculate_changes;
  out["position"] = start;
  out["ids"] = std::move(slice);
  if (calculate_total) out["total"] = total;
  // §5.5: a server limit below the client's is reported with the limit it applied.
  if (capped || (!limit && static_cast<uint64_t>(total - start) > cap)) out["limit"] = cap;
  return out;
}

}  // namespace postamt::jmap
