// The window of a /query result (RFC 8620 §5.5): position or anchor and anchorOffset,
// limit, calculateTotal, applied the same way for every type once the full sorted id list
// is known.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "jmap/engine/call_context.h"

namespace postamt::jmap {

// Reads position, anchor, anchorOffset, limit and calculateTotal from `arguments` and
// answers with the slice of `ids`. anchorNotFound when the anchor is not in `ids`.
// canCalculateChanges says whether /queryChanges can answer for this query.
json::object answer_query(CallContext& context, const json::object& arguments,
                          const std::vector<std::string>& ids, ModSeq state,
                          bool can_calculate_changes);

}  // namespace postamt::jmap
