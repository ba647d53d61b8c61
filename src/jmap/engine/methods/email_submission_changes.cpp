#include "jmap/engine/account_changes.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/standard.h"
#include "jmap/engine/submission_json.h"

namespace postamt::jmap::methods {

// RFC 8621 §7.2 (RFC 8620 §5.2). Records are never updated (undoStatus is final at once),
// so a change is a creation or a destruction; one created and destroyed since the state
// is left out of both (§5.2 allows either).
json::object email_submission_changes(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  ModSeq since = read_since_state(arguments, "sinceState", kNoModSeqLimit, 0);
  auto delta = context.store().email_submission_changes(context.account().id, since);
  if (!delta) fail_store(delta.error(), "the store could not be read");
  ChangeSet changes;
  for (const store::EmailSubmission& r : delta->created)
    changes.created.push_back({submission_object_id(r.id), r.id});
  for (const auto& d : delta->destroyed) {
    if (d.id > since) {
      std::erase_if(changes.created, [&](const Change& c) { return c.modseq == d.id; });
      continue;
    }
    changes.destroyed.push_back({submission_object_id(d.id), d.modseq});
  }
  return answer_changes(context, arguments, delta->highest_modseq, delta->history_start,
                        std::move(changes));
}

}  // namespace postamt::jmap::methods
