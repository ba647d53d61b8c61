// Generating the server's own read receipt (RFC 8098 §3) for a message whose request
// allows an automatic receipt (request.h). Pure apart from the injected random source;
// thread-safe if that is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "mdn/request.h"
#include "mime/report.h"

namespace postamt::mdn {

// RFC 8098 §3.2.6.2 disposition types.
enum class DispositionType { displayed, dispatched, processed, deleted };

// "displayed", "dispatched", "processed", "deleted".
std::string_view to_string(DispositionType type);
// Case-insensitive inverse of to_string(); nullopt for anything else.
std::optional<DispositionType> parse_disposition_type(std::string_view word);

struct GenerateOptions {
  std::string reporting_host;     // our host name: Reporting-UA and the Message-ID's right side
  std::string recipient_address;  // the account address: From and Final-Recipient
  DispositionType disposition = DispositionType::displayed;
  // The SMTP ORCPT of the delivery, xtext-decoded ("rfc822;bob@x"), used for
  // Original-Recipient when the original has no Original-Recipient field; "" when none.
  std::string orcpt;
  int64_t now_utc_seconds = 0;  // Date, and part of the Message-ID
};

// A receipt ready for delivery or the outbound queue.
struct GeneratedMdn {
  std::string envelope_sender;     // always "" (null, RFC 8098 §3)
  std::string envelope_recipient;  // the requester's addr-spec
  std::string message_id;          // the receipt's own "<...@reporting_host>"
  std::string message;             // the complete message, CRLF line ends
};

// Builds a multipart/report; report-type=disposition-notification (RFC 8098 §3, RFC 6522)
// with a text/plain explanation and a message/disposition-notification part holding
// Reporting-UA ("host; Postamt"), Original-Recipient (only from `request` or
// options.orcpt), Final-Recipient ("rfc822; account"), Original-Message-ID (iff the
// original had a valid Message-ID) and Disposition
// ("automatic-action/MDN-sent-automatically; <type>"). Header: From = the account, To =
// the requester (addr-spec only), Subject "Read receipt (<type>): <original subject>"
// sanitised (invalid UTF-8 replaced, control characters turned into spaces, at most 200
// bytes) and RFC 2047-encoded when not plain ASCII, folded; Date; a new random
// Message-ID; MIME-Version; Auto-Submitted: auto-replied; never a
// Disposition-Notification-To. Every address is re-serialised from a strictly parsed
// value; no header bytes of the original are copied, so no CR/LF can be injected.
//
// Errors (invalid): the request does not allow an automatic receipt (RFC 8098 §2.1: the
// server never asks the user), reporting_host is not a host name, recipient_address is
// not a valid addr-spec.
Result<GeneratedMdn> generate_mdn(const Request& request, const GenerateOptions& options,
                                  const mime::RandomSource& random);

// Makes arbitrary bytes safe, printable UTF-8 on one line: invalid UTF-8 sequences become
// U+FFFD, control characters (C0, DEL) become spaces, then the result is cut at a
// character boundary to at most `max_bytes` bytes. Exposed for tests and the CLI.
std::string sanitise_line(std::string_view bytes, size_t max_bytes);

}  // namespace postamt::mdn
