#include <algorithm>
#include <set>
#include <unordered_map>

#include "jmap/engine/account_changes.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/email_search.h"
#include "jmap/engine/methods/methods.h"
#include "model/object_ids.h"

namespace postamt::jmap::methods {

// RFC 8620 §5.6 for Email (RFC 8621 §4.5). Postamt keeps no old query results, so it
// answers from the account's changes since sinceQueryState: every Email that changed
// since then may have moved in or out of the results (keywords and mailboxes are mutable
// filter and sort properties), so each is in `removed`, and each that is in the results
// now is in `added` at its index, which §5.6 allows ("the server MAY return the ids of
// extra Foos"). With collapseThreads the other Emails of a changed thread count as
// changed too, because the one that stands for the thread may be another now. upToId is
// ignored, as §5.6 allows when a filter or sort property is mutable.
json::object email_query_changes(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  ModSeq since = read_since_state(arguments, "sinceQueryState", kNoModSeqLimit, 0);
  auto max_changes = read_uint(arguments, "maxChanges");
  (void)read_id(arguments, "upToId");  // checked for its type only (above)
  bool calculate_total = read_bool(arguments, "calculateTotal").value_or(false);

  // The changes and the results must describe the same state: a write in between makes
  // the view newer than the changes, so read both again.
  AccountDelta delta;
  for (int attempt = 0;; ++attempt) {
    delta = account_delta(context, since);
    if (context.view().modseq() == delta.now) break;
    if (attempt == 2) fail("cannotCalculateChanges", "the account is changing; query again");
    context.invalidate();
  }
  if (since < delta.history_start || since > delta.now)
    fail("cannotCalculateChanges", "this state is not known; query again");
  std::vector<std::string> ids = query_email_ids(context, arguments);

  const AccountView& view = context.view();
  std::set<std::string> changed;
  for (const auto* list : {&delta.emails.created, &delta.emails.updated, &delta.emails.destroyed})
    for (const Change& c : *list) changed.insert(c.id);
  if (read_bool(arguments, "collapseThreads").value_or(false)) {
    std::set<std::string> more;
    for (const std::string& id : changed)
      if (const EmailEntry* e = view.email(id))
        for (const EmailEntry* t : view.thread(e->thread())) more.insert(t->id);
    for (const auto* list : {&delta.threads.updated, &delta.threads.destroyed})
      for (const Change& c : *list)
        if (auto thread = parse_thread_object_id(c.id))
          for (const EmailEntry* t : view.thread(*thread)) more.insert(t->id);
    changed.insert(more.begin(), more.end());
  }
  std::set<std::string> created;
  for (const Change& c : delta.emails.created) created.insert(c.id);

  json::array removed, added;
  std::set<std::string> in_results;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!changed.contains(ids[i])) continue;
    in_results.insert(ids[i]);
    added.push_back(json::object{{"id", ids[i]}, {"index", i}});
  }
  // An Email created since the old state was not in the old results: only one that is
  // in the results now needs splicing out (it is spliced in again below).
  for (const std::string& id : changed)
    if (!created.contains(id) || in_results.contains(id)) removed.emplace_back(id);
  if (max_changes && removed.size() + added.size() > *max_changes)
    fail("tooManyChanges", "more changes than maxChanges; query again");

  json::object out;
  out["accountId"] = context.account_id();
  out["oldQueryState"] = state_string(since);
  out["newQueryState"] = state_string(view.modseq());
  if (calculate_total) out["total"] = ids.size();
  out["removed"] = std::move(removed);
  out["added"] = std::move(added);
  return out;
}

}  // namespace postamt::jmap::methods
