// A check that every submission path (SMTP submission today, JMAP EmailSubmission next)
// runs before it commits a message an authenticated user sends. The read-receipt layer
// implements it (mdn/submission.h: drop or refuse duplicate receipts, docs/read-receipts.md)
// without the engines knowing about receipts; src/app wires it in.
//
// When: for an authenticated user's message, once it is complete and the engine's own
// checks passed, before anything is delivered or queued. What each verdict asks of the
// engine:
//   accept  deliver and queue the message as usual;
//   drop    answer success and deliver nothing (nothing needs to be durable, so
//           answering at once keeps the durable-before-OK rule);
//   reject  refuse with `text` as a policy refusal (SMTP "550 5.7.1 <text>").
// An error from check() is temporary: the engine answers "try again later".
//
// Threads: check() may block (store calls); engines call it on a store thread, possibly
// from many sessions at once, so implementations must be thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace postamt::delivery {

enum class SubmissionVerdict { accept, drop, reject };

struct SubmissionDecision {
  SubmissionVerdict verdict = SubmissionVerdict::accept;
  std::string text;  // reject: the refusal in plain words; single line, no CR/LF
};

struct Submission {
  std::string_view user;                       // the authenticated account address
  std::string_view envelope_sender;            // "" = null reverse path
  const std::vector<std::string>* recipients;  // forward paths as the client gave them
  std::string_view message;                    // as submitted, without trace fields
};

class SubmissionCheck {
 public:
  virtual ~SubmissionCheck() = default;
  virtual Result<SubmissionDecision> check(const Submission& submission) = 0;
};

}  // namespace postamt::delivery
