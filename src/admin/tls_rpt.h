// `postamt tls-rpt report DOMAIN --date YYYY-MM-DD [--organization O] [--contact C]`: the
// RFC 8460 §4 aggregate TLS report of one UTC day for one policy domain, built from the
// lines the outbound worker recorded in data_dir/tls-rpt/DAY.jsonl (queue/tls_report.h).
// Sending it to the domain's "rua" is a later step (docs/mail-authentication/mta-sts.md).
//
// Contract, as in admin.h: the text for standard output or an Error whose message is one
// plain line for standard error. Blocking (reads a file).
#pragma once

#include <string>

#include "base/config.h"
#include "base/result.h"

namespace postamt::admin {

struct TlsRptReportRequest {
  std::string domain;        // the policy domain, ASCII (A-labels); case and final dot ignored
  std::string day;           // "YYYY-MM-DD", a UTC day
  std::string organization;  // "" = the configuration's hostname
  std::string contact;       // "" = postmaster@<hostname>
};

struct TlsRptReport {
  std::string json;          // the report and a final "\n"
  size_t skipped_lines = 0;  // lines of the day's file that did not decode
};

// The report; its "report-id" is "<day>.<domain>@<hostname>". Errors: invalid for a
// domain that is not an ASCII host name or a day not written YYYY-MM-DD; not_found
// "no TLS-RPT data for DAY (PATH)" when the day has no file, and "no TLS sessions to
// DOMAIN recorded on DAY" when none of its lines is for the domain; io when the file
// cannot be read.
Result<TlsRptReport> tls_rpt_report(const Config& config, const TlsRptReportRequest& request);

}  // namespace postamt::admin
