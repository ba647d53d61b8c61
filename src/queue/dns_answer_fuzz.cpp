// libFuzzer: DNS answers come from the network; parse_dns_answer must never read out of
// bounds or loop, whatever the bytes (compression loops, lengths past the end).
//
// What it returns goes on: an A/AAAA record is an address literal to connect to, an MX
// host becomes a DNS query, a TLS server name, a "relay=" log field and a DSN's
// Remote-MTA field. So every A record is an IPv4 literal, every AAAA an IPv6 literal,
// every MX "pref host" with a host name of LDH labels (or "" for the null MX), and an
// error has one of the documented kinds.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "queue/dns.h"

namespace {
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "dns_answer_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

bool is_address(const std::string& text, int family) {
  unsigned char bytes[16];
  return inet_pton(family, text.c_str(), bytes) == 1;
}

// RFC 1123 §2.1 / RFC 5321 §2.3.5 host name (underscores tolerated), lower case.
bool is_host_name(std::string_view name) {
  if (name.empty()) return true;  // the null MX "." (RFC 7505)
  if (name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
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

bool is_mx(const std::string& text) {
  size_t sp = text.find(' ');
  if (sp == 0 || sp == std::string::npos || sp > 5) return false;
  for (size_t i = 0; i < sp; ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  return std::stoul(text.substr(0, sp)) <= 65535 && is_host_name(text.substr(sp + 1));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using postamt::ErrorKind;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (uint16_t type : {1, 15, 28}) {
    auto r = postamt::queue::parse_dns_answer(bytes, type, "x.test");
    if (!r) {
      ErrorKind k = r.error().kind;
      check(k == ErrorKind::invalid || k == ErrorKind::not_found || k == ErrorKind::temporary);
      continue;
    }
    for (const std::string& rdata : *r) {
      if (type == 1) check(is_address(rdata, AF_INET));
      if (type == 28) check(is_address(rdata, AF_INET6));
      if (type == 15) check(is_mx(rdata));
    }
  }
  return 0;
}
