#include "queue/tls_report.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <array>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <tuple>

#include "base/log.h"
#include "base/strings.h"
#include "base/unique_fd.h"

namespace postamt::queue {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 11> kResultTypes = {
    // RFC 8460 §4.3.1 negotiation failures
    "starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
    "certificate-not-trusted", "validation-failure",
    // §4.3.2.1 DANE
    "tlsa-invalid", "dnssec-invalid", "dane-required",
    // §4.3.2.2 MTA-STS
    "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid"};

json::array to_array(const std::vector<std::string>& strings) {
  json::array out;
  for (const std::string& s : strings) out.emplace_back(s);
  return out;
}

Result<std::string> get_string(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::string();
  if (!v->is_string()) return Error{ErrorKind::invalid, fmt::format("{} is not a string", key)};
  return std::string(v->as_string());
}

Result<std::vector<std::string>> get_strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (!v) return out;
  if (!v->is_array()) return Error{ErrorKind::invalid, fmt::format("{} is not a list", key)};
  for (const json::value& item : v->as_array()) {
    if (!item.is_string())
      return Error{ErrorKind::invalid, fmt::format("{} holds a non-string", key)};
    out.emplace_back(item.as_string());
  }
  return out;
}

}  // namespace

bool is_day(std::string_view day) {
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (day[i] < '0' || day[i] > '9') return false;
  int month = (day[5] - '0') * 10 + (day[6] - '0');
  int mday = (day[8] - '0') * 10 + (day[9] - '0');
  return month >= 1 && month <= 12 && mday >= 1 && mday <= 31;
}

bool is_result_type(std::string_view result_type) {
  for (std::string_view t : kResultTypes)
    if (t == result_type) return true;
  return false;
}

std::string utc_day(TimePoint at) {
  std::time_t t = static_cast<std::time_t>(to_unix(at));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

std::string encode_tls_report_line(const TlsReportEntry& e, TimePoint at) {
  json::object o;
  o["time"] = to_unix(at);
  o["domain"] = e.domain;
  o["policy_type"] = e.policy_type;
  if (!e.policy_string.empty()) o["policy_string"] = to_array(e.policy_string);
  if (!e.mx_patterns.empty()) o["mx_patterns"] = to_array(e.mx_patterns);
  o["mx_host"] = e.mx_host;
  o["address"] = e.address;
  if (!e.sending_address.empty()) o["sending_address"] = e.sending_address;
  if (!e.receiving_helo.empty()) o["receiving_helo"] = e.receiving_helo;
  o["success"] = e.success;
  if (!e.failure.empty()) o["failure"] = e.failure;
  if (!e.detail.empty()) o["detail"] = e.detail;
  return json::serialize(o) + "\n";
}

Result<TlsReportEntry> decode_tls_report_line(std::string_view line) {
  std::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec || !v.is_object()) return Error{ErrorKind::invalid, "not a JSON object"};
  const json::object& o = v.as_object();
  TlsReportEntry e;
  for (auto [key, field] :
       {std::pair{"domain", &e.domain}, std::pair{"policy_type", &e.policy_type},
        std::pair{"mx_host", &e.mx_host}, std::pair{"address", &e.address},
        std::pair{"sending_address", &e.sending_address},
        std::pair{"receiving_helo", &e.receiving_helo}, std::pair{"failure", &e.failure},
        std::pair{"detail", &e.detail}}) {
    auto s = get_string(o, key);
    if (!s) return s.error();
    *field = std::move(*s);
  }
  for (auto [key, field] :
       {std::pair{"policy_string", &e.policy_string}, std::pair{"mx_patterns", &e.mx_patterns}}) {
    auto list = get_strings(o, key);
    if (!list) return list.error();
    *field = std::move(*list);
  }
  const json::value* success = o.if_contains("success");
  if (!success || !success->is_bool()) return Error{ErrorKind::invalid, "no success flag"};
  e.success = success->as_bool();
  if (e.domain.empty() || e.policy_type.empty())
    return Error{ErrorKind::invalid, "no domain or policy type"};
  return e;
}

TlsReportLog::TlsReportLog(std::filesystem::path dir, Clock clock)
    : dir_(std::move(dir)), clock_(std::move(clock)) {}

void TlsReportLog::record(const TlsReportEntry& entry) {
  const TimePoint now = clock_();
  const std::string line = encode_tls_report_line(entry, now);
  const std::filesystem::path path = dir_ / (utc_day(now) + ".jsonl");
  std::lock_guard lock(mutex_);
  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec)) {
    std::filesystem::create_directories(dir_, ec);
    if (ec) {
      log::warning("tls-rpt", "{}: {}", dir_.string(), ec.message());
      return;
    }
    ::chmod(dir_.c_str(), 0750);
  }
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (fd.get() < 0) {
    log::warning("tls-rpt", "{}: {}", path.string(), std::strerror(errno));
    return;
  }
  // One write: with O_APPEND, lines from several processes never interleave.
  ssize_t n = ::write(fd.get(), line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size()))
    log::warning("tls-rpt", "{}: {}", path.string(),
                 n < 0 ? std::strerror(errno) : std::string("short write"));
}

Result<TlsAggregateReport> tls_aggregate_report(const TlsReportMeta& meta,
                                                std::string_view policy_domain,
                                                std::string_view jsonl) {
  if (!is_day(meta.day))
    return Error{ErrorKind::invalid, fmt::format("\"{}\" is not a day like 2026-12-07", meta.day)};
  std::string domain = ascii_lower(policy_domain);
  if (!domain.empty() && domain.back() == '.') domain.pop_back();

  using PolicyKey = std::tuple<std::string, std::vector<std::string>, std::vector<std::string>>;
  using FailureKey =
      std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>;
  struct PolicyGroup {
    PolicyKey key;
    uint64_t successes = 0, failures = 0;
    std::vector<std::pair<FailureKey, uint64_t>> details;  // in order of first appearance
  };
  std::vector<PolicyGroup> groups;
  TlsAggregateReport report;

  while (!jsonl.empty()) {
    size_t end = jsonl.find('\n');
    std::string_view line = jsonl.substr(0, end);
    jsonl = end == std::string_view::npos ? std::string_view{} : jsonl.substr(end + 1);
    if (line.empty()) continue;
    auto entry = decode_tls_report_line(line);
    if (!entry) {
      ++report.skipped_lines;
      continue;
    }
    if (ascii_lower(entry->domain) != domain) continue;
    ++report.sessions;
    PolicyKey key{entry->policy_type, entry->policy_string, entry->mx_patterns};
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const PolicyGroup& g) { return g.key == key; });
    if (group == groups.end()) {
      groups.push_back(PolicyGroup{std::move(key), 0, 0, {}});
      group = groups.end() - 1;
    }
    if (entry->success) {
      ++group->successes;
      continue;
    }
    ++group->failures;
    // A failure without a type is reported as the general one (RFC 8460 §4.3.3).
    FailureKey detail{entry->failure.empty() ? "validation-failure" : entry->failure,
                      entry->sending_address,
                      entry->mx_host,
                      entry->receiving_helo,
                      entry->address,
                      entry->detail};
    auto found = std::find_if(group->details.begin(), group->details.end(),
                              [&](const auto& d) { return d.first == detail; });
    if (found == group->details.end())
      group->details.emplace_back(std::move(detail), 1);
    else
      ++found->second;
  }
  if (report.sessions == 0)
    return Error{ErrorKind::not_found,
                 fmt::format("no TLS sessions to {} recorded on {}", domain, meta.day)};

  json::object out;
  out["organization-name"] = meta.organization;
  // §4.1, §4.4: a full UTC day.
  out["date-range"] = json::object{{"start-datetime", meta.day + "T00:00:00Z"},
                                   {"end-datetime", meta.day + "T23:59:59Z"}};
  out["contact-info"] = meta.contact;
  out["report-id"] = meta.report_id;
  json::array policies;
  for (const PolicyGroup& g : groups) {
    const auto& [type, policy_string, patterns] = g.key;
    json::object policy;
    policy["policy-type"] = type;
    if (!policy_string.empty()) policy["policy-string"] = to_array(policy_string);
    policy["policy-domain"] = domain;
    if (!patterns.empty()) policy["mx-host"] = to_array(patterns);
    json::array details;
    for (const auto& [key, count] : g.details) {
      const auto& [result, sending, mx, helo, receiving, reason] = key;
      json::object d;
      d["result-type"] = result;
      if (!sending.empty()) d["sending-mta-ip"] = sending;
      if (!mx.empty()) d["receiving-mx-hostname"] = mx;
      if (!helo.empty()) d["receiving-mx-helo"] = helo;
      if (!receiving.empty()) d["receiving-ip"] = receiving;
      d["failed-session-count"] = count;
      if (!reason.empty()) d["failure-reason-code"] = reason;
      details.emplace_back(std::move(d));
    }
    json::object element;
    element["policy"] = std::move(policy);
    element["summary"] = json::object{{"total-successful-session-count", g.successes},
                                      {"total-failure-session-count", g.failures}};
    if (!details.empty()) element["failure-details"] = std::move(details);
    policies.emplace_back(std::move(element));
  }
  out["policies"] = std::move(policies);
  report.json = json::serialize(out) + "\n";
  return report;
}

}  // namespace postamt::queue
