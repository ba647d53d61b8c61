// A hook that submission consults before it commits a message: the read-receipt layer
// uses it to drop or refuse duplicate receipts (DESIGN.md §6), without the SMTP engine
// knowing about receipts and without src/mdn knowing about SMTP.
//
// When: only on a submission listener (Mode::submission), only for an authenticated
// user, after DATA or the last BDAT chunk is complete and the loop and From checks
// passed, and before anything is delivered or queued.
// What each verdict does:
//   accept  the message is delivered and queued as usual;
//   drop    "250 2.0.0 Ok: queued as ..." and nothing is delivered or queued (nothing
//           needs to be durable, so answering success at once keeps DESIGN.md §4.5);
//   reject  "550 5.7.1 <text>" and nothing is delivered.
// An error from check() answers "451 4.3.0" (the client retries later).
//
// Threads: check() may block (store calls); the session calls it through
// Runtime::run_blocking, possibly from many sessions at once, so it must be thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace postamt::smtp::server {

enum class SubmissionVerdict { accept, drop, reject };

struct SubmissionDecision {
  SubmissionVerdict verdict = SubmissionVerdict::accept;
  std::string text;  // reject: the reply text after "550 5.7.1 "; single line, no CR/LF
};

struct Submission {
  std::string_view user;                       // the authenticated account address
  std::string_view envelope_sender;            // "" = null reverse path
  const std::vector<std::string>* recipients;  // forward paths as given at RCPT
  std::string_view message;                    // as received, without trace fields
};

class SubmissionCheck {
 public:
  virtual ~SubmissionCheck() = default;
  virtual Result<SubmissionDecision> check(const Submission& submission) = 0;
};

}  // namespace postamt::smtp::server
