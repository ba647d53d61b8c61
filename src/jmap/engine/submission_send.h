// Sending an Email for EmailSubmission/set create (RFC 8621 §7.5) through the same path
// as SMTP submission: the originator check (mail/senders.h, RFC 6409 §8), the
// submission check (delivery/submission_check.h: the read-receipt policy), then one
// delivery::Transaction (local copies and the outbound queue, durable before it
// returns). The Bcc field is removed from the bytes that travel (§7.5).
//
// Runs on the request's store thread (blocking).
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "jmap/engine/call_context.h"
#include "store/api/submissions.h"

namespace postamt::jmap {

struct Envelope {
  store::SubmissionAddress mail_from;
  std::vector<store::SubmissionAddress> rcpt_to;
};

// §7.5: the envelope of a message whose create gave none: mailFrom from Sender, else
// From; rcptTo the addresses of To, Cc and Bcc, each once. nullopt when the message has
// no From (invalidEmail). Parameters are null.
std::optional<Envelope> derive_envelope(std::string_view message);

// The message without its Bcc fields (§7.5).
std::string without_bcc(std::string_view message);

struct SendOutcome {
  std::vector<store::SubmissionAddress> rcpt_to;  // with their routes
  std::string queue_id;                           // "" when nothing was queued
};

// Checks and sends `message` with `envelope` for the calling account. Returns the
// SetError for the create when it may not or could not be sent: forbiddenMailFrom,
// forbiddenFrom, noRecipients, tooManyRecipients, invalidRecipients, forbiddenToSend
// (the submission check's refusal, or remote recipients without an outbound queue),
// overQuota / tooLarge (a local recipient's quota), serverFail (try again). A message
// the submission check drops is "sent" to nobody: every route `dropped`.
std::optional<json::object> send_message(CallContext& context, std::string_view message,
                                         const Envelope& envelope, SendOutcome& outcome);

}  // namespace postamt::jmap
