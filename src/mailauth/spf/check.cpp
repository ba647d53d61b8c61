// check_host() (RFC 7208 §4) over dns::Resolver: record lookup and selection, term
// evaluation, include/redirect recursion, the §4.6.4 limits and the §6.2 explanation.
#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <utility>

#include "base/strings.h"
#include "mailauth/spf/macro.h"
#include "mailauth/spf/record.h"
#include "mailauth/spf/spf.h"

namespace postamt::spf {
namespace {

// What one check_host() (or one mechanism) came to.
struct HostResult {
  Outcome result = Outcome::none;
  std::string mechanism;
  std::string explanation;
  std::string problem;
};

enum class Match { yes, no };
// A mechanism either matches, does not, or ends the evaluation with an exception.
struct MechanismResult {
  Match match = Match::no;
  std::optional<HostResult> exception;  // temperror / permerror
};

HostResult exception(Outcome outcome, std::string problem) {
  return HostResult{outcome, "", "", std::move(problem)};
}

// A name a query can be made for: 1-63 octets a label, 253 at most, two labels or
// more. Mechanism targets are held to this only: macros may put any byte in a label.
bool is_query_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  size_t labels = 0;
  for (std::string_view label : split(name, '.')) {
    if (label.empty() || label.size() > 63) return false;
    ++labels;
  }
  return labels >= 2;
}

// §4.3: a well-formed, fully qualified, multi-label name: labels of 1-63 letters,
// digits, '-' or '_' (ASCII: IDNs come as A-labels), 253 octets at most.
bool is_valid_domain(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  size_t labels = 0;
  for (std::string_view label : split(name, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
      if (!ok) return false;
    }
    ++labels;
  }
  return labels >= 2;
}

std::string without_trailing_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return ascii_lower(name);
}

// Whether `name` is `domain` or a subdomain of it.
bool within(std::string_view name, std::string_view domain) {
  const std::string n = without_trailing_dot(name), d = without_trailing_dot(domain);
  return n == d || (n.size() > d.size() && n.ends_with(d) && n[n.size() - d.size() - 1] == '.');
}

Outcome outcome_of(Qualifier q) {
  switch (q) {
    case Qualifier::pass:
      return Outcome::pass;
    case Qualifier::fail:
      return Outcome::fail;
    case Qualifier::softfail:
      return Outcome::softfail;
    case Qualifier::neutral:
      return Outcome::neutral;
  }
  return Outcome::neutral;
}

enum class Explain { yes, no };  // compute an explanation for a fail
enum class Via { top, include, redirect };

class Evaluation {
 public:
  Evaluation(const Address& ip, std::string_view sender, const Request& context, dns::Resolver& dns,
             const Limits& limits)
      : ip_(ip), dns_(dns), limits_(limits) {
    clock_ = context.clock ? context.clock : [] { return std::chrono::steady_clock::now(); };
    start_ = clock_();
    // §4.3: a sender without a local-part gets "postmaster".
    const size_t at = sender.rfind('@');
    std::string_view local =
        at == std::string_view::npos ? std::string_view{} : sender.substr(0, at);
    std::string_view domain = at == std::string_view::npos ? sender : sender.substr(at + 1);
    values_.local_part = local.empty() ? "postmaster" : std::string(local);
    values_.sender_domain = std::string(domain);
    values_.sender = values_.local_part + "@" + values_.sender_domain;
    values_.ip = ip;
    values_.helo = context.helo;
    values_.receiver = context.receiver;
    values_.now = context.now != 0 ? context.now
                                   : std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
  }

  HostResult check_host(const std::string& domain, Explain explain, Via via);

 private:
  MechanismResult evaluate(const Mechanism& m, const std::string& domain);
  MechanismResult evaluate_a(const std::string& target, int prefix4, int prefix6);
  MechanismResult evaluate_mx(const Mechanism& m, const std::string& target);
  MechanismResult evaluate_ptr(const std::string& target);
  MechanismResult evaluate_exists(const std::string& target);
  MechanismResult evaluate_include(const std::string& target);
  std::string explanation(const Record& record, const std::string& domain);
  std::vector<std::string> validated_names();
  std::string validated_name(const std::string& domain);
  // Expands a domain-spec for <domain> (§7, §7.3 truncation).
  Result<std::string> target(std::string_view spec, const std::string& domain);
  // Counts a lookup that found nothing; an exception once over the limit.
  std::optional<HostResult> void_lookup(const std::string& name);
  // Addresses of `name` of the client's family (§5: A for IPv4, AAAA for IPv6).
  Result<dns::Answer<std::string>> addresses(const std::string& name) {
    return query([&] { return ip_.family == Family::ipv4 ? dns_.a(name) : dns_.aaaa(name); });
  }
  bool contains(const std::vector<std::string>& records, int prefix4, int prefix6) const;
  // Runs one lookup, unless the check is over Limits::max_elapsed: then a temporary
  // error, which ends the check with temperror where a DNS failure would (§4.6.4).
  template <class Lookup>
  auto query(Lookup lookup) -> decltype(lookup()) {
    if (clock_() - start_ > limits_.max_elapsed) {
      return Error(ErrorKind::temporary, "the check took longer than " +
                                             std::to_string(limits_.max_elapsed.count()) +
                                             " ms (RFC 7208 4.6.4)");
    }
    return lookup();
  }

  Address ip_;
  dns::Resolver& dns_;
  const Limits& limits_;
  MacroValues values_;
  std::function<std::chrono::steady_clock::time_point()> clock_;
  std::chrono::steady_clock::time_point start_;
  int dns_terms_ = 0;
  int void_lookups_ = 0;
  std::optional<std::vector<std::string>> validated_;  // %{p}, looked up once
};

bool Evaluation::contains(const std::vector<std::string>& records, int prefix4, int prefix6) const {
  const int prefix = ip_.family == Family::ipv4 ? prefix4 : prefix6;
  for (const auto& text : records) {
    auto address = Address::parse(text);
    if (address && address->matches(ip_, prefix)) return true;
  }
  return false;
}

std::optional<HostResult> Evaluation::void_lookup(const std::string& name) {
  if (++void_lookups_ > limits_.max_void_lookups) {
    return exception(Outcome::permerror, "more than " + std::to_string(limits_.max_void_lookups) +
                                             " void lookups (RFC 7208 4.6.4), last " + name);
  }
  return std::nullopt;
}

Result<std::string> Evaluation::target(std::string_view spec, const std::string& domain) {
  if (spec.empty()) return domain;
  MacroValues values = values_;
  values.domain = domain;
  values.validated_name = [this, domain] { return validated_name(domain); };
  auto expanded = expand_macros(spec, values, MacroUse::domain_spec);
  if (!expanded) return expanded.error();
  return truncate_domain(*expanded);
}

HostResult Evaluation::check_host(const std::string& domain, Explain explain, Via via) {
  // §4.3 initial processing; for include and redirect a bad or missing record is a
  // permerror instead of "none" (§5.2, §6.1).
  const Outcome missing = via == Via::top ? Outcome::none : Outcome::permerror;
  if (!is_valid_domain(domain)) return exception(missing, "malformed domain " + domain);
  auto answer = query([&] { return dns_.txt(domain); });
  if (!answer) {
    if (answer.error().kind == ErrorKind::not_found) {
      return exception(missing, "no SPF record at " + domain + " (NXDOMAIN)");
    }
    if (answer.error().kind == ErrorKind::invalid) {
      return exception(missing, "malformed domain " + domain);
    }
    // §4.4: SERVFAIL, timeout and the like.
    return exception(Outcome::temperror, "DNS error for " + domain + ": " + answer.error().message);
  }
  auto chosen = select_record(answer->records);
  if (!chosen) {
    if (chosen.error().kind == ErrorKind::not_found) {
      return exception(missing, "no SPF record at " + domain);
    }
    return exception(Outcome::permerror, "more than one SPF record at " + domain);
  }
  if (chosen->size() > limits_.max_record_bytes) {
    return exception(Outcome::permerror, "SPF record at " + domain + " longer than " +
                                             std::to_string(limits_.max_record_bytes) + " bytes");
  }
  auto record = parse_record(*chosen);
  if (!record) {
    return exception(Outcome::permerror, "SPF record at " + domain + ": " + record.error().message);
  }
  for (const Mechanism& m : record->mechanisms) {
    MechanismResult r = evaluate(m, domain);
    if (r.exception) return std::move(*r.exception);
    if (r.match == Match::no) continue;
    HostResult result{outcome_of(m.qualifier), m.text, "", ""};
    if (result.result == Outcome::fail && explain == Explain::yes) {
      result.explanation = explanation(*record, domain);
    }
    return result;
  }
  // §6.1: redirect applies when no mechanism matched, and never with an "all".
  if (record->redirect && !record->has_all()) {
    if (++dns_terms_ > limits_.max_dns_terms) {
      return exception(Outcome::permerror, "more than " + std::to_string(limits_.max_dns_terms) +
                                               " DNS-querying terms (RFC 7208 4.6.4)");
    }
    auto next = target(*record->redirect, domain);
    if (!next) return exception(Outcome::permerror, "redirect: " + next.error().message);
    // §6.2: the redirected record's exp= counts, not this one's.
    return check_host(*next, explain, Via::redirect);
  }
  // §4.7: no match, no redirect.
  return HostResult{Outcome::neutral, "", "", ""};
}

MechanismResult Evaluation::evaluate(const Mechanism& m, const std::string& domain) {
  switch (m.kind) {
    case MechanismKind::all:
      return {Match::yes, std::nullopt};
    case MechanismKind::ip4:
    case MechanismKind::ip6: {
      // §5.6: ip4 never matches an IPv6 client and ip6 never an IPv4 one (an
      // IPv4-mapped client was made IPv4 already).
      const int prefix = m.kind == MechanismKind::ip4 ? m.prefix4 : m.prefix6;
      return {m.network.matches(ip_, prefix) ? Match::yes : Match::no, std::nullopt};
    }
    default:
      break;
  }
  // §4.6.4: include, a, mx, ptr and exists query DNS and count.
  if (++dns_terms_ > limits_.max_dns_terms) {
    return {Match::no,
            exception(Outcome::permerror, "more than " + std::to_string(limits_.max_dns_terms) +
                                              " DNS-querying terms (RFC 7208 4.6.4)")};
  }
  auto name = target(m.domain_spec, domain);
  if (!name)
    return {Match::no, exception(Outcome::permerror, m.text + ": " + name.error().message)};
  switch (m.kind) {
    case MechanismKind::include:
      return evaluate_include(*name);
    case MechanismKind::a:
      return evaluate_a(*name, m.prefix4, m.prefix6);
    case MechanismKind::mx:
      return evaluate_mx(m, *name);
    case MechanismKind::ptr:
      return evaluate_ptr(*name);
    case MechanismKind::exists:
      return evaluate_exists(*name);
    default:
      return {Match::no, std::nullopt};
  }
}

MechanismResult Evaluation::evaluate_a(const std::string& name, int prefix4, int prefix6) {
  if (!is_query_name(name)) {
    // A target no query can be made for finds nothing (§5: as NXDOMAIN).
    if (auto e = void_lookup(name)) return {Match::no, std::move(e)};
    return {Match::no, std::nullopt};
  }
  auto answer = addresses(name);
  if (!answer && answer.error().kind != ErrorKind::not_found &&
      answer.error().kind != ErrorKind::invalid) {
    // §5: an RCODE other than 0 or 3, or a timeout: temperror.
    return {Match::no,
            exception(Outcome::temperror, "DNS error for " + name + ": " + answer.error().message)};
  }
  if (!answer || answer->records.empty()) {
    if (auto e = void_lookup(name)) return {Match::no, std::move(e)};
    return {Match::no, std::nullopt};
  }
  return {contains(answer->records, prefix4, prefix6) ? Match::yes : Match::no, std::nullopt};
}

MechanismResult Evaluation::evaluate_mx(const Mechanism& m, const std::string& name) {
  if (!is_query_name(name)) {
    if (auto e = void_lookup(name)) return {Match::no, std::move(e)};
    return {Match::no, std::nullopt};
  }
  auto answer = query([&] { return dns_.mx(name); });
  if (!answer && answer.error().kind != ErrorKind::not_found &&
      answer.error().kind != ErrorKind::invalid) {
    return {Match::no,
            exception(Outcome::temperror, "DNS error for " + name + ": " + answer.error().message)};
  }
  if (!answer || answer->records.empty()) {
    if (auto e = void_lookup(name)) return {Match::no, std::move(e)};
    return {Match::no, std::nullopt};
  }
  // §4.6.4: more than 10 MX names is a permerror, before any address lookup.
  if (answer->records.size() > static_cast<size_t>(limits_.max_mx_names)) {
    return {Match::no, exception(Outcome::permerror, name + " has more than " +
                                                         std::to_string(limits_.max_mx_names) +
                                                         " MX names (RFC 7208 4.6.4)")};
  }
  for (const dns::MxRecord& mx : answer->records) {
    if (mx.host.empty()) continue;  // RFC 7505 null MX: no host to look up
    auto hosts = addresses(mx.host);
    if (!hosts) {
      if (hosts.error().kind == ErrorKind::not_found || hosts.error().kind == ErrorKind::invalid) {
        continue;
      }
      return {Match::no, exception(Outcome::temperror,
                                   "DNS error for " + mx.host + ": " + hosts.error().message)};
    }
    if (contains(hosts->records, m.prefix4, m.prefix6)) return {Match::yes, std::nullopt};
  }
  return {Match::no, std::nullopt};
}

std::vector<std::string> Evaluation::validated_names() {
  if (validated_) return *validated_;
  validated_.emplace();
  // §5.5: a DNS error on the PTR lookup means no names.
  auto names = query([&] { return dns_.ptr(ip_.to_string()); });
  if (!names) return *validated_;
  // §4.6.4: only the first max_ptr_names PTR names are looked at.
  const size_t n =
      std::min(names->records.size(), static_cast<size_t>(std::max(limits_.max_ptr_names, 0)));
  for (size_t i = 0; i < n; ++i) {
    const std::string& host = names->records[i];
    if (!is_query_name(host)) continue;
    auto hosts = addresses(host);
    // §5.5: a DNS error on the address lookup skips that name.
    if (hosts && contains(hosts->records, 32, 128))
      validated_->push_back(without_trailing_dot(host));
  }
  return *validated_;
}

std::string Evaluation::validated_name(const std::string& domain) {
  // §7.3: prefer <domain> itself, then a subdomain of it, then any validated name.
  const std::vector<std::string> names = validated_names();
  if (names.empty()) return "unknown";
  const std::string d = without_trailing_dot(domain);
  for (const auto& n : names) {
    if (n == d) return n;
  }
  for (const auto& n : names) {
    if (within(n, d)) return n;
  }
  return names.front();
}

MechanismResult Evaluation::evaluate_ptr(const std::string& name) {
  for (const auto& validated : validated_names()) {
    // §5.5: a validated name that is the target or a subdomain of it.
    if (within(validated, name)) return {Match::yes, std::nullopt};
  }
  return {Match::no, std::nullopt};
}

MechanismResult Evaluation::evaluate_exists(const std::string& name) {
  if (!is_query_name(name)) {
    if (auto e = void_lookup(name)) return {Match::no, std::move(e)};
    return {Match::no, std::nullopt};
  }
  // §5.7: always an A query, whatever the client's address family.
  auto answer = query([&] { return dns_.a(name); });
  if (!answer && answer.error().kind != ErrorKind::not_found &&
      answer.error().kind != ErrorKind::invalid) {
    return {Match::no,
            exception(Outcome::temperror, "DNS error for " + name + ": " + answer.error().message)};
  }
  if (!answer || answer->records.empty()) {
    if (auto e = void_lookup(name)) return {Match::no, std::move(e)};
    return {Match::no, std::nullopt};
  }
  return {Match::yes, std::nullopt};
}

MechanismResult Evaluation::evaluate_include(const std::string& name) {
  HostResult inner = check_host(name, Explain::no, Via::include);
  // §5.2 table: pass matches; fail, softfail, neutral do not; temperror and permerror
  // propagate; none becomes permerror (check_host gave that already for Via::include).
  switch (inner.result) {
    case Outcome::pass:
      return {Match::yes, std::nullopt};
    case Outcome::fail:
    case Outcome::softfail:
    case Outcome::neutral:
      return {Match::no, std::nullopt};
    case Outcome::none:
      return {Match::no, exception(Outcome::permerror, "include:" + name + ": no SPF record")};
    default:
      return {Match::no, std::move(inner)};
  }
}

std::string Evaluation::explanation(const Record& record, const std::string& domain) {
  // §6.2: any problem on the way means "as if no exp= were given".
  if (!record.explanation) return "";
  auto name = target(*record.explanation, domain);
  if (!name || !is_query_name(*name)) return "";
  auto answer = query([&] { return dns_.txt(*name); });
  if (!answer || answer->records.size() != 1) return "";
  MacroValues values = values_;
  values.domain = domain;
  values.validated_name = [this, domain] { return validated_name(domain); };
  auto text = expand_macros(answer->records.front(), values, MacroUse::explanation);
  if (!text || text->size() > limits_.max_explanation_bytes) return "";
  return *text;
}

std::string_view sender_domain(std::string_view sender) {
  const size_t at = sender.rfind('@');
  return at == std::string_view::npos ? sender : sender.substr(at + 1);
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::none:
      return "none";
    case Outcome::neutral:
      return "neutral";
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "fail";
    case Outcome::softfail:
      return "softfail";
    case Outcome::temperror:
      return "temperror";
    case Outcome::permerror:
      return "permerror";
  }
  return "none";
}

Verdict check_host(std::string_view ip, std::string_view domain, std::string_view sender,
                   const Request& context, dns::Resolver& dns, const Limits& limits) {
  Verdict verdict;
  verdict.domain = std::string(domain);
  const bool helo = iequals(domain, context.helo) &&
                    (context.sender.empty() || !iequals(sender_domain(context.sender), domain));
  verdict.identity = helo ? "helo" : "mailfrom";
  {
    // §4.3: a sender without a local-part is "postmaster@domain".
    const size_t at = sender.rfind('@');
    verdict.sender = at == 0 || at == std::string_view::npos
                         ? "postmaster@" + std::string(sender.substr(at + 1))
                         : std::string(sender);
  }
  auto address = Address::parse(ip);
  if (!address) {
    verdict.result = Outcome::permerror;
    verdict.problem = "client address is not an IP literal: " + std::string(ip);
    return verdict;
  }
  Evaluation evaluation(*address, sender, context, dns, limits);
  HostResult r = evaluation.check_host(std::string(domain), Explain::yes, Via::top);
  verdict.result = r.result;
  verdict.mechanism = std::move(r.mechanism);
  verdict.explanation = std::move(r.explanation);
  verdict.problem = std::move(r.problem);
  return verdict;
}

Verdict check(const Request& request, dns::Resolver& dns, const Limits& limits) {
  // §2.4: a null reverse path is checked as "postmaster@<HELO>".
  const std::string sender = request.sender.empty() ? "postmaster@" + request.helo : request.sender;
  const size_t at = sender.rfind('@');
  const std::string domain = at == std::string::npos ? sender : sender.substr(at + 1);
  Verdict v = check_host(request.ip, domain, sender, request, dns, limits);
  v.identity = "mailfrom";
  return v;
}

Verdict check_helo(const Request& request, dns::Resolver& dns, const Limits& limits) {
  Verdict v =
      check_host(request.ip, request.helo, "postmaster@" + request.helo, request, dns, limits);
  v.identity = "helo";
  return v;
}

}  // namespace postamt::spf
