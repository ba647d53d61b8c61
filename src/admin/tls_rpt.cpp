#include "admin/tls_rpt.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "queue/mta_sts.h"
#include "queue/tls_report.h"

namespace postamt::admin {

Result<TlsRptReport> tls_rpt_report(const Config& config, const TlsRptReportRequest& request) {
  auto domain = queue::mta_sts::normalize_domain(request.domain);
  if (!domain) return domain.error();
  // Checked before the day names a file.
  if (!queue::is_day(request.day))
    return Error{ErrorKind::invalid,
                 fmt::format("\"{}\" is not a day like 2026-12-07", request.day)};
  const std::filesystem::path path = config.data_dir / "tls-rpt" / (request.day + ".jsonl");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec)
    return Error{ErrorKind::not_found,
                 fmt::format("no TLS-RPT data for {} ({})", request.day, path.string())};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorKind::io, fmt::format("{}: cannot read", path.string())};
  std::ostringstream text;
  text << in.rdbuf();

  queue::TlsReportMeta meta;
  meta.organization = request.organization.empty() ? config.hostname : request.organization;
  meta.contact = request.contact.empty() ? "postmaster@" + config.hostname : request.contact;
  meta.report_id = fmt::format("{}.{}@{}", request.day, *domain, config.hostname);
  meta.day = request.day;
  auto report = queue::tls_aggregate_report(meta, *domain, text.str());
  if (!report) return report.error();
  return TlsRptReport{std::move(report->json), report->skipped_lines};
}

}  // namespace postamt::admin
