#include "jmap/engine/account_changes.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"

namespace postamt::jmap::methods {

// RFC 8621 §2.2: when only counts changed, updatedProperties names them so that a
// client need not fetch the whole Mailbox again.
json::object mailbox_changes(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  AccountDelta delta =
      account_delta(context, read_since_state(arguments, "sinceState", kNoModSeqLimit, 0));
  json::object extra;
  if (delta.mailbox_counts_only && !delta.mailboxes.updated.empty())
    extra["updatedProperties"] =
        json::array{"totalEmails", "unreadEmails", "totalThreads", "unreadThreads"};
  else
    extra["updatedProperties"] = nullptr;
  return answer_changes(context, arguments, delta.now, delta.history_start,
                        std::move(delta.mailboxes), std::move(extra));
}

}  // namespace postamt::jmap::methods
