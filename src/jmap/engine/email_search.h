// Email/query's result (RFC 8621 §4.4) as the full ordered id list, shared by
// Email/query and Email/queryChanges: the filter through the mail core's search
// (email_filter.h), every sort of §4.4.2 (header sorts through mail/sort.h's values,
// comparable across mailboxes), collapseThreads.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "jmap/engine/call_context.h"

namespace postamt::jmap {

// Reads filter, sort and collapseThreads from `arguments`. Throws MethodFailure
// (unsupportedFilter, unsupportedSort, invalidArguments, serverFail). Without a sort the
// order is oldest first (receivedAt, then id).
std::vector<std::string> query_email_ids(CallContext& context,
                                         const boost::json::object& arguments);

}  // namespace postamt::jmap
