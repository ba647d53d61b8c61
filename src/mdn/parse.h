// Parsing a read receipt that a mail client SUBMITS (RFC 8098 §3): what submission needs
// to find the original message (Original-Message-ID), the recipient it speaks for, and
// the disposition, so that the receipt policy can drop, reject or record it.
// Pure functions, thread-safe. Any input is safe: errors, never crashes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "mdn/generate.h"

namespace postamt::mdn {

struct SubmittedMdn {
  std::string original_message_id;  // normalised "<l@r>", "" when the field is absent
  std::string final_recipient;      // addr-spec of Final-Recipient (rfc822 only)
  std::string original_recipient;   // "rfc822; addr-spec", "" when absent or unusable
  Disposition disposition;
  // From the receipt's own top-level header (RFC 5322 §3.6.4), what a client that left
  // out Original-Message-ID may still say about the original, normalised "<l@r>":
  //   in_reply_to      the msg-id of a single In-Reply-To field that holds exactly one
  //                    (several parents cannot name the one message an MDN is about)
  //   references_last  the last msg-id of a single References field (the parent's own
  //                    Message-ID comes last)
  // "" when the field is absent, repeated, or not a valid 1*msg-id list.
  std::string in_reply_to;
  std::string references_last;
};

// True when the top-level Content-Type is multipart/report with
// report-type=disposition-notification: the message claims to be a receipt and must then
// parse with parse_submitted_mdn() to be accepted as one.
bool is_mdn(std::string_view message);

// Parses a complete message. Requires multipart/report; report-type=
// disposition-notification whose children include a message/disposition-notification
// part (the first such part is used; base64/quoted-printable bodies are decoded).
// Errors (invalid), with the message saying which rule failed: not a receipt, no
// message/disposition-notification part, a required field (Final-Recipient,
// Disposition) missing or repeated, Final-Recipient not "rfc822; addr-spec",
// Original-Message-ID present but not one msg-id or repeated, a Disposition outside the
// RFC 8098 §3.2.6 grammar. An unusable Original-Recipient is ignored (it is optional).
// Unknown extension fields are ignored (RFC 8098 §3.3). In-Reply-To and References never
// make a receipt invalid: unusable ones are left "".
Result<SubmittedMdn> parse_submitted_mdn(std::string_view message);

// Everything a receipt says, for showing it to its reader (JMAP MDN/parse, RFC 9007 §2.2).
// Every text is valid UTF-8 on one line (sanitise_line) except text_body, which keeps
// its line breaks (LF) with invalid UTF-8 replaced.
struct MdnReport {
  std::optional<std::string> subject;    // the receipt's Subject, RFC 2047-decoded
  std::optional<std::string> text_body;  // the first text/plain part, decoded to UTF-8
  std::optional<std::string> reporting_ua;
  std::optional<std::string> mdn_gateway;          // "dns; gw.example" as written
  std::optional<std::string> original_recipient;   // as written ("rfc822; a@b")
  std::string final_recipient;                     // as written, required
  std::optional<std::string> original_message_id;  // normalised "<l@r>"
  Disposition disposition;
  std::vector<std::string> errors;  // each Error field (RFC 8098 §3.2.7)
  // Fields of the report part that RFC 8098 §3.2 does not define (§3.3), in order.
  std::vector<std::pair<std::string, std::string>> extension_fields;
  bool includes_original = false;  // a third part with the original or its header
};

// Parses a complete receipt for display. Errors (invalid) as parse_submitted_mdn() for
// the report's shape and its required fields (Final-Recipient may be of any type here);
// never for the optional fields, which are left unset when absent or unusable.
Result<MdnReport> parse_mdn_report(std::string_view message);

// Parses a Disposition field value (unfolded; comments allowed, RFC 8098 §3.1.1).
Result<Disposition> parse_disposition(std::string_view value);

}  // namespace postamt::mdn
