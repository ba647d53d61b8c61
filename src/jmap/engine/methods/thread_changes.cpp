#include "jmap/engine/account_changes.h"
#include "jmap/engine/methods/methods.h"

namespace postamt::jmap::methods {

// RFC 8621 §3.2.
json::object thread_changes(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  AccountDelta delta =
      account_delta(context, read_since_state(arguments, "sinceState", kNoModSeqLimit, 0));
  return answer_changes(context, arguments, delta.now, delta.history_start,
                        std::move(delta.threads));
}

}  // namespace postamt::jmap::methods
