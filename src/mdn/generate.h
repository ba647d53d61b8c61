// Generating the server's own read receipt (RFC 8098 §3) for a message whose request
// allows an automatic receipt (request.h). Pure apart from the injected random source;
// thread-safe if that is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

enum class ActionMode { manual, automatic };   // "manual-action" / "automatic-action"
enum class SendingMode { manual, automatic };  // "MDN-sent-manually" / "MDN-sent-automatically"

// RFC 8098 §3.2.6 disposition-field.
struct Disposition {
  ActionMode action_mode = ActionMode::manual;
  SendingMode sending_mode = SendingMode::manual;
  DispositionType type = DispositionType::displayed;
  std::vector<std::string> modifiers;  // lowercased atoms, e.g. "error"
};

// "manual-action/MDN-sent-manually; displayed" (modifiers left out: RFC 8098 §3.2.6.3
// reserves them for failures, which a receipt a user chose to send never reports).
std::string format_disposition(const Disposition& disposition);

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

// A receipt a USER chose to send (JMAP MDN/send, RFC 9007 §2.1; webmail next), built by
// the server from what the client chose. Each optional left unset takes the value the
// server's own receipt would have.
enum class IncludeOriginal { no, yes };

struct ComposeOptions {
  std::string reporting_host;               // our host name: default Reporting-UA, the Message-ID
  std::string recipient_address;            // the account address: From
  std::string final_recipient;              // Final-Recipient addr-spec; "" = recipient_address
  std::optional<std::string> subject;       // UTF-8; unset: "Read receipt (<type>): ..."
  std::optional<std::string> text_body;     // UTF-8; unset: the server's explanation
  std::optional<std::string> reporting_ua;  // unset: "<reporting_host>; Postamt"
  Disposition disposition;                  // modifiers are not written
  std::vector<mime::ReportField> extension_fields;  // RFC 8098 §3.3, written last
  IncludeOriginal include_original = IncludeOriginal::no;
  int64_t now_utc_seconds = 0;
};

// The receipt and the values the server chose for it, as RFC 9007 §2.1 reports them.
struct ComposedMdn {
  GeneratedMdn mdn;
  std::string subject;              // as given or defaulted, before RFC 2047 encoding
  std::string text_body;            // as given or defaulted
  std::string reporting_ua;         // the Reporting-UA value
  std::string final_recipient;      // "rfc822; addr-spec"
  std::string original_recipient;   // "rfc822; addr-spec" or "" when not written
  std::string original_message_id;  // "<l@r>" or "" when the original had none
};

// Builds the multipart/report as generate_mdn() does, with the client's disposition
// modes, Subject, text, Reporting-UA, Final-Recipient and extension fields, and the
// original as a message/rfc822 third part when asked (RFC 8098 §3). Auto-Submitted:
// auto-replied only for MDN-sent-automatically (RFC 3834 §5: a receipt the user chose to
// send is not an automatic response). The Subject is sanitised like generate_mdn()'s.
//
// Errors (invalid), with words a client can be shown: the request does not allow a
// receipt (the caller checks the RFC 8098 §2.1 rules first and answers them itself),
// reporting_host or recipient_address or final_recipient invalid, a Reporting-UA or
// extension field value with control characters or over 998 bytes, an extension field
// name that is not a field name or names one of RFC 8098 §3.2's own fields.
Result<ComposedMdn> compose_mdn(const Request& request, std::string_view original,
                                const ComposeOptions& options, const mime::RandomSource& random);

// Makes arbitrary bytes safe, printable UTF-8 on one line: invalid UTF-8 sequences become
// U+FFFD, control characters (C0, DEL) become spaces, then the result is cut at a
// character boundary to at most `max_bytes` bytes. Exposed for tests and the CLI.
std::string sanitise_line(std::string_view bytes, size_t max_bytes);

}  // namespace postamt::mdn
