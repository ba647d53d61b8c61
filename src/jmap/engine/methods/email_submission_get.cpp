#include <algorithm>

#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/standard.h"
#include "jmap/engine/submission_json.h"

namespace postamt::jmap::methods {

// RFC 8621 §7.1. deliveryStatus, dsnBlobIds and mdnBlobIds are read as of now
// (submission_json.h): they change without the state moving, as §7 allows for
// deliveryStatus ("the server MAY choose not to update the state").
json::object email_submission_get(CallContext& context, const json::object& arguments) {
  GetArguments get = read_get(context, arguments, kSubmissionProperties, kSubmissionProperties);
  auto records = context.store().list_email_submissions(context.account().id);
  if (!records) fail_store(records.error(), "the store could not be read");
  json::array list, not_found;
  if (!get.ids) {
    for (const store::EmailSubmission& r : *records)
      list.push_back(submission_json(context, r, get));
  } else {
    for (const std::string& id : *get.ids) {
      auto number = parse_submission_object_id(id);
      auto it =
          std::find_if(records->begin(), records->end(),
                       [&](const store::EmailSubmission& r) { return number && r.id == *number; });
      if (it == records->end())
        not_found.emplace_back(id);
      else
        list.push_back(submission_json(context, *it, get));
    }
  }
  return {{"accountId", context.account_id()},
          {"state", state_string(context.view().modseq())},
          {"list", std::move(list)},
          {"notFound", std::move(not_found)}};
}

}  // namespace postamt::jmap::methods
