#include "metrics/testing/text_format_parser.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include "metrics/registry.h"

namespace postamt::metrics::testing {
namespace {

[[noreturn]] void fail(size_t line, const std::string& what) {
  throw std::runtime_error("line " + std::to_string(line) + ": " + what);
}

double parse_number(std::string_view s, size_t line) {
  if (s == "+Inf") return HUGE_VAL;
  if (s == "-Inf") return -HUGE_VAL;
  if (s == "NaN") return NAN;
  if (s.empty()) fail(line, "empty value");
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      fail(line, "bad number \"" + std::string(s) + "\"");
  std::string copy(s);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) fail(line, "bad number \"" + copy + "\"");
  return v;
}

std::string unescape(std::string_view s, bool quote_allowed, size_t line) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 1 == s.size()) fail(line, "backslash at the end");
    const char c = s[++i];
    if (c == '\\')
      out += '\\';
    else if (c == 'n')
      out += '\n';
    else if (c == '"' && quote_allowed)
      out += '"';
    else
      fail(line, std::string("bad escape \\") + c);
  }
  return out;
}

// name{a="x",b="y"} value
Sample parse_sample(std::string_view text, size_t line) {
  Sample s;
  size_t i = 0;
  while (i < text.size() && text[i] != '{' && text[i] != ' ') ++i;
  s.name = std::string(text.substr(0, i));
  if (!valid_metric_name(s.name)) fail(line, "bad metric name \"" + s.name + "\"");
  if (i < text.size() && text[i] == '{') {
    ++i;
    while (true) {
      if (i >= text.size()) fail(line, "unterminated label set");
      if (text[i] == '}') {
        ++i;
        break;
      }
      size_t eq = text.find('=', i);
      if (eq == std::string_view::npos) fail(line, "label without '='");
      std::string label(text.substr(i, eq - i));
      if (!valid_label_name(label)) fail(line, "bad label name \"" + label + "\"");
      if (eq + 1 >= text.size() || text[eq + 1] != '"') fail(line, "label value not quoted");
      size_t j = eq + 2;
      while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      if (j >= text.size()) fail(line, "unterminated label value");
      std::string value = unescape(text.substr(eq + 2, j - eq - 2), true, line);
      if (!s.labels.emplace(label, value).second) fail(line, "label \"" + label + "\" twice");
      i = j + 1;
      if (i < text.size() && text[i] == ',') {
        ++i;
        if (i < text.size() && text[i] == '}') fail(line, "trailing comma in label set");
      } else if (i >= text.size() || text[i] != '}') {
        fail(line, "expected ',' or '}' after a label");
      }
    }
  }
  if (i >= text.size() || text[i] != ' ') fail(line, "expected one space before the value");
  std::string_view rest = text.substr(i + 1);
  if (rest.find(' ') != std::string_view::npos) fail(line, "unexpected text after the value");
  s.value = parse_number(rest, line);
  return s;
}

std::string family_of(const std::string& sample, const std::map<std::string, ParsedFamily>& fams) {
  if (fams.count(sample)) return sample;
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (sample.size() > suffix.size() && sample.ends_with(suffix)) {
      std::string base = sample.substr(0, sample.size() - suffix.size());
      auto it = fams.find(base);
      if (it != fams.end() && it->second.type == "histogram") return base;
    }
  }
  return {};
}

void check_histogram(const std::string& name, const ParsedFamily& f) {
  // Per label set without le: the buckets in order, the sum and the count.
  struct Series {
    std::vector<std::pair<double, double>> buckets;
    bool has_sum = false;
    double count = -1;
  };
  std::map<std::map<std::string, std::string>, Series> series;
  for (const Sample& s : f.samples) {
    auto labels = s.labels;
    if (s.name == name + "_bucket") {
      auto le = labels.find("le");
      if (le == labels.end()) throw std::runtime_error(name + ": bucket without le");
      double bound = parse_number(le->second, 0);
      labels.erase(le);
      series[labels].buckets.emplace_back(bound, s.value);
    } else if (s.name == name + "_sum") {
      series[labels].has_sum = true;
    } else if (s.name == name + "_count") {
      series[labels].count = s.value;
    } else {
      throw std::runtime_error(name + ": sample " + s.name + " in a histogram");
    }
  }
  for (const auto& [labels, s] : series) {
    if (s.buckets.empty() || !s.has_sum || s.count < 0)
      throw std::runtime_error(name + ": a label set lacks buckets, _sum or _count");
    for (size_t i = 1; i < s.buckets.size(); ++i) {
      if (!(s.buckets[i].first > s.buckets[i - 1].first))
        throw std::runtime_error(name + ": le not ascending");
      if (s.buckets[i].second < s.buckets[i - 1].second)
        throw std::runtime_error(name + ": bucket counts not cumulative");
    }
    if (!std::isinf(s.buckets.back().first))
      throw std::runtime_error(name + ": last bucket is not +Inf");
    if (s.buckets.back().second != s.count)
      throw std::runtime_error(name + ": +Inf bucket differs from _count");
  }
}

}  // namespace

double Parsed::value(const std::string& name,
                     const std::map<std::string, std::string>& labels) const {
  for (const auto& [family, f] : families)
    for (const Sample& s : f.samples)
      if (s.name == name && s.labels == labels) return s.value;
  return -1;
}

Parsed parse_text_format(std::string_view text) {
  Parsed out;
  if (!text.empty() && text.back() != '\n') fail(0, "no newline at the end");
  std::string current;  // the family whose samples are being read
  std::set<std::string> closed;
  std::set<std::pair<std::string, std::map<std::string, std::string>>> seen;
  size_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.starts_with("#")) {
      std::string_view rest;
      bool help = false;
      if (line.starts_with("# HELP ")) {
        rest = line.substr(7);
        help = true;
      } else if (line.starts_with("# TYPE ")) {
        rest = line.substr(7);
      } else {
        fail(line_no, "a comment other than HELP or TYPE");
      }
      size_t space = rest.find(' ');
      if (space == std::string_view::npos) fail(line_no, "HELP/TYPE without text");
      std::string name(rest.substr(0, space));
      if (!valid_metric_name(name)) fail(line_no, "bad metric name \"" + name + "\"");
      if (closed.count(name)) fail(line_no, name + ": HELP/TYPE after its samples ended");
      if (name != current) {
        if (!current.empty()) closed.insert(current);
        current = name;
        if (!out.families.count(name)) out.order.push_back(name);
      }
      ParsedFamily& f = out.families[name];
      if (help) {
        if (!f.help.empty()) fail(line_no, name + ": second HELP");
        if (!f.samples.empty()) fail(line_no, name + ": HELP after samples");
        f.help = unescape(rest.substr(space + 1), false, line_no);
      } else {
        std::string type(rest.substr(space + 1));
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
            type != "untyped")
          fail(line_no, "unknown type \"" + type + "\"");
        if (!f.type.empty()) fail(line_no, name + ": second TYPE");
        if (!f.samples.empty()) fail(line_no, name + ": TYPE after samples");
        f.type = type;
      }
      continue;
    }
    Sample s = parse_sample(line, line_no);
    const std::string family = family_of(s.name, out.families);
    if (family.empty() || out.families[family].type.empty())
      fail(line_no, s.name + ": sample without a TYPE line before it");
    if (family != current) fail(line_no, s.name + ": samples of " + family + " are split up");
    if (!seen.emplace(s.name, s.labels).second) fail(line_no, s.name + ": duplicate series");
    if (out.families[family].type == "counter" && !(s.value >= 0))
      fail(line_no, s.name + ": counter below 0");
    if (out.families[family].type != "histogram" && s.labels.count("le") == 0 && s.name != family)
      fail(line_no, s.name + ": name differs from its family");
    out.families[family].samples.push_back(std::move(s));
  }
  for (const auto& [name, f] : out.families) {
    if (f.type.empty()) throw std::runtime_error(name + ": HELP without TYPE");
    if (f.type == "histogram") check_histogram(name, f);
  }
  return out;
}

}  // namespace postamt::metrics::testing
