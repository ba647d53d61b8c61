// libFuzzer: RDATA comes from the network (through libunbound). The first input octet
// picks the type, the rest is the RDATA. Every decoder must stay inside its input and
// return either a value that holds the documented promises (an address literal, a host
// name of LDH/underscore labels, lower case) or an invalid error.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dns/rdata.h"

namespace {
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "rdata_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

bool is_address(const std::string& text, int family) {
  unsigned char raw[16];
  return inet_pton(family, text.c_str(), raw) == 1;
}

bool is_host_name(const std::string& name) {
  if (name.size() > postamt::dns::kMaxNameOctets) return false;
  bool label_start = true;
  for (char c : name) {
    if (c == '.') {
      if (label_start) return false;
      label_start = true;
      continue;
    }
    label_start = false;
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return name.empty() || !label_start;
}

template <class T>
void check_error(const postamt::Result<T>& r) {
  if (!r) check(r.error().kind == postamt::ErrorKind::invalid);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rdata(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0: {
      auto r = postamt::dns::decode_a(rdata);
      check_error(r);
      if (r) check(is_address(*r, AF_INET));
      break;
    }
    case 1: {
      auto r = postamt::dns::decode_aaaa(rdata);
      check_error(r);
      if (r) check(is_address(*r, AF_INET6));
      break;
    }
    case 2: {
      auto r = postamt::dns::decode_mx(rdata);
      check_error(r);
      if (r) check(is_host_name(r->host));
      break;
    }
    case 3: {
      auto r = postamt::dns::decode_txt(rdata);
      check_error(r);
      if (r) check(r->size() < rdata.size());
      break;
    }
    case 4: {
      auto r = postamt::dns::decode_ptr(rdata);
      check_error(r);
      if (r) check(!r->empty() && is_host_name(*r));
      break;
    }
    default: {
      auto r = postamt::dns::decode_tlsa(rdata);
      check_error(r);
      if (r) check(r->data.size() + 3 == rdata.size());
      break;
    }
  }
  return 0;
}
