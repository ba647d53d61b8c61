#include "store/api/receipts.h"

#include "store/api/receipt_rules.h"

namespace postamt::store {

std::string_view to_string(ReceiptPath path) {
  switch (path) {
    case ReceiptPath::server_on_download:
      return "server_on_download";
    case ReceiptPath::client_submission:
      return "client_submission";
    case ReceiptPath::jmap:
      return "jmap";
    case ReceiptPath::webmail:
      return "webmail";
  }
  return "server_on_download";
}

std::optional<ReceiptPath> parse_receipt_path(std::string_view word) {
  for (ReceiptPath p : {ReceiptPath::server_on_download, ReceiptPath::client_submission,
                        ReceiptPath::jmap, ReceiptPath::webmail}) {
    if (word == to_string(p)) return p;
  }
  return std::nullopt;
}

std::string_view to_string(ReceiptMatch match) {
  switch (match) {
    case ReceiptMatch::message:
      return "message";
    case ReceiptMatch::original_message_id:
      return "original-message-id";
    case ReceiptMatch::in_reply_to:
      return "in-reply-to";
    case ReceiptMatch::references:
      return "references";
    case ReceiptMatch::unmatched:
      return "unmatched";
  }
  return "message";
}

std::optional<ReceiptMatch> parse_receipt_match(std::string_view word) {
  for (ReceiptMatch m :
       {ReceiptMatch::message, ReceiptMatch::original_message_id, ReceiptMatch::in_reply_to,
        ReceiptMatch::references, ReceiptMatch::unmatched}) {
    if (word == to_string(m)) return m;
  }
  return std::nullopt;
}

std::string_view to_string(PolicyScope scope) {
  return scope == PolicyScope::domain ? "domain" : "user";
}

Result<void> check_policy_word(std::string_view what, std::string_view word) {
  bool ok = !word.empty() && word.size() <= kMaxPolicyWord;
  for (char c : word) ok = ok && c > 32 && c < 127;
  if (!ok) return Error{ErrorKind::invalid, "policy " + std::string(what) + " is not valid"};
  return {};
}

Result<void> check_sent_receipt(const NewSentReceipt& r) {
  if (r.matched_by == ReceiptMatch::unmatched) {
    if (!r.message_id.empty() || r.message) {
      return Error{ErrorKind::invalid, "an unmatched receipt record names no original"};
    }
  } else if (r.message_id.empty() && !r.message) {
    return Error{ErrorKind::invalid, "a receipt record needs a Message-ID or a message"};
  }
  if (r.requester.empty()) return Error{ErrorKind::invalid, "a receipt record needs a requester"};
  if (r.disposition.empty()) {
    return Error{ErrorKind::invalid, "a receipt record needs a disposition"};
  }
  return {};
}

Result<void> check_received_receipt(const NewReceivedReceipt& r) {
  if (r.message_id.empty() || r.final_recipient.empty() || r.disposition.empty()) {
    return Error{ErrorKind::invalid,
                 "a received receipt needs a Message-ID, a final recipient and a disposition"};
  }
  return {};
}

Result<void> check_refused_receipt(const NewRefusedReceipt& r) {
  if (r.reason.empty()) return Error{ErrorKind::invalid, "a refused receipt needs a reason"};
  return {};
}

std::string original_key(std::string_view message_id, MessageLocation location) {
  if (!message_id.empty()) return std::string(message_id);
  return "#" + std::to_string(location.mailbox.value()) + "/" + std::to_string(location.uid);
}

Error policy_override_missing(PolicyScope scope, std::string_view subject, std::string_view key) {
  return Error{ErrorKind::not_found, "no " + std::string(key) + " override for " +
                                         std::string(to_string(scope)) + " " +
                                         std::string(subject)};
}

}  // namespace postamt::store
