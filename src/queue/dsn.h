// Delivery status notifications (RFC 3464) about queued messages: the bounce sent to
// the envelope sender when recipients failed, and the "relayed" notice for recipients
// that asked for NOTIFY=SUCCESS when the next hop could not pass the request on
// (RFC 3461 §5.2.2, §6.2). Pure apart from the injected random source.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "mime/report.h"
#include "queue/clock.h"
#include "queue/spool.h"

namespace postamt::queue {

enum class DsnAction { failed, relayed, delayed };  // RFC 3464 §2.3.3

struct DsnRecipient {
  size_t index;  // into QueuedMessage::message.recipients / status
  DsnAction action;
};

struct DsnOptions {
  std::string reporting_mta;  // our host name (Reporting-MTA, From: MAILER-DAEMON@...)
  TimePoint now;
  // For "delayed" recipients: when the queue gives up (RFC 3464 §2.3.9 Will-Retry-Until).
  std::optional<TimePoint> will_retry_until;
  // When RET is absent, the whole message is returned up to this size, else only its
  // header (RFC 3461 §4.3 leaves the choice to the MTA).
  size_t max_returned_body = 1024 * 1024;
};

// Returns the DSN as a queueable message: null envelope sender (RFC 3464 §4: a DSN
// never bounces), one recipient (the original envelope sender, NOTIFY=NEVER), the
// complete message with From/To/Subject/Date/Message-ID/MIME-Version/Auto-Submitted.
// Fields (RFC 3464 §2.2, §2.3): Reporting-MTA, Original-Envelope-Id when ENVID was
// given, Arrival-Date; per recipient Original-Recipient when ORCPT was given,
// Final-Recipient, Action, Status, Remote-MTA when known, Diagnostic-Code when known
// ("smtp;" for a remote reply), Last-Attempt-Date, and Will-Retry-Until for delayed. RET=HDRS
// returns the header as text/rfc822-headers, RET=FULL the whole message as message/rfc822. Errors:
// invalid (the message has a null sender, `recipients` is empty, or a field would carry a control
// character).
Result<delivery::OutboundMessage> build_dsn(const QueuedMessage& m,
                                            const std::vector<DsnRecipient>& recipients,
                                            const DsnOptions& options,
                                            const mime::RandomSource& random);

}  // namespace postamt::queue
