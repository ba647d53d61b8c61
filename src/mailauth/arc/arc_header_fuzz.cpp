// libFuzzer target: the ARC header-set parser (header_set.h) over a whole message.
// Checks the contract: a chain that parses has sets 1..N (N <= 50) with one AAR, AMS and
// AS each, views inside the input, cv "none" at 1 and "pass" above, and chain_top() agrees
// with it; a failure is ErrorKind::invalid with a reason.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "mailauth/arc/header_set.h"

using namespace postamt;

namespace {
void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "check failed: %s\n", what);
  std::abort();
}
bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view message(reinterpret_cast<const char*>(data), size);
  const auto header = dkim::split_header(message);
  const arc::ChainTop top = arc::chain_top(header);
  check(top.highest >= 0 && top.highest <= arc::kMaxInstances, "chain_top is within 0..50");
  auto chain = arc::collect_chain(header, arc::kMaxInstances);
  if (!chain) {
    check(chain.error().kind == ErrorKind::invalid, "a failure is ErrorKind::invalid");
    check(!chain.error().message.empty(), "a failure has a reason");
    return 0;
  }
  check(chain->sets.size() <= static_cast<size_t>(arc::kMaxInstances), "at most 50 sets");
  check(top.highest == static_cast<int>(chain->sets.size()) && !top.newest_seal_failed,
        "a valid chain's top is its last set, not failed");
  for (size_t k = 0; k < chain->sets.size(); ++k) {
    const arc::ArcSet& set = chain->sets[k];
    check(set.instance == static_cast<int>(k) + 1, "sets are 1..N in order");
    check(inside(set.aar, message) && inside(set.ams, message) && inside(set.seal, message),
          "fields are views into the message");
    check(arc::field_type(set.aar.substr(0, set.aar.find(':'))) ==
                  arc::FieldType::authentication_results &&
              arc::field_type(set.ams.substr(0, set.ams.find(':'))) ==
                  arc::FieldType::message_signature &&
              arc::field_type(set.seal.substr(0, set.seal.find(':'))) == arc::FieldType::seal,
          "each field is of its kind");
    check(set.cv == (k == 0 ? "none" : "pass"), "cv is none at 1 and pass above");
    check(set.ams_tags.get("bh") && set.seal_tags.get("b") && !set.seal_tags.get("h"),
          "required tags present, no h= in a seal");
    check(arc::aar_instance(arc::field_value(set.aar)).value() == set.instance,
          "the AAR's instance is the set's");
  }
  // Collecting again with a lower limit fails exactly when there are more sets.
  if (!chain->sets.empty()) {
    const int n = static_cast<int>(chain->sets.size());
    check(!arc::collect_chain(header, n - 1).ok() || n == 1, "a limit below N fails");
  }
  return 0;
}
