// DMARC aggregate-report data (RFC 7489 §7.2): one JSON line per evaluated message in
// <data_dir>/dmarc/YYYY-MM-DD.jsonl (UTC days), and the Appendix C XML report built from
// a day's lines (`postamt dmarc report`). Sending the reports to the rua addresses is a
// later step (docs/mail-authentication/dmarc.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dmarc/dmarc.h"

namespace postamt::dmarc {

// One DKIM signature's result (Appendix C DKIMAuthResultType): d=, s=, and the RFC 8601
// result word (none, pass, fail, policy, neutral, temperror, permerror).
struct DkimResult {
  std::string domain;
  std::string selector;  // may be empty
  std::string result;
  bool operator==(const DkimResult&) const = default;
};

// The SPF check (Appendix C SPFAuthResultType): the domain checked, scope "mfrom" or
// "helo", and the RFC 7208 result word (none, neutral, pass, fail, softfail, temperror,
// permerror).
struct SpfResult {
  std::string domain;
  std::string scope = "mfrom";
  std::string result = "none";
  bool operator==(const SpfResult&) const = default;
};

// One evaluated message, as stored in the log. Only messages for which a DMARC record was
// found (Verdict::record) belong here: reports go to the domain that published it.
struct ReportEntry {
  int64_t time = 0;              // seconds since the epoch, UTC; decides the file (day)
  std::string source_ip;         // the connecting client's address
  std::string header_from;       // RFC5322.From domain
  std::string envelope_from;     // RFC5321.MailFrom domain ("" for the null path)
  std::string policy_domain;     // where the record was found
  Record published;              // p, sp, adkim, aspf, pct, fo as found
  Policy policy = Policy::none;  // the one that applied (p or sp)
  Outcome result = Outcome::none;
  Policy disposition = Policy::none;
  bool dkim_aligned = false;  // policy_evaluated dkim pass/fail
  bool spf_aligned = false;   // policy_evaluated spf pass/fail
  std::vector<DkimResult> dkim;
  SpfResult spf;
  bool operator==(const ReportEntry&) const = default;
};

// An entry from an evaluation: the verdict's policy, alignment and disposition, the
// input's domains, a "pass" DKIM result per passing domain (selectors unknown) and the
// SPF result "pass"/"fail" for spf_domain. The caller replaces `dkim` and `spf` with the
// full results when it has them (failing signatures, softfail, ...).
ReportEntry report_entry(const Input& in, const Verdict& verdict, std::string source_ip,
                         int64_t time);

// The entry as one JSON object on one line (no line end), and back. Errors (invalid):
// not JSON, or a field missing or of the wrong type or value.
std::string to_json_line(const ReportEntry& entry);
Result<ReportEntry> parse_json_line(std::string_view line);

// "YYYY-MM-DD" of a time (UTC), and back to the time of its midnight. Errors (invalid):
// not a valid date of that form.
std::string utc_date(int64_t time);
Result<int64_t> parse_utc_date(std::string_view date);

// Appends entries to <dir>/YYYY-MM-DD.jsonl (the entry's UTC day). Each entry is one
// write() of one line on a file opened O_APPEND (created 0640, the folder 0750 when
// missing), so lines from several threads never interleave and reach the page cache
// before append() returns; there is no fsync: the data is for statistics, and a line lost
// in a power failure changes a count, not a delivery. When an entry starts a day not
// written before by this object, files of days older than `report_days` days before it
// (by their names) are removed. Thread-safe.
class AggregateLog {
 public:
  static constexpr uint32_t kDefaultReportDays = 31;

  AggregateLog(std::filesystem::path dir, uint32_t report_days);

  // Errors: io (with the path) when the folder or file cannot be made or written.
  Result<void> append(const ReportEntry& entry);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  void remove_old_files(int64_t day_start);

  std::filesystem::path dir_;
  uint32_t report_days_;
  std::mutex mutex_;
  std::string last_date_;
};

// Report metadata (Appendix C ReportMetadataType).
struct ReportMeta {
  std::string org_name;  // the reporting organization
  std::string email;     // its contact address
  std::string report_id;
  int64_t begin = 0;  // date_range, seconds since the epoch
  int64_t end = 0;
};

// The aggregate report (RFC 7489 §7.2, Appendix C) for `domain` over `entries`: entries
// whose policy_domain is `domain` (without case) count; policy_published is the last of
// them (the record as most recently seen); one <record> per distinct source_ip and
// results (everything but the time), in order of first appearance, with its count. A
// failing message whose disposition is weaker than its policy gets the override reason
// "sampled_out". Errors: not_found when no entry is for `domain`. Pure.
Result<std::string> aggregate_xml(const ReportMeta& meta, std::string_view domain,
                                  std::span<const ReportEntry> entries);

}  // namespace postamt::dmarc
