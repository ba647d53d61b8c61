#include "jmap/engine/account_changes.h"
#include "jmap/engine/email_search.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/query.h"

namespace postamt::jmap::methods {

// RFC 8621 §4.4. Without a sort the RFC leaves the order to the server: oldest first.
json::object email_query(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  std::vector<std::string> ids = query_email_ids(context, arguments);
  return answer_query(context, arguments, ids, context.view().modseq(), true);
}

}  // namespace postamt::jmap::methods
