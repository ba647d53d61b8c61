// Writing Emails through the mail core (RFC 8621 §4.6 Email/set, §4.8 Email/import):
// one place that turns "this Email should be in these mailboxes with these keywords"
// into copies, flag updates and expunges, so that Email/set and Email/import and the
// submission methods change mail the same way IMAP does.
//
// Each function returns a SetError object for the item, or nullopt on success; it runs
// on the request's store thread.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <set>
#include <string_view>

#include "jmap/engine/call_context.h"
#include "jmap/engine/keywords.h"

namespace postamt::jmap {

struct EmailTarget {
  FlagSet flags;
  std::set<const store::Mailbox*> mailboxes;
};

// Makes `email` look like `target`: copies it into new mailboxes first, then changes the
// flags of every copy, then expunges the copies of mailboxes it leaves, so that it is
// never in no mailbox.
std::optional<json::object> write_email(CallContext& context, const EmailEntry& email,
                                        const EmailTarget& target);

// Expunges every copy.
std::optional<json::object> destroy_email(CallContext& context, const EmailEntry& email);

// Stores message `bytes` in `mailboxes` with `flags` and `received_at` (seconds) and fills
// `created` with id, blobId, threadId and size (§4.8).
std::optional<json::object> store_email(CallContext& context, std::string_view bytes,
                                        const std::set<const store::Mailbox*>& mailboxes,
                                        const FlagSet& flags, int64_t received_at,
                                        json::object& created);

// Email/set create (§4.6): builds the message from the create object and stores it.
std::optional<json::object> create_email(CallContext& context, const json::object& create,
                                         json::object& created);

// Reads mailboxIds, keywords and receivedAt of a create or import object. Returns a
// SetError on a bad value.
std::optional<json::object> read_placement(CallContext& context, const json::object& object,
                                           std::set<const store::Mailbox*>& mailboxes,
                                           FlagSet& flags, std::optional<int64_t>& received_at);

}  // namespace postamt::jmap
