#include "mailauth/checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "base/strings.h"
#include "mailauth/auth_results.h"

namespace postamt::mailauth {
namespace {

std::string_view policy_name(dmarc::Policy policy) {
  switch (policy) {
    case dmarc::Policy::none:
      return "none";
    case dmarc::Policy::quarantine:
      return "quarantine";
    case dmarc::Policy::reject:
      return "reject";
  }
  return "none";
}

// Every lookup of one check() goes through this: once the deadline has passed, lookups
// fail as temporary instead of being asked (Settings::max_time), so one message cannot
// hold a blocking thread for minutes with slow DNS of its own choosing.
class DeadlineResolver final : public dns::Resolver {
 public:
  DeadlineResolver(dns::Resolver& inner, std::chrono::steady_clock::time_point deadline)
      : inner_(inner), deadline_(deadline) {}
  Result<dns::Answer<dns::MxRecord>> mx(std::string_view n) override {
    if (late()) return expired();
    return inner_.mx(n);
  }
  Result<dns::Answer<std::string>> a(std::string_view n) override {
    if (late()) return expired();
    return inner_.a(n);
  }
  Result<dns::Answer<std::string>> aaaa(std::string_view n) override {
    if (late()) return expired();
    return inner_.aaaa(n);
  }
  Result<dns::Answer<std::string>> txt(std::string_view n) override {
    if (late()) return expired();
    return inner_.txt(n);
  }
  Result<dns::Answer<std::string>> ptr(std::string_view n) override {
    if (late()) return expired();
    return inner_.ptr(n);
  }
  Result<dns::Answer<dns::TlsaRecord>> tlsa(std::string_view n) override {
    if (late()) return expired();
    return inner_.tlsa(n);
  }

 private:
  bool late() const { return std::chrono::steady_clock::now() >= deadline_; }
  static Error expired() {
    return Error(ErrorKind::temporary, "the authentication checks ran out of time");
  }
  dns::Resolver& inner_;
  std::chrono::steady_clock::time_point deadline_;
};

// RFC 8617 §7.2.1: a trusted forwarder's chain is evidence only for what the forwarder
// itself saw. The ARC-Authentication-Results of `instance` must show a DMARC pass, or a
// DKIM or SPF pass for a domain in the From domain's organization.
bool sealer_vouches(std::string_view message, int instance, const std::string& from_org,
                    const dmarc::PublicSuffixList& psl) {
  constexpr std::string_view kName = "arc-authentication-results:";
  size_t pos = 0;
  while (pos < message.size()) {
    const size_t eol = message.find("\r\n", pos);
    if (eol == std::string_view::npos || eol == pos) break;  // the end of the header
    size_t end = eol + 2;
    while (end < message.size() && (message[end] == ' ' || message[end] == '\t')) {
      const size_t more = message.find("\r\n", end);
      if (more == std::string_view::npos) break;
      end = more + 2;
    }
    std::string_view field = message.substr(pos, end - pos);
    pos = end;
    if (field.size() < kName.size() || !iequals(field.substr(0, kName.size()), kName)) continue;
    std::string_view value = field.substr(kName.size());
    const size_t semi = value.find(';');
    if (semi == std::string_view::npos) continue;
    std::string tag(value.substr(0, semi));
    tag.erase(
        std::remove_if(tag.begin(), tag.end(),
                       [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }),
        tag.end());
    if (tag != fmt::format("i={}", instance)) continue;
    auto parsed = parse(value.substr(semi + 1));
    if (!parsed) return false;
    for (const MethodResult& r : parsed->results) {
      if (r.result != "pass") continue;
      if (r.method == "dmarc") return true;
      for (const auto& [name, v] : r.properties) {
        std::string domain = v.substr(v.rfind('@') == std::string::npos ? 0 : v.rfind('@') + 1);
        const bool dkim = r.method == "dkim" && name == "header.d";
        const bool spf = r.method == "spf" && name == "smtp.mailfrom";
        if ((dkim || spf) && iequals(psl.organizational_domain(domain), from_org)) return true;
      }
    }
    return false;
  }
  return false;
}

int random_sample() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_int_distribution<int>(0, 99)(engine);
}

bool contains_domain(const std::vector<std::string>& list, std::string_view domain) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& d) { return iequals(d, domain); });
}

MethodResult dkim_result(const dkim::Verification& v) {
  MethodResult r{"dkim", std::string(dkim::to_string(v.status)), {}, {}, {}};
  if (!v.reason.empty() && v.status != dkim::Status::pass) r.reason = v.reason;
  if (!v.domain.empty()) r.properties.push_back({"header.d", v.domain});
  if (!v.identity.empty()) r.properties.push_back({"header.i", v.identity});
  if (!v.selector.empty()) r.properties.push_back({"header.s", v.selector});
  if (!v.algorithm.empty()) r.properties.push_back({"header.a", v.algorithm});
  if (!v.header_b.empty()) r.properties.push_back({"header.b", v.header_b});
  return r;
}

MethodResult spf_result(const spf::Verdict& v, const Inbound& in) {
  MethodResult r{"spf", std::string(spf::to_string(v.result)), {}, {}, {}};
  if (!v.problem.empty()) r.reason = v.problem;
  // RFC 8601 §2.7.2: the identity checked. With a null sender SPF checked the HELO name.
  if (in.sender.empty())
    r.properties.push_back({"smtp.helo", in.helo});
  else
    r.properties.push_back({"smtp.mailfrom", in.sender});
  return r;
}

}  // namespace

std::string_view to_string(Action action) {
  switch (action) {
    case Action::accept:
      return "accept";
    case Action::quarantine:
      return "quarantine";
    case Action::reject:
      return "reject";
    case Action::defer:
      return "defer";
  }
  return "accept";
}

Checker::Checker(dns::Resolver& dns, const dmarc::PublicSuffixList& psl,
                 dmarc::AggregateLog* reports, Settings settings, std::function<int()> sample,
                 std::function<std::chrono::system_clock::time_point()> now)
    : dns_(dns),
      psl_(psl),
      reports_(reports),
      settings_(std::move(settings)),
      sample_(sample ? std::move(sample) : std::function<int()>(random_sample)),
      now_(now ? std::move(now) : [] { return std::chrono::system_clock::now(); }) {}

Decision Checker::check(const Inbound& in) const {
  const auto now = now_();
  DeadlineResolver lookups(dns_, std::chrono::steady_clock::now() + settings_.max_time);
  const size_t header_end = in.message.find("\r\n\r\n");
  const size_t header_bytes =
      header_end == std::string_view::npos ? in.message.size() : header_end + 4;
  // A huge header makes signature checks costly (each signature selects its fields from
  // all of them): beyond the limit DKIM and ARC are not tried, so nothing aligns by DKIM.
  const bool verify_signatures = header_bytes <= settings_.max_header_bytes;
  std::vector<dkim::Verification> dkim;
  if (verify_signatures) dkim = dkim::verify_message(in.message, lookups, settings_.dkim, now);
  spf::Request request{in.ip, in.sender, in.helo, settings_.authserv_id};
  const spf::Verdict spf = spf::check(request, lookups, settings_.spf);
  arc::Verdict arc;
  if (verify_signatures) arc = arc::verify(in.message, lookups, settings_.arc, now);

  AuthResults results{settings_.authserv_id, {}};
  if (dkim.empty()) results.results.push_back(MethodResult{"dkim", "none", {}, {}, {}});
  for (const auto& v : dkim) results.results.push_back(dkim_result(v));
  results.results.push_back(spf_result(spf, in));

  Decision decision;
  MethodResult dmarc_line{"dmarc", "none", {}, {}, {}};
  auto from = dmarc::from_domain(in.message);
  dmarc::Verdict verdict;
  dmarc::Input input;
  if (!from) {
    // RFC 7489 §6.6.1: without exactly one author domain DMARC cannot be applied.
    verdict.result = dmarc::Outcome::permerror;
    verdict.reason = from.error().message;
    dmarc_line.result = "permerror";
    dmarc_line.reason = from.error().message;
    // Ambiguous or unusable author domains are refused; a message naming no domain at all
    // impersonates nobody and passes with permerror.
    if (settings_.enforce_dmarc && from.error().kind == ErrorKind::invalid) {
      decision.action = Action::reject;
      decision.reason = fmt::format(
          "Message rejected: it needs exactly one author address with a valid domain "
          "(RFC 7489 section 6.6.1): {}",
          from.error().message);
    }
  } else {
    input.from_domain = *from;
    input.spf_domain = spf.domain;
    input.spf_pass = spf.result == spf::Outcome::pass;
    // A check that failed on DNS counts (RFC 7489 §6.6.2: temperror, no policy) only when
    // it was for the author's own organisational domain: otherwise a forger could add a
    // signature or a MAIL FROM domain whose DNS never answers and so escape the policy.
    const std::string org = psl_.organizational_domain(*from);
    input.spf_temperror = spf.result == spf::Outcome::temperror &&
                          iequals(psl_.organizational_domain(spf.domain), org);
    input.dkim_temperror = std::any_of(dkim.begin(), dkim.end(), [&](const dkim::Verification& v) {
      return v.status == dkim::Status::temperror &&
             iequals(psl_.organizational_domain(v.domain), org);
    });
    for (const auto& v : dkim)
      if (v.status == dkim::Status::pass) input.dkim_pass_domains.push_back(v.domain);
    verdict = dmarc::evaluate(input, lookups, psl_, sample_());
    dmarc_line.result = std::string(dmarc::to_string(verdict.result));
    if (verdict.record)
      dmarc_line.comment =
          fmt::format("p={} dis={}", policy_name(verdict.policy), policy_name(verdict.disposition));
    if (verdict.result != dmarc::Outcome::pass && !verdict.reason.empty())
      dmarc_line.reason = verdict.reason;
    dmarc_line.properties.push_back({"header.from", *from});

    if (verdict.result == dmarc::Outcome::fail && settings_.enforce_dmarc &&
        verdict.disposition != dmarc::Policy::none) {
      const bool vouched = arc.status == arc::Status::pass &&
                           contains_domain(settings_.trusted_arc_sealers, arc.sealer) &&
                           sealer_vouches(in.message, arc.instance, org, psl_);
      if (vouched) {
        dmarc_line.comment += fmt::format(" override=trusted_forwarder sealer={}", arc.sealer);
      } else if (verdict.disposition == dmarc::Policy::quarantine) {
        decision.action = Action::quarantine;
      } else {
        decision.action = Action::reject;
        decision.reason =
            fmt::format("Message rejected: it fails the DMARC policy of {} (RFC 7489)", *from);
      }
    } else if (verdict.result == dmarc::Outcome::temperror && settings_.enforce_dmarc &&
               verdict.record && verdict.policy != dmarc::Policy::none) {
      // The author's domain asks for quarantine or reject and its own DNS failed us: the
      // sender retries, rather than the message passing unjudged.
      decision.action = Action::defer;
      decision.reason =
          fmt::format("Authentication of {} could not be completed (DNS), try again later", *from);
    }
  }
  results.results.push_back(std::move(dmarc_line));

  MethodResult arc_line{"arc", std::string(arc::to_string(arc.status)), {}, {}, {}};
  if (arc.status == arc::Status::fail && !arc.reason.empty()) arc_line.reason = arc.reason;
  if (arc.status != arc::Status::none) {
    arc_line.comment = fmt::format("i={} sealer={}", arc.instance, arc.sealer);
    arc_line.properties.push_back({"smtp.remote-ip", in.ip});
  }
  results.results.push_back(std::move(arc_line));

  decision.header = render(results);
  std::string dkim_summary;
  for (const auto& v : dkim)
    dkim_summary +=
        fmt::format(" dkim={} (d={} s={})", dkim::to_string(v.status), v.domain, v.selector);
  if (dkim.empty()) dkim_summary = " dkim=none";
  if (!verify_signatures)
    dkim_summary += fmt::format(" (header of {} octets: signatures not verified)", header_bytes);
  decision.summary = fmt::format(
      "authentication:{} spf={} (domain={}) dmarc={} (from={}) arc={} action={}", dkim_summary,
      spf::to_string(spf.result), spf.domain, dmarc::to_string(verdict.result),
      from ? *from : std::string("-"), arc::to_string(arc.status), to_string(decision.action));

  if (reports_ && verdict.record && from) {
    // RFC 7489 §7.2: one row per message, with every DKIM result (not only the passes) and
    // the SPF result as they were, and the disposition actually applied.
    dmarc::ReportEntry entry = dmarc::report_entry(
        input, verdict, in.ip,
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    entry.dkim.clear();
    for (const auto& v : dkim)
      entry.dkim.push_back({v.domain, v.selector, std::string(dkim::to_string(v.status))});
    entry.spf.result = std::string(spf::to_string(spf.result));
    if (in.sender.empty()) entry.spf.scope = "helo";
    entry.disposition = decision.action == Action::quarantine ? dmarc::Policy::quarantine
                        : decision.action == Action::reject   ? dmarc::Policy::reject
                                                              : dmarc::Policy::none;
    if (auto appended = reports_->append(entry); !appended)
      decision.summary += " (report data not written: " + appended.error().message + ")";
  }
  return decision;
}

}  // namespace postamt::mailauth
