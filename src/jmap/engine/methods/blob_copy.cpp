#include "jmap/engine/copy_accounts.h"
#include "jmap/engine/methods/methods.h"

namespace postamt::jmap::methods {

// RFC 8620 §6.3: as Email/copy, there is no other account to copy blobs from
// (copy_accounts.h).
json::object blob_copy(CallContext& context, const json::object& arguments) {
  refuse_copy(context, arguments);
}

}  // namespace postamt::jmap::methods
