// libFuzzer target for the SASL decoders: the first byte picks a mechanism, the rest is
// split at '\n' into client lines that go through decode_initial_response /
// decode_sasl_line exactly as a session would feed them, then into the mechanism.
// SCRAM lookups are answered alternately with a real verifier and with "unknown user".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/sasl.h"

namespace {

using namespace postamt::auth;

const ScramVerifier& verifier() {
  static const ScramVerifier v = *derive_scram_verifier("pencil", "0123456789abcdef", 4096);
  return v;
}

void drive(Mechanism& m, std::string_view input, bool known_user) {
  size_t nl = input.find('\n');
  std::string_view first = input.substr(0, nl);
  std::optional<std::string> initial;
  if (!first.empty()) {
    auto decoded = decode_initial_response(first);
    if (decoded) initial = std::move(*decoded);
  }
  SaslStep step = m.start(initial ? std::optional<std::string_view>(*initial) : std::nullopt);
  input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  for (int rounds = 0; rounds < 16; ++rounds) {
    if (std::holds_alternative<LookupScramVerifier>(step)) {
      step =
          m.supply_verifier(known_user ? std::optional<ScramVerifier>(verifier()) : std::nullopt);
      continue;
    }
    if (!std::holds_alternative<Challenge>(step) || input.empty()) return;
    nl = input.find('\n');
    auto line = decode_sasl_line(input.substr(0, nl));
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    if (!line || std::holds_alternative<SaslCancel>(*line)) return;
    step = m.step(std::get<std::string>(*line));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kNames[] = {"PLAIN", "LOGIN", "SCRAM-SHA-256"};
  MechanismOptions options;
  options.scram = ScramSupport::enabled;
  options.limits.max_response_bytes = 1024;
  options.nonce = [] { return std::string("fuzznonce"); };
  auto m = create_mechanism(kNames[data[0] % 3], PlaintextMechanisms::allowed, options);
  if (!m) __builtin_trap();
  drive(**m, std::string_view(reinterpret_cast<const char*>(data + 1), size - 1),
        (data[0] & 4) != 0);
  return 0;
}
