// multipart/report builder (RFC 6522) for read receipts (RFC 8098) and bounces
// (RFC 3464). Produces the Content-Type value and the body with CRLF line ends; the
// caller adds From/To/Subject/Date/Message-ID and MIME-Version. Pure apart from the
// injected random source; thread-safe if that is.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"

namespace postamt::mime {

struct ReportField {
  std::string name;   // e.g. "Final-Recipient"
  std::string value;  // e.g. "rfc822; bob@example.test"
};

enum class ReportOriginal {
  none,
  headers,       // third part text/rfc822-headers (RFC 6522 §4)
  full_message,  // third part message/rfc822
};

struct ReportSpec {
  std::string report_type;   // "disposition-notification", "delivery-status"
  std::string human_text;    // UTF-8; any line ends
  std::string machine_type;  // "message/disposition-notification", ...
  // Field groups of the machine-readable part, separated by blank lines (RFC 3464 §2:
  // per-message fields, then one group per recipient). An MDN has one group.
  std::vector<std::vector<ReportField>> machine_groups;
  ReportOriginal original = ReportOriginal::none;
  std::string original_content;  // the headers or the whole message; any line ends
};

struct BuiltReport {
  std::string content_type;  // value for the Content-Type field, one line
  std::string body;          // CRLF line ends
};

// Returns a random 32-bit value; tests inject a fixed sequence.
using RandomSource = std::function<uint32_t()>;

// Builds the report. The boundary is random and never occurs in any part's content. The
// human part is text/plain; charset=utf-8, 7bit when ASCII with short lines, else base64.
// Errors (invalid): report_type or machine_type not a token/type, a field name that is
// not RFC 5322 ftext, or any CR, LF or other control character in a field value (header
// injection).
Result<BuiltReport> build_report(const ReportSpec& spec, const RandomSource& random);

}  // namespace postamt::mime
