// libFuzzer: a DMARC record comes from anyone's DNS. parse_record must accept or reject
// it without crashing, and what it accepts keeps the record's invariants: it started
// with v=DMARC1, pct is 0-100, fo is a colon list of 0/1/d/s, and every URI kept has a
// scheme.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "mailauth/dmarc/dmarc.h"

namespace {
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "record_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postamt::dmarc;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = parse_record(text);
  if (!record) return 0;
  check(is_dmarc_record(text));
  check(record->pct >= 0 && record->pct <= 100);
  check(!record->fo.empty() && record->fo.size() % 2 == 1);
  for (size_t i = 0; i < record->fo.size(); ++i)
    check(i % 2 == 1 ? record->fo[i] == ':'
                     : std::string_view("01ds").find(record->fo[i]) != std::string_view::npos);
  for (const auto& list : {record->rua, record->ruf})
    for (const std::string& uri : list) check(uri.find(':') != std::string::npos);
  return 0;
}
