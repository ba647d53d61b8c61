#include "jmap/engine/copy_accounts.h"
#include "jmap/engine/methods/methods.h"

namespace postamt::jmap::methods {

// RFC 8621 §4.7: copies between accounts; with one account per user there is none to
// copy from (copy_accounts.h).
json::object email_copy(CallContext& context, const json::object& arguments) {
  refuse_copy(context, arguments);
}

}  // namespace postamt::jmap::methods
