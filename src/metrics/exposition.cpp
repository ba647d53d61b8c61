#include "metrics/exposition.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace postamt::metrics {
namespace {

using Values = std::vector<std::string>;

// `{a="x",b="y"}` for the family's label names and these values, plus an optional last
// pair (the histogram's le); "" when there is nothing to write.
std::string label_set(const std::vector<std::string>& names, const Values& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += escape_label_value(extra_value);
    out += '"';
  }
  out += '}';
  return out;
}

template <class M>
std::vector<std::pair<Values, const M*>> sorted_children(const auto& family) {
  std::vector<std::pair<Values, const M*>> children;
  family.for_each([&children](const Values& v, const M& m) { children.emplace_back(v, &m); });
  std::sort(children.begin(), children.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return children;
}

void write_header(const Descriptor& d, std::string& out) {
  static constexpr std::string_view kTypes[] = {"counter", "gauge", "histogram"};
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", d.name, escape_help(d.help), d.name,
                     kTypes[static_cast<int>(d.type)]);
}

void write_family(const FamilyBase& base, std::string& out) {
  const Descriptor& d = base.descriptor();
  write_header(d, out);
  switch (d.type) {
    case Type::counter:
      for (const auto& [values, c] :
           sorted_children<Counter>(static_cast<const CounterFamily&>(base)))
        out += fmt::format("{}{} {}\n", d.name, label_set(d.label_names, values), c->value());
      break;
    case Type::gauge:
      for (const auto& [values, g] : sorted_children<Gauge>(static_cast<const GaugeFamily&>(base)))
        out += fmt::format("{}{} {}\n", d.name, label_set(d.label_names, values),
                           format_value(g->value()));
      break;
    case Type::histogram:
      for (const auto& [values, h] :
           sorted_children<Histogram>(static_cast<const HistogramFamily&>(base))) {
        const Histogram::Snapshot s = h->snapshot();
        for (size_t i = 0; i < s.cumulative.size(); ++i) {
          const std::string le = i < d.bounds.size() ? format_value(d.bounds[i]) : "+Inf";
          out += fmt::format("{}_bucket{} {}\n", d.name, label_set(d.label_names, values, "le", le),
                             s.cumulative[i]);
        }
        const std::string labels = label_set(d.label_names, values);
        out += fmt::format("{}_sum{} {}\n", d.name, labels, format_value(s.sum));
        out += fmt::format("{}_count{} {}\n", d.name, labels, s.count);
      }
      break;
  }
}

}  // namespace

std::string escape_help(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Whole numbers below 2^53 as integers ("3", not "3e+00"); others in the shortest
  // form that reads back as the same double.
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0)
    return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

std::string render(const Registry& registry) {
  registry.collect();
  std::string out;
  for (const FamilyBase* family : registry.families()) write_family(*family, out);
  return out;
}

}  // namespace postamt::metrics
