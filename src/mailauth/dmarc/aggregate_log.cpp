// The aggregate-report log: ReportEntry <-> one JSON line, and the daily files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/unique_fd.h"
#include "mailauth/dmarc/aggregate.h"

namespace postamt::dmarc {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

constexpr int64_t kDay = 86400;

std::optional<Policy> policy_of(std::string_view s) {
  if (s == "none") return Policy::none;
  if (s == "quarantine") return Policy::quarantine;
  if (s == "reject") return Policy::reject;
  return std::nullopt;
}

std::optional<Outcome> outcome_of(std::string_view s) {
  for (Outcome o :
       {Outcome::none, Outcome::pass, Outcome::fail, Outcome::temperror, Outcome::permerror})
    if (to_string(o) == s) return o;
  return std::nullopt;
}

json::string_view sv(std::string_view s) {
  return {s.data(), s.size()};
}

// Field readers that fail with the field's name.
struct Reader {
  const json::object& o;
  std::string missing;

  const json::value* get(std::string_view key) {
    const json::value* v = o.if_contains(sv(key));
    if (!v && missing.empty()) missing = std::string(key);
    return v;
  }
  std::string str(std::string_view key) {
    const json::value* v = get(key);
    if (v && v->is_string()) return std::string(v->as_string());
    if (missing.empty()) missing = std::string(key);
    return {};
  }
  int64_t integer(std::string_view key) {
    const json::value* v = get(key);
    if (v && v->is_int64()) return v->as_int64();
    if (v && v->is_uint64() && v->as_uint64() <= INT64_MAX) return int64_t(v->as_uint64());
    if (missing.empty()) missing = std::string(key);
    return 0;
  }
  bool boolean(std::string_view key) {
    const json::value* v = get(key);
    if (v && v->is_bool()) return v->as_bool();
    if (missing.empty()) missing = std::string(key);
    return false;
  }
  Policy policy(std::string_view key) {
    auto p = policy_of(str(key));
    if (!p && missing.empty()) missing = std::string(key);
    return p.value_or(Policy::none);
  }
  Alignment alignment(std::string_view key) {
    std::string a = str(key);
    if (a != "r" && a != "s" && missing.empty()) missing = std::string(key);
    return a == "s" ? Alignment::strict : Alignment::relaxed;
  }
};

}  // namespace

std::string utc_date(int64_t time) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_seconds(seconds(time)));
  const year_month_day ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

Result<int64_t> parse_utc_date(std::string_view date) {
  using namespace std::chrono;
  auto bad = [&] {
    return Error{ErrorKind::invalid,
                 "\"" + std::string(date) + "\" is not a date of the form YYYY-MM-DD"};
  };
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return bad();
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (date[i] < '0' || date[i] > '9') return bad();
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (date[i] - '0');
    return v;
  };
  const year_month_day ymd{year(num(0, 4)), month(static_cast<unsigned>(num(5, 2))),
                           day(static_cast<unsigned>(num(8, 2)))};
  if (!ymd.ok()) return bad();
  return static_cast<int64_t>(sys_seconds(sys_days(ymd)).time_since_epoch().count());
}

ReportEntry report_entry(const Input& in, const Verdict& verdict, std::string source_ip,
                         int64_t time) {
  ReportEntry e;
  e.time = time;
  e.source_ip = std::move(source_ip);
  e.header_from = in.from_domain;
  e.envelope_from = in.spf_domain;
  e.policy_domain = verdict.policy_domain;
  if (verdict.record) e.published = *verdict.record;
  e.policy = verdict.policy;
  e.result = verdict.result;
  e.disposition = verdict.disposition;
  e.dkim_aligned = verdict.dkim_aligned;
  e.spf_aligned = verdict.spf_aligned;
  for (const std::string& d : in.dkim_pass_domains) e.dkim.push_back({d, "", "pass"});
  e.spf = {in.spf_domain, "mfrom",
           in.spf_pass ? "pass" : (in.spf_temperror ? "temperror" : "fail")};
  return e;
}

std::string to_json_line(const ReportEntry& e) {
  json::array dkim;
  for (const DkimResult& d : e.dkim)
    dkim.push_back(json::object{
        {"domain", sv(d.domain)}, {"selector", sv(d.selector)}, {"result", sv(d.result)}});
  json::object o;
  o["date"] = sv(utc_date(e.time));
  o["time"] = e.time;
  o["source_ip"] = sv(e.source_ip);
  o["header_from"] = sv(e.header_from);
  o["envelope_from"] = sv(e.envelope_from);
  o["policy_domain"] = sv(e.policy_domain);
  o["p"] = sv(to_string(e.published.p));
  if (e.published.sp)
    o["sp"] = sv(to_string(*e.published.sp));
  else
    o["sp"] = nullptr;
  o["adkim"] = sv(to_string(e.published.adkim));
  o["aspf"] = sv(to_string(e.published.aspf));
  o["pct"] = e.published.pct;
  o["fo"] = sv(e.published.fo);
  o["policy"] = sv(to_string(e.policy));
  o["result"] = sv(to_string(e.result));
  o["disposition"] = sv(to_string(e.disposition));
  o["dkim_aligned"] = e.dkim_aligned;
  o["spf_aligned"] = e.spf_aligned;
  o["dkim"] = std::move(dkim);
  o["spf"] = json::object{
      {"domain", sv(e.spf.domain)}, {"scope", sv(e.spf.scope)}, {"result", sv(e.spf.result)}};
  return json::serialize(o);
}

Result<ReportEntry> parse_json_line(std::string_view line) {
  boost::system::error_code ec;
  json::value v = json::parse(sv(line), ec);
  if (ec || !v.is_object()) return Error{ErrorKind::invalid, "not a JSON object"};
  Reader r{v.as_object(), {}};
  ReportEntry e;
  e.time = r.integer("time");
  e.source_ip = r.str("source_ip");
  e.header_from = r.str("header_from");
  e.envelope_from = r.str("envelope_from");
  e.policy_domain = r.str("policy_domain");
  e.published.p = r.policy("p");
  if (const json::value* sp = r.get("sp"); sp && !sp->is_null()) e.published.sp = r.policy("sp");
  e.published.adkim = r.alignment("adkim");
  e.published.aspf = r.alignment("aspf");
  int64_t pct = r.integer("pct");
  if (pct < 0 || pct > 100) return Error{ErrorKind::invalid, "pct is not 0-100"};
  e.published.pct = static_cast<int>(pct);
  e.published.fo = r.str("fo");
  e.policy = r.policy("policy");
  auto result = outcome_of(r.str("result"));
  if (!result && r.missing.empty()) r.missing = "result";
  e.result = result.value_or(Outcome::none);
  e.disposition = r.policy("disposition");
  e.dkim_aligned = r.boolean("dkim_aligned");
  e.spf_aligned = r.boolean("spf_aligned");
  if (const json::value* dkim = r.get("dkim")) {
    if (!dkim->is_array()) return Error{ErrorKind::invalid, "dkim is not an array"};
    for (const json::value& d : dkim->as_array()) {
      if (!d.is_object()) return Error{ErrorKind::invalid, "a dkim result is not an object"};
      Reader dr{d.as_object(), {}};
      e.dkim.push_back({dr.str("domain"), dr.str("selector"), dr.str("result")});
      if (!dr.missing.empty()) return Error{ErrorKind::invalid, "dkim." + dr.missing + " is bad"};
    }
  }
  if (const json::value* spf = r.get("spf")) {
    if (!spf->is_object()) return Error{ErrorKind::invalid, "spf is not an object"};
    Reader sr{spf->as_object(), {}};
    e.spf = {sr.str("domain"), sr.str("scope"), sr.str("result")};
    if (!sr.missing.empty()) return Error{ErrorKind::invalid, "spf." + sr.missing + " is bad"};
  }
  if (!r.missing.empty()) return Error{ErrorKind::invalid, r.missing + " is missing or bad"};
  return e;
}

AggregateLog::AggregateLog(fs::path dir, uint32_t report_days)
    : dir_(std::move(dir)), report_days_(report_days) {}

Result<void> AggregateLog::append(const ReportEntry& entry) {
  const std::string line = to_json_line(entry) + "\n";
  const std::string date = utc_date(entry.time);
  std::lock_guard lock(mutex_);
  if (::mkdir(dir_.c_str(), 0750) != 0 && errno != EEXIST)
    return Error{ErrorKind::io, dir_.string() + ": " + std::strerror(errno)};
  const fs::path path = dir_ / (date + ".jsonl");
  // Created 0640 whatever the umask: the open that makes the file sets the mode.
  bool created = true;
  int raw = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (raw < 0 && errno == EEXIST) {
    created = false;
    raw = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  }
  UniqueFd fd(raw);
  if (fd.get() < 0) return Error{ErrorKind::io, path.string() + ": " + std::strerror(errno)};
  if (created && ::fchmod(fd.get(), 0640) != 0)
    return Error{ErrorKind::io, path.string() + ": " + std::strerror(errno)};
  // One write of the whole line: O_APPEND places it at the end as one piece.
  ssize_t n = ::write(fd.get(), line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size()))
    return Error{ErrorKind::io, path.string() + ": " +
                                    (n < 0 ? std::strerror(errno) : std::string("short write"))};
  if (date != last_date_) {
    last_date_ = date;
    remove_old_files(*parse_utc_date(date));
  }
  return {};
}

void AggregateLog::remove_old_files(int64_t day_start) {
  // Kept: the day written now and the report_days days before it.
  const int64_t oldest_kept = day_start - static_cast<int64_t>(report_days_) * kDay;
  std::error_code ec;
  for (const fs::directory_entry& f : fs::directory_iterator(dir_, ec)) {
    const std::string name = f.path().filename().string();
    if (name.size() != 16 || !name.ends_with(".jsonl")) continue;
    auto day = parse_utc_date(std::string_view(name).substr(0, 10));
    if (!day || *day >= oldest_kept) continue;
    std::error_code remove_ec;
    fs::remove(f.path(), remove_ec);  // a file that cannot go now goes at the next day
  }
}

}  // namespace postamt::dmarc
