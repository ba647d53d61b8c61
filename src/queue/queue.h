// The outbound queue: mail for remote recipients waits here, durably, until a delivery
// worker hands it to the next hop or gives up and bounces it (DESIGN.md §1).
//
// enqueue() is what SMTP calls for the remote recipients of a message it accepted; it
// returns only when the message and its envelope are durable (fsynced), so that SMTP
// may answer 250 afterwards. It survives restarts and kill -9.
//
// Threads: every method blocks (disk); call on store threads. Safe to call from several
// threads and processes at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace postamt::queue {

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
};

class Queue {
 public:
  virtual ~Queue() = default;
  // Stores the message durably and returns its queue id (Postfix-style, e.g. "4Fz1Xk2ab").
  // Errors: invalid (no recipients), io (write or fsync failed: nothing is queued).
  virtual Result<std::string> enqueue(const OutboundMessage& message) = 0;
};

}  // namespace postamt::queue
