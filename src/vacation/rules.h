// The rules of an automatic vacation reply that depend only on the incoming message
// (RFC 5230 §4.5, §4.6, §5; RFC 3834 §2, §3), and the reply's bytes. Which account, its
// settings, its addresses and whom it answered already are the responder's
// (responder.h).
//
// Threads: pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mime/header.h"
#include "vacation/settings.h"

namespace postamt::vacation {

enum class Screen {
  answer,           // nothing in the message forbids an automatic reply
  null_sender,      // RFC 3834 §2: never to the null reverse path
  daemon_sender,    // RFC 5230 §4.6: MAILER-DAEMON, LISTSERV, majordomo, owner-*, *-request
  auto_submitted,   // RFC 5230 §4.6 / RFC 3834 §5: Auto-Submitted other than "no"
  mailing_list,     // RFC 5230 §4.6: List-Id (RFC 2919) or a List-* field of RFC 2369
  bulk_precedence,  // RFC 3834 §3.1.8 (informally): Precedence bulk, list or junk
};
std::string_view to_string(Screen screen);

// `envelope_sender` is the reverse path without brackets ("" = null).
Screen screen_message(std::string_view envelope_sender, const mime::HeaderView& header);

// RFC 5230 §4.5: the addr-specs of every To, Cc, Bcc, Resent-To, Resent-Cc and Resent-Bcc
// field (group members included), in order, duplicates kept.
std::vector<std::string> addressed_to(const mime::HeaderView& header);

struct ReplySpec {
  std::string from;        // the account's address (RFC 5230 §5.4)
  std::string to;          // the original's envelope sender (§4.2, §5.5)
  int64_t now = 0;         // seconds since 1970, for Date (§5.2)
  std::string message_id;  // "<token@hostname>" of the reply
  Settings settings;       // subject, textBody, htmlBody
};

// The reply to the message whose header is `original`: From, To, Subject ("Auto: " + the
// original's subject unless settings.subject is set, §5.3; "Automated reply" when the
// original has none), Date, Message-ID, In-Reply-To and References (§5.8, RFC 5322
// §3.6.4) when the original has a Message-ID, Auto-Submitted: auto-replied (§5.6), and a
// text/plain body from textBody, or multipart/alternative with htmlBody when that is set
// (UTF-8, base64 unless 7bit-clean). CRLF line ends; nothing from the original is copied
// into a header without being normalised (message ids) or RFC 2047 encoded (subject).
std::string build_reply(const ReplySpec& spec, const mime::HeaderView& original);

// The text body used when the settings have neither textBody nor htmlBody.
inline constexpr std::string_view kDefaultReplyText =
    "This is an automatic reply: the recipient is away and will read your message later.";

}  // namespace postamt::vacation
