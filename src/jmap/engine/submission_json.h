// EmailSubmission objects (RFC 8621 §7) from the store's records: ids, the envelope,
// and what happened since: deliveryStatus from the outbound queue and the local
// deliveries, dsnBlobIds from the queue's bounces that reached the sender's mailboxes,
// mdnBlobIds from the read receipts that arrived (the receipt ledger). Used by
// EmailSubmission/get, /query and /set.
//
// Runs on the request's store thread (blocking: queue files, blobs).
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "jmap/engine/call_context.h"
#include "jmap/engine/standard.h"
#include "store/api/submissions.h"

namespace postamt::jmap {

// "S" + the record's id, and back (nullopt for anything else).
std::string submission_object_id(uint64_t id);
std::optional<uint64_t> parse_submission_object_id(std::string_view id);

// The account's identity (RFC 8621 §6): "I" + the account's id.
std::string account_identity_id(const CallContext& context);

inline constexpr std::string_view kSubmissionProperties[] = {
    "id",     "identityId", "emailId",        "threadId",   "envelope",
    "sendAt", "undoStatus", "deliveryStatus", "dsnBlobIds", "mdnBlobIds"};

// The object with the properties `get` wants. Reads the queue and the account's receipt
// ledger for deliveryStatus, dsnBlobIds and mdnBlobIds.
json::object submission_json(CallContext& context, const store::EmailSubmission& record,
                             const GetArguments& get);

}  // namespace postamt::jmap
