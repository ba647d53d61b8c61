// RFC 7489 §6.6.2-§6.6.4: policy discovery, identifier alignment, sampling.
#include <fmt/format.h>

#include "mailauth/dmarc/dmarc.h"
#include "mailauth/dmarc/host_name.h"

namespace postamt::dmarc {
namespace {

// The DMARC records at _dmarc.<domain> (§6.6.3 steps 1-2 and 3-4: records that do not
// start with v=DMARC1 are discarded). NXDOMAIN and NODATA are an empty set, and so is a
// name that cannot be asked at all (ErrorKind::invalid: "_dmarc." made a long author
// domain longer than DNS allows), so that the organizational domain's policy still
// applies to it.
Result<std::vector<std::string>> discover(dns::Resolver& dns, const std::string& domain) {
  auto answer = dns.txt("_dmarc." + domain);
  if (!answer) {
    if (answer.error().kind == ErrorKind::not_found || answer.error().kind == ErrorKind::invalid)
      return std::vector<std::string>{};
    return answer.error();
  }
  std::vector<std::string> records;
  for (std::string& txt : answer->records)
    if (is_dmarc_record(txt)) records.push_back(std::move(txt));
  return records;
}

Verdict temperror(Verdict v, std::string reason) {
  v.result = Outcome::temperror;
  v.disposition = Policy::none;
  v.reason = std::move(reason);
  return v;
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::none:
      return "none";
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "fail";
    case Outcome::temperror:
      return "temperror";
    case Outcome::permerror:
      return "permerror";
  }
  return "none";
}

bool aligned(std::string_view a, std::string_view b, Alignment mode, const PublicSuffixList& psl) {
  std::string x = normalize(a), y = normalize(b);
  if (x.empty() || y.empty()) return false;
  if (x == y) return true;
  // §3.1.1/§3.1.2: relaxed mode compares Organizational Domains, strict exact names.
  return mode == Alignment::relaxed && psl.organizational_domain(x) == psl.organizational_domain(y);
}

Verdict evaluate(const Input& in, dns::Resolver& dns, const PublicSuffixList& psl, int sample) {
  Verdict v;
  auto author = to_a_label(in.from_domain);
  if (!author) {
    v.result = Outcome::permerror;
    v.reason =
        fmt::format("From domain \"{}\" is not usable: {}", in.from_domain, author.error().message);
    return v;
  }

  // §6.6.3 policy discovery: the author domain first, then its organizational domain.
  std::string where = *author;
  auto records = discover(dns, where);
  const std::string org = psl.organizational_domain(*author);
  if (!records) {
    v = temperror(std::move(v), fmt::format("DNS lookup of _dmarc.{} failed: {}", where,
                                            records.error().message));
    // The author picks the subdomain, so its DNS failing must not hide the policy of the
    // organizational domain: with one there, the verdict carries it (the caller may defer).
    if (org != *author) {
      auto org_records = discover(dns, org);
      if (org_records && org_records->size() == 1) {
        if (auto record = parse_record(org_records->front())) {
          v.record = *record;
          v.policy_domain = org;
          v.policy = record->sp.value_or(record->p);
        }
      }
    }
    return v;
  }
  if (records->empty() && org != *author) {
    where = org;
    records = discover(dns, where);
    if (!records)
      return temperror(std::move(v), fmt::format("DNS lookup of _dmarc.{} failed: {}", where,
                                                 records.error().message));
  }
  if (records->empty()) {
    v.reason = fmt::format("no DMARC record for {}", *author);
    return v;
  }
  if (records->size() > 1) {
    // §6.6.3 step 5: several records end policy discovery; DMARC does not apply.
    v.reason = fmt::format("{} DMARC records at _dmarc.{}", records->size(), where);
    return v;
  }
  v.policy_domain = where;
  auto record = parse_record(records->front());
  if (!record) {
    v.result = Outcome::permerror;
    v.reason = fmt::format("_dmarc.{}: {}", where, record.error().message);
    return v;
  }
  v.record = *record;
  // §6.3 sp: it applies to subdomains of the domain queried, which the author domain is
  // when the record came from its organizational domain.
  v.policy = where == *author ? record->p : record->sp.value_or(record->p);

  // §3.1 identifier alignment, §6.6.2 step 5.
  for (const std::string& d : in.dkim_pass_domains)
    if (aligned(d, *author, record->adkim, psl)) v.dkim_aligned = true;
  v.spf_aligned = in.spf_pass && aligned(in.spf_domain, *author, record->aspf, psl);
  if (v.dkim_aligned || v.spf_aligned) {
    v.result = Outcome::pass;
    v.reason = v.dkim_aligned ? "DKIM aligned" : "SPF aligned";
    return v;
  }
  // §6.6.2: with no aligned pass, a temporary failure of a check means the policy
  // cannot be applied.
  if (in.spf_temperror || in.dkim_temperror)
    return temperror(std::move(v), in.spf_temperror ? "SPF ended in temperror, nothing aligned"
                                                    : "DKIM ended in temperror, nothing aligned");
  v.result = Outcome::fail;
  // §6.6.4: the policy applies to pct percent of failing messages; a reject not applied
  // becomes quarantine, a quarantine not applied local classification (none).
  if (sample < record->pct) {
    v.disposition = v.policy;
  } else {
    v.disposition = v.policy == Policy::reject ? Policy::quarantine : Policy::none;
  }
  v.reason = fmt::format("no aligned identifier; policy {} at {}{}", to_string(v.policy), where,
                         v.disposition != v.policy ? " (sampled out by pct)" : "");
  return v;
}

}  // namespace postamt::dmarc
