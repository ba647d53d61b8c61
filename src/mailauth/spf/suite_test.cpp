// The openspf.org RFC 7208 test suite (testdata/openspf-rfc7208.tsv, converted from the
// YAML Debian ships in python3-spf by testdata/convert_openspf.py) run against
// check() with a FakeResolver per scenario.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/strings.h"
#include "dns/testing/fake_resolver.h"
#include "mailauth/spf/spf.h"

namespace postamt::spf {
namespace {

std::string unescape(std::string_view field) {
  if (field == "\\x") return "";
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && field[i + 1] == 'x') {
      out += static_cast<char>(hex_value(field[i + 2]) * 16 + hex_value(field[i + 3]));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

struct Case {
  std::string id, spec, ip, mailfrom, helo;
  std::set<std::string> results;
  std::optional<std::string> explanation;
};

struct Scenario {
  std::string description;
  std::vector<std::vector<std::string>> zone;  // the zone lines, fields unescaped
  std::vector<Case> cases;
};

std::vector<Scenario> load() {
  const char* root = std::getenv("POSTAMT_SOURCE_DIR");
  std::ifstream in(std::string(root ? root : ".") +
                   "/src/mailauth/spf/testdata/openspf-rfc7208.tsv");
  std::vector<Scenario> scenarios;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> f;
    for (std::string_view field : split(line, '\t')) f.push_back(unescape(field));
    if (f[0] == "scenario") {
      scenarios.push_back({f.at(1), {}, {}});
    } else if (f[0] == "case") {
      Case c{f.at(1), f.at(2), f.at(3), f.at(4), f.at(5), {}, std::nullopt};
      for (std::string_view r : split(f.at(6), ',')) c.results.insert(std::string(r));
      if (f.at(7) != "-") c.explanation = f.at(7);
      scenarios.back().cases.push_back(std::move(c));
    } else {
      scenarios.back().zone.push_back(std::move(f));
    }
  }
  return scenarios;
}

void fill(dns::testing::FakeResolver& dns, const Scenario& scenario) {
  for (const auto& f : scenario.zone) {
    if (f[0] == "txt")
      dns.add_txt(f[1], f[2]);
    else if (f[0] == "a")
      dns.add_a(f[1], f[2]);
    else if (f[0] == "aaaa")
      dns.add_aaaa(f[1], f[2]);
    else if (f[0] == "mx")
      dns.add_mx(f[1], static_cast<uint16_t>(std::stoi(f[2])), f[3]);
    else if (f[0] == "ptr")
      dns.add_ptr(f[1], f[2]);
    else if (f[0] == "empty")
      dns.add_empty(f[1]);
    else if (f[0] == "timeout")
      dns.fail(f[1], ErrorKind::temporary, "timeout");
    else
      ADD_FAILURE() << "unknown zone line " << f[0];
  }
}

// Where we answer differently from the suite, and why. Each entry is checked: the case
// must give exactly the result/explanation noted here.
struct Deviation {
  std::string result;
  std::string explanation;
  std::string why;
};
const std::map<std::string, Deviation>& deviations() {
  static const std::map<std::string, Deviation> kDeviations = {
      {"v-macro-ip6",
       {"fail",
        "cafe:babe::1 is queried as "
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.e.b.a.b.e.f.a.c.ip6.arpa",
        "RFC 7208 7.4 writes the %{ir} nibbles of IPv6 in lower case; the suite expects "
        "upper case"}},
  };
  return kDeviations;
}

TEST(OpenSpfSuite, EveryCase) {
  const std::vector<Scenario> scenarios = load();
  size_t cases = 0;
  for (const auto& scenario : scenarios) {
    for (const auto& c : scenario.cases) {
      ++cases;
      SCOPED_TRACE(scenario.description + " / " + c.id + " (RFC 7208 " + c.spec + ")");
      dns::testing::FakeResolver dns;
      fill(dns, scenario);
      Request request{c.ip, c.mailfrom, c.helo, "", 1700000000};
      const Verdict v = check(request, dns);
      const std::string result(to_string(v.result));
      if (auto d = deviations().find(c.id); d != deviations().end()) {
        EXPECT_EQ(result, d->second.result);
        EXPECT_EQ(v.explanation, d->second.explanation);
        continue;
      }
      EXPECT_TRUE(c.results.contains(result))
          << "got " << result << " (" << v.problem << "), mechanism " << v.mechanism;
      // "DEFAULT" is the suite's name for the checker's own default explanation: ours
      // is empty (RFC 7208 6.2 allows either).
      if (c.explanation && v.result == Outcome::fail) {
        EXPECT_EQ(v.explanation, *c.explanation == "DEFAULT" ? "" : *c.explanation);
      }
    }
  }
  // The 2014.04 release: 16 scenarios, 203 cases.
  EXPECT_EQ(scenarios.size(), 16u);
  EXPECT_EQ(cases, 203u);
}

}  // namespace
}  // namespace postamt::spf
