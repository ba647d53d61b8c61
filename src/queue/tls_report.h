// TLS-RPT data (RFC 8460): the outbound worker records the outcome of every TLS session
// it tries (or every policy it could not apply) as one JSON line in
// data_dir/tls-rpt/YYYY-MM-DD.jsonl (UTC day), and `postamt tls-rpt report DOMAIN --date
// DAY` turns one day's lines for one policy domain into the RFC 8460 §4 aggregate
// report. Sending the reports (RFC 8460 §3, the "_smtp._tls" TXT record's rua) is not
// done yet. docs/mail-authentication/mta-sts.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "queue/clock.h"

namespace postamt::queue {

// One attempted session (or a policy failure before any session).
struct TlsReportEntry {
  std::string domain;       // the policy domain (RFC 8460 §4.4 "policy-domain"), A-labels
  std::string policy_type;  // "sts" | "tlsa" | "no-policy-found" (§4.4 "policy-type")
  std::string mx_host;      // the MX host tried ("receiving-mx-hostname")
  std::string address;      // the address connected to ("receiving-ip")
  bool success = false;     // a policy-compliant TLS session was negotiated
  // §4.3 result-type, "" on success: starttls-not-supported, certificate-host-mismatch,
  // certificate-expired, certificate-not-trusted, validation-failure, tlsa-invalid,
  // dnssec-invalid, dane-required, sts-policy-fetch-error, sts-policy-invalid,
  // sts-webpki-invalid.
  std::string failure;
  std::string detail;  // "failure-reason-code": an error code or text, "" when none
  // Added for the report (RFC 8460 §4.4, §4.5), all optional:
  std::vector<std::string> policy_string;  // the policy's lines, or the TLSA records
  std::vector<std::string> mx_patterns;    // the STS policy's "mx" patterns ("mx-host")
  std::string sending_address;             // our source address ("sending-mta-ip")
  std::string receiving_helo;              // the peer's EHLO name ("receiving-mx-helo")
  bool operator==(const TlsReportEntry&) const = default;
};

// Whether `result_type` is one of RFC 8460 §4.3's result types.
bool is_result_type(std::string_view result_type);

// One JSON line (with its "\n") for `entry` recorded at `at`. Pure.
std::string encode_tls_report_line(const TlsReportEntry& entry, TimePoint at);
// The entry of a line encode_tls_report_line wrote. Errors: invalid. Pure.
Result<TlsReportEntry> decode_tls_report_line(std::string_view line);

// "YYYY-MM-DD" of `at` in UTC.
std::string utc_day(TimePoint at);
// Whether `day` is written "YYYY-MM-DD" (month 01-12, day 01-31).
bool is_day(std::string_view day);

class TlsReportLog {
 public:
  // `dir` = data_dir/tls-rpt, created 0750 on the first record.
  explicit TlsReportLog(std::filesystem::path dir, Clock clock = system_clock_now);

  // Appends one line to <dir>/<UTC day of clock()>.jsonl with one write(2). A failure
  // is logged (service "tls-rpt"), never thrown: reporting data must not stop delivery.
  // Blocking (file I/O): call on the blocking pool. Thread-safe.
  void record(const TlsReportEntry& entry);

 private:
  std::filesystem::path dir_;
  Clock clock_;
  std::mutex mutex_;
};

struct TlsReportMeta {
  std::string organization;  // "organization-name"
  std::string contact;       // "contact-info", an addr-spec
  std::string report_id;     // "report-id"
  std::string day;           // "YYYY-MM-DD": the UTC day covered
};

struct TlsAggregateReport {
  std::string json;          // the report (compact I-JSON, RFC 7493) and a final "\n"
  size_t sessions = 0;       // lines counted for the domain
  size_t skipped_lines = 0;  // lines that did not decode (e.g. cut short by a crash)
};

// The RFC 8460 §4.4 aggregate report of the lines of one day (`jsonl`) whose domain is
// `policy_domain` (case ignored). One "policies" element per distinct (policy-type,
// policy-string, mx-host) in order of first appearance, with the success and failure
// counts and one "failure-details" element per distinct (result-type, sending-mta-ip,
// receiving-mx-hostname, receiving-mx-helo, receiving-ip, failure-reason-code) with
// its count; empty strings and lists are left out. Errors: invalid for a day that is
// not YYYY-MM-DD; not_found "no TLS sessions to <domain> recorded on <day>" when no line
// is for the domain. Pure.
Result<TlsAggregateReport> tls_aggregate_report(const TlsReportMeta& meta,
                                                std::string_view policy_domain,
                                                std::string_view jsonl);

}  // namespace postamt::queue
