// The outbound queue as the mail core sees it: where a delivery::Transaction hands the
// remote recipients of a message it committed. src/queue implements it (a durable file
// per message and a delivery worker); src/app wires that in (docs/architecture.md,
// "Interfaces declared below, implemented above").
//
// enqueue() returns only when the message and its envelope are durable (fsynced), so
// that the caller may acknowledge the message afterwards (SMTP 250). It survives
// restarts and kill -9.
//
// Threads: enqueue() blocks (disk); call it on a store thread. Implementations are safe
// to call from several threads and processes at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace postamt::delivery {

// RFC 3461 §4.1 NOTIFY; `never` excludes the others.
struct Notify {
  bool never = false;
  bool success = false;
  bool failure = true;  // the RFC 3461 default when NOTIFY is absent: failure and delay
  bool delay = true;
};

// RFC 3461 §4.3 RET.
enum class Ret { unspecified, full, headers };

struct OutboundRecipient {
  std::string address;  // forward path, no angle brackets
  std::string orcpt;    // RFC 3461 §4.2 ORCPT as "rfc822;addr" (decoded), or empty
  Notify notify;
};

struct OutboundMessage {
  std::string envelope_sender;  // "" = null sender: such a message never bounces
  std::vector<OutboundRecipient> recipients;
  std::string envid;  // RFC 3461 §4.4, decoded, or empty
  Ret ret = Ret::unspecified;
  std::string body;  // the complete message, CRLF line ends
  // The id it should be queued under: the one its acceptance was logged with (the SMTP
  // server's, given at MAIL), so that every later log line names the message alike,
  // Postfix-style. Empty, or in use by another queued message: the queue picks one.
  std::string queue_id;
  // Accepted from outside (the MX, no login, not a trusted network) and on its way to a
  // remote address (an alias that forwards): not ours to vouch for, so the queue never
  // DKIM-signs it (docs/mail-authentication.md).
  bool relayed = false;
};

// The state of one recipient of a queued message.
enum class QueuedState { pending, sent, failed };
struct QueuedRecipient {
  std::string address;
  QueuedState state = QueuedState::pending;
  std::string diagnostic;  // the last reply or reason, "" before any attempt
};

class OutboundQueue {
 public:
  virtual ~OutboundQueue() = default;
  // Stores the message durably and returns its queue id (Postfix-style, e.g. "4Fz1Xk2ab"):
  // message.queue_id when the queue could take it (see there).
  // Errors: invalid (no recipients), io (write or fsync failed: nothing is queued).
  virtual Result<std::string> enqueue(const OutboundMessage& message) = 0;

  // Where each recipient of a message still in the queue stands (JMAP EmailSubmission
  // deliveryStatus, RFC 8621 §7), in the order they were queued. not_found once the
  // message left the queue (every recipient delivered or bounced) or for an unknown id;
  // a queue that cannot tell answers not_found for every id. Blocking.
  virtual Result<std::vector<QueuedRecipient>> queued_recipients(std::string_view id) {
    return Error{ErrorKind::not_found, "no such message in the queue: " + std::string(id)};
  }
};

}  // namespace postamt::delivery
