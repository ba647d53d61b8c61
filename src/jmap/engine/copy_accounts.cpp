#include "jmap/engine/copy_accounts.h"

#include "jmap/engine/arguments.h"

namespace postamt::jmap {

void refuse_copy(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  auto from = read_id(arguments, "fromAccountId");
  if (!from) fail_argument("fromAccountId", "missing");
  if (*from == context.account_id())
    fail_argument("fromAccountId", "must differ from accountId (RFC 8620 §5.4)");
  fail("fromAccountNotFound");
}

}  // namespace postamt::jmap
