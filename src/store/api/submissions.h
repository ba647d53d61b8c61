// EmailSubmission records (RFC 8621 §7) as the Store keeps them: what an account sent
// through JMAP, its envelope, and where its delivery state can be read (the outbound
// queue id, the recipients delivered locally). Plain values; the JMAP engine gives them
// their JSON form.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "model/ids.h"

namespace postamt::store {

// Where a submission's recipient went when it was sent.
enum class SubmissionRoute {
  local,    // delivered into a local account at once
  remote,   // handed to the outbound queue (see EmailSubmission::queue_id)
  dropped,  // the submission check dropped the message: sent to nobody
};

struct SubmissionAddress {
  std::string email;
  // The SMTP parameters as the engine encoded them (JMAP: a JSON object or "null"),
  // kept verbatim.
  std::string parameters;
  SubmissionRoute route = SubmissionRoute::remote;  // meaningful for recipients only
  friend bool operator==(const SubmissionAddress&, const SubmissionAddress&) = default;
};

struct NewEmailSubmission {
  AccountId account;
  std::string identity_id;  // JMAP ids, kept as given
  std::string email_id;
  std::string thread_id;
  std::string message_id;  // the sent message's normalised Message-ID, or ""
  SubmissionAddress mail_from;
  std::vector<SubmissionAddress> rcpt_to;  // in the envelope's order
  int64_t send_at = 0;                     // seconds since 1970
  std::string queue_id;                    // "" when nothing was queued
  friend bool operator==(const NewEmailSubmission&, const NewEmailSubmission&) = default;
};

struct EmailSubmission : NewEmailSubmission {
  // The account modseq its creation took: unique within the account, never reused, and
  // what /changes compares.
  uint64_t id = 0;
  friend bool operator==(const EmailSubmission&, const EmailSubmission&) = default;
};

// What changed after a modseq (JMAP EmailSubmission/changes).
struct SubmissionChanges {
  ModSeq highest_modseq = 0;
  ModSeq history_start = 0;
  std::vector<EmailSubmission> created;  // created after `since`, by id
  struct Destroyed {
    uint64_t id = 0;
    ModSeq modseq = 0;  // of the destruction
    friend bool operator==(const Destroyed&, const Destroyed&) = default;
  };
  std::vector<Destroyed> destroyed;  // destroyed after `since`, by modseq then id
};

namespace errors {
inline Error submission_missing(uint64_t id) {
  return Error{ErrorKind::not_found, "no such email submission: " + std::to_string(id)};
}
}  // namespace errors

}  // namespace postamt::store
