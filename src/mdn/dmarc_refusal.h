// Receipts refused to senders that failed DMARC (docs/read-receipts.md, "Receipts refused
// to forged senders"). RFC 8098 §6.1: a forged message can carry a
// Disposition-Notification-To that tricks the recipient into answering, and "MDN
// processing should only be invoked once authenticity of an email message is verified";
// §6.2: a receipt tells the requester that an address is read. The MX records what it
// verified in its own Authentication-Results field (RFC 8601, authserv-id = the server's
// `hostname`; fields from elsewhere with that id are removed at the MX, RFC 8601 §5).
//
// A receipt is refused for a message whose own field has a `dmarc=fail` result (RFC 7489
// §11.2) AND the domain owner asked for the failure to matter: the published policy
// `p=` (or the disposition applied, `dis=`) in the result's comment, written as
// "dmarc=fail (p=reject dis=quarantine) header.from=example.com", is `reject` or
// `quarantine` (case-insensitive). `p=none` (monitoring only), a missing comment, other
// results, fields of other authserv-ids and messages without our field (local submission,
// mail from before the MX added it) are never refused.
//
// Pure, thread-safe; the three receipt paths (engine.h on download, submission.h for
// receipts clients submit, user_receipt.h for JMAP MDN/send) call it on the original.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postamt::mdn {

// The refusal's words, e.g. "sender failed DMARC (p=quarantine)" (or "(dis=reject)" when
// only the disposition says so), for a message (header and body, CRLF) whose own
// Authentication-Results field, the topmost with authserv-id `hostname`, says so; nullopt
// when a receipt may go out as far as DMARC is concerned.
std::optional<std::string> dmarc_refusal(std::string_view message, std::string_view hostname);

}  // namespace postamt::mdn
