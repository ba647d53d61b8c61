// `postamt dmarc report DOMAIN --date YYYY-MM-DD [--org-name N] [--email E]`: the RFC 7489
// aggregate report (Appendix C XML) for one policy domain and one UTC day, built from the
// lines the MX recorded in data_dir/dmarc/YYYY-MM-DD.jsonl (mailauth/dmarc/aggregate.h,
// docs/mail-authentication/dmarc.md). It prints the report; sending it to the domain's
// rua addresses is not done yet.
#pragma once

#include <string>
#include <vector>

#include "base/config.h"
#include "base/result.h"

namespace postamt::admin {

struct DmarcReportRequest {
  std::string domain;    // the policy domain; case and a final dot ignored
  std::string date;      // YYYY-MM-DD (UTC)
  std::string org_name;  // "" = the configured hostname
  std::string email;     // "" = postmaster@<hostname>
};

// The XML. Lines of the day's file that do not parse (a line cut short by a crash) are
// skipped, and each adds "line N of FILE is not a report line: REASON" to `warnings`.
// Errors (one line): invalid for a bad date or domain; not_found when the day has no
// file ("no DMARC data for DATE: FILE does not exist") or no line for the domain ("no
// DMARC data for DOMAIN on DATE"); io when the file cannot be read. Blocking.
Result<std::string> dmarc_report(const Config& config, const DmarcReportRequest& request,
                                 std::vector<std::string>& warnings);

}  // namespace postamt::admin
