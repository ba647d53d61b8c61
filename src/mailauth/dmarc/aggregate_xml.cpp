// The RFC 7489 Appendix C aggregate report as XML.
#include <fmt/format.h>

#include <unordered_map>

#include "base/strings.h"
#include "base/xml_escape.h"
#include "mailauth/dmarc/aggregate.h"

namespace postamt::dmarc {
namespace {

// Two entries fall into one <record> when everything but the time (and the published
// record) is equal: the key is those fields, each prefixed with its length.
std::string row_key(const ReportEntry& e) {
  std::string key;
  auto add = [&key](std::string_view field) {
    key += std::to_string(field.size());
    key += ':';
    key += field;
  };
  for (std::string_view f : {std::string_view(e.source_ip), std::string_view(e.header_from),
                             std::string_view(e.envelope_from), to_string(e.result),
                             to_string(e.policy), to_string(e.disposition)})
    add(f);
  add(e.dkim_aligned ? "1" : "0");
  add(e.spf_aligned ? "1" : "0");
  add(std::to_string(e.dkim.size()));
  for (const DkimResult& d : e.dkim) {
    add(d.domain);
    add(d.selector);
    add(d.result);
  }
  add(e.spf.domain);
  add(e.spf.scope);
  add(e.spf.result);
  return key;
}

void append_record(std::string& out, const ReportEntry& e, size_t count) {
  out += "  <record>\n    <row>\n";
  out += fmt::format("      <source_ip>{}</source_ip>\n", xml_escape(e.source_ip));
  out += fmt::format("      <count>{}</count>\n", count);
  out += "      <policy_evaluated>\n";
  out += fmt::format("        <disposition>{}</disposition>\n", to_string(e.disposition));
  out += fmt::format("        <dkim>{}</dkim>\n", e.dkim_aligned ? "pass" : "fail");
  out += fmt::format("        <spf>{}</spf>\n", e.spf_aligned ? "pass" : "fail");
  // §6.6.4 and §7.2: a policy not enacted because of pct is reported as sampled out.
  if (e.result == Outcome::fail && e.disposition != e.policy)
    out += "        <reason>\n          <type>sampled_out</type>\n        </reason>\n";
  out += "      </policy_evaluated>\n    </row>\n    <identifiers>\n";
  if (!e.envelope_from.empty())
    out += fmt::format("      <envelope_from>{}</envelope_from>\n", xml_escape(e.envelope_from));
  out += fmt::format("      <header_from>{}</header_from>\n", xml_escape(e.header_from));
  out += "    </identifiers>\n    <auth_results>\n";
  for (const DkimResult& d : e.dkim) {
    out += fmt::format("      <dkim>\n        <domain>{}</domain>\n", xml_escape(d.domain));
    if (!d.selector.empty())
      out += fmt::format("        <selector>{}</selector>\n", xml_escape(d.selector));
    out += fmt::format("        <result>{}</result>\n      </dkim>\n", xml_escape(d.result));
  }
  // "There will always be at least one SPF result" (Appendix C AuthResultType).
  out += fmt::format(
      "      <spf>\n        <domain>{}</domain>\n        <scope>{}</scope>\n"
      "        <result>{}</result>\n      </spf>\n",
      xml_escape(e.spf.domain), xml_escape(e.spf.scope), xml_escape(e.spf.result));
  out += "    </auth_results>\n  </record>\n";
}

}  // namespace

Result<std::string> aggregate_xml(const ReportMeta& meta, std::string_view domain,
                                  std::span<const ReportEntry> entries) {
  std::vector<const ReportEntry*> rows;
  std::vector<size_t> counts;
  std::unordered_map<std::string, size_t> index;  // row key -> position in rows
  const ReportEntry* latest = nullptr;
  for (const ReportEntry& e : entries) {
    if (!iequals(e.policy_domain, domain)) continue;
    latest = &e;
    auto [it, added] = index.try_emplace(row_key(e), rows.size());
    if (added) {
      rows.push_back(&e);
      counts.push_back(0);
    }
    ++counts[it->second];
  }
  if (!latest) return Error{ErrorKind::not_found, fmt::format("no DMARC data for {}", domain)};

  const Record& p = latest->published;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n";
  out += "  <version>1.0</version>\n  <report_metadata>\n";
  out += fmt::format("    <org_name>{}</org_name>\n", xml_escape(meta.org_name));
  out += fmt::format("    <email>{}</email>\n", xml_escape(meta.email));
  out += fmt::format("    <report_id>{}</report_id>\n", xml_escape(meta.report_id));
  out += fmt::format(
      "    <date_range>\n      <begin>{}</begin>\n      <end>{}</end>\n    </date_range>\n",
      meta.begin, meta.end);
  out += "  </report_metadata>\n  <policy_published>\n";
  out += fmt::format("    <domain>{}</domain>\n", xml_escape(latest->policy_domain));
  out += fmt::format("    <adkim>{}</adkim>\n", to_string(p.adkim));
  out += fmt::format("    <aspf>{}</aspf>\n", to_string(p.aspf));
  out += fmt::format("    <p>{}</p>\n", to_string(p.p));
  // sp is required by the schema; absent from the record, p applies to subdomains (§6.3).
  out += fmt::format("    <sp>{}</sp>\n", to_string(p.sp.value_or(p.p)));
  out += fmt::format("    <pct>{}</pct>\n", p.pct);
  out += fmt::format("    <fo>{}</fo>\n", xml_escape(p.fo));
  out += "  </policy_published>\n";
  for (size_t i = 0; i < rows.size(); ++i) append_record(out, *rows[i], counts[i]);
  out += "</feedback>\n";
  return out;
}

}  // namespace postamt::dmarc
