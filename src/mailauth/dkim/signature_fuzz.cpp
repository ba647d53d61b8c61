// libFuzzer target for the DKIM-Signature parser (signature.h) and the tag-list parser
// under it. Checks the contract: a parsed signature has the required tags' values (non-
// empty b=, bh=, d=, s=, an h= that lists from), i= within d=, and x= after t=.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "mailauth/dkim/hash.h"
#include "mailauth/dkim/signature.h"

namespace {

[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "signature_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postamt::dkim;
  std::string_view value(reinterpret_cast<const char*>(data), size);
  auto sig = parse_signature(value);
  if (sig) {
    check(!sig->signature.empty() && !sig->body_hash.empty());
    check(!sig->domain.empty() && !sig->selector.empty());
    bool from = false;
    for (const auto& h : sig->signed_headers) from = from || h == "from";
    check(from);
    check(sig->identity.find('@') != std::string::npos);
    check(!(sig->timestamp && sig->expiration) || *sig->expiration > *sig->timestamp);
    auto blanked = without_b_value("DKIM-Signature:" + std::string(value));
    check(blanked.ok());
    check(blanked->find("b=" + sig->signature_base64) == std::string::npos ||
          sig->signature_base64.size() < 4);
  }
  return 0;
}
