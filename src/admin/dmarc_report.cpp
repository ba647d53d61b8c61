#include "admin/dmarc_report.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "base/strings.h"
#include "mailauth/dmarc/aggregate.h"

namespace postamt::admin {

Result<std::string> dmarc_report(const Config& config, const DmarcReportRequest& request,
                                 std::vector<std::string>& warnings) {
  auto begin = dmarc::parse_utc_date(request.date);
  if (!begin) return begin.error();
  std::string domain = ascii_lower(request.domain);
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (domain.empty() || domain.find_first_of(" \t/") != std::string::npos)
    return Error{ErrorKind::invalid, fmt::format("\"{}\" is not a domain", request.domain)};

  const std::filesystem::path file = config.data_dir / "dmarc" / (request.date + ".jsonl");
  std::error_code ec;
  if (!std::filesystem::exists(file, ec) && !ec)
    return Error{ErrorKind::not_found, fmt::format("no DMARC data for {}: {} does not exist",
                                                   request.date, file.string())};
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return Error{ErrorKind::io,
                 fmt::format("{}: cannot read: {}", file.string(), std::strerror(errno))};
  std::vector<dmarc::ReportEntry> entries;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    auto entry = dmarc::parse_json_line(line);
    if (!entry) {
      warnings.push_back(fmt::format("line {} of {} is not a report line: {}", number,
                                     file.string(), entry.error().message));
      continue;
    }
    entries.push_back(std::move(*entry));
  }
  if (in.bad()) return Error{ErrorKind::io, fmt::format("{}: read error", file.string())};

  dmarc::ReportMeta meta;
  meta.org_name = request.org_name.empty() ? config.hostname : request.org_name;
  meta.email = request.email.empty() ? "postmaster@" + config.hostname : request.email;
  meta.begin = *begin;
  meta.end = *begin + 86399;  // the day's last second: date_range is inclusive
  // Unique per reporter, domain and day, in the spirit of §7.2.1.1's file names.
  meta.report_id = fmt::format("{}!{}!{}!{}", config.hostname, domain, meta.begin, meta.end);
  auto xml = dmarc::aggregate_xml(meta, domain, entries);
  if (!xml && xml.error().kind == ErrorKind::not_found)
    return Error{ErrorKind::not_found,
                 fmt::format("no DMARC data for {} on {}", domain, request.date)};
  return xml;
}

}  // namespace postamt::admin
