// libFuzzer: MTA-STS policy bodies come from any web server a recipient domain names;
// parse_policy must never read out of bounds or loop, whatever the bytes.
//
// What it returns goes on: the mx patterns are compared with MX host names and written
// to TLS-RPT reports, the lines into the cache file and the reports. So a parsed policy
// has max_age within RFC 8461's year, at least one mx unless its mode is none, every mx
// a lower-case host name or "*." and one, lines without line ends, and it survives the
// cache file unchanged. The same bytes as a TXT record give an id of 1-32 letters and
// digits or an invalid error.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "queue/mta_sts.h"

namespace {
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "mta_sts_policy_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

bool is_pattern(std::string_view p) {
  if (p.starts_with("*.")) p.remove_prefix(2);
  if (p.empty() || p.size() > 253) return false;
  size_t label = 0;
  for (char c : p) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label != 0;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace sts = postamt::queue::mta_sts;
  using postamt::ErrorKind;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto policy = sts::parse_policy(bytes);
  if (!policy) {
    check(policy.error().kind == ErrorKind::invalid);
  } else {
    check(policy->max_age <= sts::kMaxMaxAge);
    check(policy->mode == sts::Mode::none || !policy->mx.empty());
    for (const std::string& mx : policy->mx) check(is_pattern(mx));
    for (const std::string& line : policy->lines)
      check(line.find_first_of("\r\n") == std::string::npos);
    policy->id = "fuzz1";
    auto when = postamt::queue::from_unix(1700000000);
    auto back = sts::parse_cache_file(sts::format_cache_file(*policy, when));
    check(back.ok());
    check(back->fetched == when);
    check(back->policy.id == "fuzz1" && back->policy.mode == policy->mode &&
          back->policy.mx == policy->mx && back->policy.max_age == policy->max_age &&
          back->policy.lines == policy->lines);
    for (const std::string& mx : policy->mx)
      if (!mx.starts_with("*.")) check(sts::mx_matches(*policy, mx));
  }

  auto id = sts::parse_txt_id(bytes);
  if (!id) {
    check(id.error().kind == ErrorKind::invalid);
  } else {
    check(!id->empty() && id->size() <= 32);
    for (char c : *id)
      check((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  }
  return 0;
}
