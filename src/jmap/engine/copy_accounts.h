// The account arguments of /copy methods (RFC 8620 §5.4, §6.3): Postamt gives each user
// exactly one account, so there is never another account to copy from. fromAccountId
// naming the account itself breaks §5.4 ("MUST NOT be the same as the accountId") and is
// invalidArguments; any other id is fromAccountNotFound.
#pragma once

#include <boost/json/object.hpp>

#include "jmap/engine/call_context.h"

namespace postamt::jmap {

// Throws MethodFailure: accountNotFound / invalidArguments for accountId,
// invalidArguments or fromAccountNotFound for fromAccountId. Never returns.
[[noreturn]] void refuse_copy(CallContext& context, const json::object& arguments);

}  // namespace postamt::jmap
