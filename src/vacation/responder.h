// The server's vacation auto-responder (RFC 8621 §8, answering as RFC 5230's vacation
// action and RFC 3834's Personal Responder): a delivery::DeliveryObserver, wired by
// src/app into every delivery::Transaction, that answers a message delivered to a local
// account whose vacation response is active (settings.h).
//
// For each local account that received the message, answer() sends one reply when:
//   - the account's vacation response is active now (enabled, within [fromDate, toDate));
//   - screen_message() (rules.h) allows it: a non-null envelope sender that is no daemon
//     or list address, no Auto-Submitted other than "no", no List-* field, no
//     Precedence bulk/list/junk;
//   - the envelope sender is not one of the account's own addresses (no replies to self);
//   - one of the account's addresses (mail/senders.h owns_address: its address or an
//     alias reaching it) is in To, Cc, Bcc or Resent-To/-Cc/-Bcc (RFC 5230 §4.5);
//   - the sender was not answered within the last 7 days (tracking.h, §4.1-4.2).
// The reply goes through a delivery::Transaction with the null envelope sender and
// NOTIFY=NEVER (RFC 5230 §5.1, RFC 3834 §3.3) to the envelope sender (§4.2): into a local
// INBOX or out through the queue. The sender is recorded as answered BEFORE the reply is
// sent, so a failure or crash loses a reply rather than ever sending two.
//
// Threads: delivered() runs on the committing store thread and never blocks: it copies
// the original's header block and hands the work to `run_blocking`. answer() blocks
// (store, blob and queue calls) and is serialised by a mutex, so two deliveries from the
// same sender at once yield one reply. The responder must outlive every task it posted.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "delivery/observer.h"
#include "delivery/transaction.h"
#include "vacation/rules.h"

namespace postamt::vacation {

enum class Outcome {
  sent,
  inactive,         // vacation off or outside its dates
  screened,         // rules.h said no (see Result::screen)
  from_self,        // the envelope sender is one of the account's addresses
  not_addressed,    // none of the account's addresses in To/Cc/Bcc/Resent-*
  already_answered  // the sender got a reply within the period
};
std::string_view to_string(Outcome outcome);

struct Answer {
  Outcome outcome = Outcome::inactive;
  Screen screen = Screen::answer;  // set for screened
};

struct ResponderDependencies {
  delivery::Services delivery;  // store and blobs must be set; outbound for remote senders
  std::string hostname;         // the replies' Message-ID right side
  std::function<std::chrono::sys_seconds()> now;
  std::function<std::string()> random_token;  // [A-Za-z0-9]+, the Message-ID left side
  // Runs a task on a thread that may block. Tests pass one that runs it at once.
  std::function<void(std::function<void()>)> run_blocking;
};

class Responder final : public delivery::DeliveryObserver {
 public:
  explicit Responder(ResponderDependencies deps) : deps_(std::move(deps)) {}

  // Schedules answer() for each delivered account; the outcome is logged under service
  // "vacation" (sent replies and errors at info/warning, the rest at debug). Never throws.
  void delivered(const delivery::DeliveredMessage& message) override;

  // Blocking. `header` is the original's top-level header block. Errors: those of the
  // store and of the reply's transaction (the sender stays recorded as answered).
  Result<Answer> answer(AccountId account, const std::string& address,
                        const std::string& envelope_sender, std::string_view header);

 private:
  ResponderDependencies deps_;
  std::mutex mutex_;
};

}  // namespace postamt::vacation
