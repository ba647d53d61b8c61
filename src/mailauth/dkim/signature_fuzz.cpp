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
#include "mailauth/dkim/tag_list.h"

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
    // Blanking b= removes exactly its value (RFC 6376 §3.7) and keeps everything else.
    std::string field = "DKIM-Signature:" + std::string(value);
    if (field.ends_with("\r\n")) field.resize(field.size() - 2);
    auto tags = TagList::parse(std::string_view(field).substr(15));
    check(tags.ok() && tags->find("b") != nullptr);
    auto blanked = without_b_value(field);
    check(blanked.ok());
    check(blanked->size() == field.size() - tags->find("b")->value.size());
  }
  return 0;
}
