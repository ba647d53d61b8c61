// libFuzzer target: the ARC header-set parser (header_set.h) over a whole message.
// Checks the contract: a chain that parses has sets 1..N (N <= 50) with one AAR, AMS and
// AS each, views inside the input, cv "none" at 1 and "pass" above; a failure is
// ErrorKind::invalid with a reason.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mailauth/arc/header_set.h"

using namespace postamt;

namespace {
bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view message(reinterpret_cast<const char*>(data), size);
  auto chain = arc::collect_chain(dkim::split_header(message), arc::kMaxInstances);
  if (!chain) {
    if (chain.error().kind != ErrorKind::invalid || chain.error().message.empty()) std::abort();
    return 0;
  }
  if (chain->sets.size() > static_cast<size_t>(arc::kMaxInstances)) std::abort();
  for (size_t k = 0; k < chain->sets.size(); ++k) {
    const arc::ArcSet& set = chain->sets[k];
    if (set.instance != static_cast<int>(k) + 1) std::abort();
    if (!inside(set.aar, message) || !inside(set.ams, message) || !inside(set.seal, message))
      std::abort();
    if (arc::field_type(set.seal.substr(0, set.seal.find(':'))) != arc::FieldType::seal)
      std::abort();
    if (set.cv != (k == 0 ? "none" : "pass")) std::abort();
    if (!set.ams_tags.get("bh") || !set.seal_tags.get("b") || set.seal_tags.get("h")) std::abort();
  }
  return 0;
}
