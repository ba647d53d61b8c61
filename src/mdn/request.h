// Detecting read-receipt requests (RFC 8098 §2.1): whether a delivered message asks for
// an MDN, and whether a receipt may be sent for it WITHOUT asking the user, which is
// the only case in which Postamt itself (or a client acting automatically) may send one.
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mime/address.h"

namespace postamt::mdn {

// Why a message does or does not get an automatic receipt. The first rule that applies,
// in this order, decides. Each value has a stable word for logs (to_string).
enum class RequestReason {
  allowed,                // "allowed": one valid DNT address equal to Return-Path
  no_request,             // "no-request": no Disposition-Notification-To field
  is_report,              // "is-report": the message is an MDN or a DSN (RFC 8098 §2.1)
  auto_submitted,         // "auto-submitted": Auto-Submitted other than "no" (RFC 3834 §5)
  list_mail,              // "list-mail": List-Id, or Precedence bulk/list/junk
  malformed_request,      // "malformed-request": DNT twice, empty, a group, or no valid address
  several_addresses,      // "several-addresses": more than one distinct DNT address
  no_return_path,         // "no-return-path": Return-Path missing
  null_return_path,       // "null-return-path": Return-Path <>
  ambiguous_return_path,  // "ambiguous-return-path": several Return-Path fields, or unparsable
  return_path_mismatch,   // "return-path-mismatch": DNT addr-spec differs from Return-Path
};

std::string_view to_string(RequestReason reason);

// What detect_request() found. `requester` is set (local part and domain only, no
// display name or route) whenever the DNT field named exactly one valid address, even
// when the reason is not `allowed` (a client may still ask its user). The other fields
// are filled whenever the message has a header, so that a receipt can be built:
//   message_id          normalised Message-ID "<l@r>" or "" (mime/message_id.h)
//   subject             the Subject decoded to UTF-8 (RFC 2047), "" when absent; may
//                       still hold any bytes, so generators must sanitise it
//   original_recipient  "rfc822; addr-spec" rebuilt from a single valid Original-Recipient
//                       field (RFC 8098 §3.2.3), "" when absent, repeated or not rfc822
struct Request {
  RequestReason reason = RequestReason::no_request;
  std::optional<mime::Mailbox> requester;
  std::string message_id;
  std::string subject;
  std::string original_recipient;

  bool automatic_receipt_allowed() const { return reason == RequestReason::allowed; }
};

// Examines the top-level header of a complete message (bytes as stored, with the
// Return-Path field delivery adds). Never fails; reads only the header block.
Request detect_request(std::string_view message);

// RFC 8098 §2.1 address comparison on the addr-spec only: local parts (already
// unquoted) byte-equal, domains equal ignoring ASCII case.
bool same_addr_spec(const mime::Mailbox& a, const mime::Mailbox& b);

// Parses "address-type; address" (an Original-Recipient field or an SMTP ORCPT already
// xtext-decoded) and returns "rfc822; local@domain" re-serialised from a strict
// addr-spec, or "" when the type is not rfc822 or the address is not valid.
std::string normalise_original_recipient(std::string_view value);

}  // namespace postamt::mdn
