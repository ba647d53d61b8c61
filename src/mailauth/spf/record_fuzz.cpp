// libFuzzer target: the SPF record parser (record.h), macro expansion of what it
// accepts (macro.h), and a whole check() (spf.h) over a fake zone in which the input
// is the record of example.com and of an include target. Checks:
//   - an accepted record's CIDR lengths are in range and its terms are non-empty;
//   - every domain-spec the parser accepted expands (the parser ran the same syntax);
//   - an evaluation stays within the lookups §4.6.4 allows and yields a §2.6 result.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dns/testing/fake_resolver.h"
#include "mailauth/spf/macro.h"
#include "mailauth/spf/record.h"
#include "mailauth/spf/spf.h"

namespace {

using namespace postamt;
using namespace postamt::spf;

[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "record_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define expect(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

// 1 TXT, at most 10 DNS terms of at most 1 + 10 lookups each (mx), their TXT for
// include/redirect, the PTR validation once (1 + 10), the exp TXT.
constexpr int kMaxLookups = 1 + 10 * 12 + 11 + 1;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string txt(reinterpret_cast<const char*>(data), size);
  if (auto record = parse_record(txt)) {
    MacroValues values;
    values.sender = "user@example.com";
    values.local_part = "user";
    values.sender_domain = values.domain = "example.com";
    values.ip = *Address::parse("192.0.2.1");
    for (const Mechanism& m : record->mechanisms) {
      expect(!m.text.empty());
      expect(m.prefix4 >= 0 && m.prefix4 <= 32 && m.prefix6 >= 0 && m.prefix6 <= 128);
      expect(m.domain_spec.empty() || expand_macros(m.domain_spec, values, MacroUse::domain_spec));
    }
    expect(!record->redirect || expand_macros(*record->redirect, values, MacroUse::domain_spec));
    expect(!record->explanation ||
           expand_macros(*record->explanation, values, MacroUse::domain_spec));
  }
  dns::testing::FakeResolver dns;
  dns.add_txt("example.com", txt);
  dns.add_txt("inc.example.com", txt);
  dns.add_a("example.com", "192.0.2.1");
  dns.add_mx("example.com", 10, "example.com");
  dns.add_ptr("192.0.2.1", "example.com");
  const Request request{"192.0.2.1", "user@example.com", "client.example.net", "mx.example", 1};
  const Verdict v = check(request, dns);
  expect(dns.lookups() <= kMaxLookups);
  expect(!to_string(v.result).empty());
  expect(v.result == Outcome::fail || v.explanation.empty());
  return 0;
}
