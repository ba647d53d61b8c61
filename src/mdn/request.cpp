#include "mdn/request.h"

#include <vector>

#include "base/strings.h"
#include "mime/content_type.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/message_id.h"

namespace postamt::mdn {
namespace {

// The first token of a field value, lowercased, without comments and parameters: enough
// for Auto-Submitted (RFC 3834 §5 allows parameters) and Precedence.
std::string first_token(std::string_view value) {
  std::string out;
  int comment_depth = 0;
  for (char c : value) {
    if (c == '(') {
      ++comment_depth;
    } else if (c == ')' && comment_depth > 0) {
      --comment_depth;
    } else if (comment_depth == 0) {
      if (c == ';') break;
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        if (!out.empty()) break;
        continue;
      }
      out.push_back(c);
    }
  }
  return ascii_lower(out);
}

bool is_report(const mime::HeaderView& header) {
  auto value = header.value("Content-Type");
  if (!value) return false;
  auto type = mime::parse_content_type(*value);
  if (!type) return false;
  if (type->type == "message" &&
      (type->subtype == "disposition-notification" || type->subtype == "delivery-status")) {
    return true;
  }
  if (type->type != "multipart" || type->subtype != "report") return false;
  const std::string* report_type = type->param("report-type");
  return report_type != nullptr && (iequals(*report_type, "disposition-notification") ||
                                    iequals(*report_type, "delivery-status"));
}

bool is_list_mail(const mime::HeaderView& header) {
  if (header.find_first("List-Id") != nullptr) return true;
  for (const mime::HeaderField* field : header.find_all("Precedence")) {
    const std::string token = first_token(field->raw_value(header.buffer()));
    if (token == "bulk" || token == "list" || token == "junk") return true;
  }
  return false;
}

bool is_auto_submitted(const mime::HeaderView& header) {
  for (const mime::HeaderField* field : header.find_all("Auto-Submitted")) {
    if (first_token(field->raw_value(header.buffer())) != "no") return true;
  }
  return false;
}

// A mailbox from a lenient parse, accepted only if its addr-spec passes the strict
// parser; returns it without display name or route.
std::optional<mime::Mailbox> strict_copy(const mime::Mailbox& m) {
  if (m.local_part.empty() || m.domain.empty()) return std::nullopt;
  auto strict = mime::parse_addr_spec_strict(m.addr_spec());
  if (!strict) return std::nullopt;
  mime::Mailbox out;
  out.local_part = strict->local_part;
  out.domain = strict->domain;
  return out;
}

struct DntResult {
  RequestReason reason = RequestReason::allowed;
  std::optional<mime::Mailbox> requester;
};

DntResult parse_dnt(const mime::HeaderView& header) {
  // RFC 8098 §2.1: the field appears at most once.
  if (header.count("Disposition-Notification-To") != 1) {
    return {RequestReason::malformed_request, std::nullopt};
  }
  const std::string value = *header.value("Disposition-Notification-To");
  std::vector<mime::Mailbox> distinct;
  for (const mime::Address& address : mime::parse_address_list(value)) {
    const auto* mailbox = std::get_if<mime::Mailbox>(&address);
    if (mailbox == nullptr) return {RequestReason::malformed_request, std::nullopt};
    auto copy = strict_copy(*mailbox);
    if (!copy) return {RequestReason::malformed_request, std::nullopt};
    bool seen = false;
    for (const mime::Mailbox& d : distinct) seen = seen || same_addr_spec(d, *copy);
    if (!seen) distinct.push_back(std::move(*copy));
  }
  if (distinct.empty()) return {RequestReason::malformed_request, std::nullopt};
  if (distinct.size() > 1) return {RequestReason::several_addresses, std::nullopt};
  return {RequestReason::allowed, std::move(distinct.front())};
}

// RFC 5321 §4.4 Return-Path: "<>" (null) or an angle-addr.
RequestReason check_return_path(const mime::HeaderView& header, const mime::Mailbox& requester) {
  const size_t count = header.count("Return-Path");
  if (count == 0) return RequestReason::no_return_path;
  // RFC 8098 §2.1 lets us treat several Return-Path fields as a failed comparison.
  if (count > 1) return RequestReason::ambiguous_return_path;
  const std::string value = *header.value("Return-Path");
  std::string compact;
  for (char c : value) {
    if (c != ' ' && c != '\t') compact.push_back(c);
  }
  if (compact == "<>") return RequestReason::null_return_path;
  auto mailbox = mime::parse_mailbox_strict(value);
  if (!mailbox) return RequestReason::ambiguous_return_path;
  return same_addr_spec(*mailbox, requester) ? RequestReason::allowed
                                             : RequestReason::return_path_mismatch;
}

}  // namespace

std::string_view to_string(RequestReason reason) {
  switch (reason) {
    case RequestReason::allowed:
      return "allowed";
    case RequestReason::no_request:
      return "no-request";
    case RequestReason::is_report:
      return "is-report";
    case RequestReason::auto_submitted:
      return "auto-submitted";
    case RequestReason::list_mail:
      return "list-mail";
    case RequestReason::malformed_request:
      return "malformed-request";
    case RequestReason::several_addresses:
      return "several-addresses";
    case RequestReason::no_return_path:
      return "no-return-path";
    case RequestReason::null_return_path:
      return "null-return-path";
    case RequestReason::ambiguous_return_path:
      return "ambiguous-return-path";
    case RequestReason::return_path_mismatch:
      return "return-path-mismatch";
  }
  return "unknown";
}

bool same_addr_spec(const mime::Mailbox& a, const mime::Mailbox& b) {
  return a.local_part == b.local_part && iequals(a.domain, b.domain);
}

std::string normalise_original_recipient(std::string_view value) {
  const size_t semi = value.find(';');
  if (semi == std::string_view::npos) return {};
  if (!iequals(trim(value.substr(0, semi)), "rfc822")) return {};
  auto mailbox = mime::parse_addr_spec_strict(trim(value.substr(semi + 1)));
  if (!mailbox) return {};
  return "rfc822; " + mailbox->addr_spec();
}

Request detect_request(std::string_view message) {
  const std::vector<mime::HeaderField> fields = mime::scan_header_block(message);
  const mime::HeaderView header(message, fields);

  Request request;
  request.message_id = mime::message_id_of(header);
  if (const mime::HeaderField* subject = header.find_first("Subject")) {
    request.subject = mime::decode_unstructured(subject->raw_value(message));
  }
  // RFC 8098 §3.2.3: with several Original-Recipient fields, act as if there were none.
  if (header.count("Original-Recipient") == 1) {
    request.original_recipient = normalise_original_recipient(*header.value("Original-Recipient"));
  }

  if (header.find_first("Disposition-Notification-To") == nullptr) {
    request.reason = RequestReason::no_request;
    return request;
  }
  DntResult dnt = parse_dnt(header);
  request.requester = dnt.requester;
  if (is_report(header)) {
    request.reason = RequestReason::is_report;
  } else if (is_auto_submitted(header)) {
    request.reason = RequestReason::auto_submitted;
  } else if (is_list_mail(header)) {
    request.reason = RequestReason::list_mail;
  } else if (dnt.reason != RequestReason::allowed) {
    request.reason = dnt.reason;
  } else {
    request.reason = check_return_path(header, *dnt.requester);
  }
  return request;
}

}  // namespace postamt::mdn
