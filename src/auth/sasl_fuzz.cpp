// libFuzzer target for the SASL decoders: the first byte picks a mechanism, the rest is
// split at '\n' into client lines that go through decode_initial_response /
// decode_sasl_line exactly as a session would feed them, then into the mechanism.
// SCRAM lookups are answered with a real verifier or with "unknown user" (bit 2).
//
// Checks the outcomes against sasl.h: a Failure has one of the documented kinds; an
// over-long response is a limit failure; CheckPassword and LookupScramVerifier carry
// well-formed names; only SCRAM authenticates by itself, and never an unknown user or
// a name other than the one it looked up; after a terminal outcome every call fails
// with internal.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "auth/sasl.h"

namespace {

using namespace postamt::auth;
using postamt::ErrorKind;

[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "sasl_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

constexpr size_t kMaxResponse = 1024;

const ScramVerifier& verifier() {
  static const ScramVerifier v = *derive_scram_verifier("pencil", "0123456789abcdef", 4096);
  return v;
}

struct Exchange {
  std::string_view mechanism;
  bool known_user = false;
  std::string looked_up;  // the authcid of LookupScramVerifier, once asked
};

// Checks one outcome of a call that was given `response` (nullopt: none).
void check_step(const SaslStep& step, Exchange& x, std::optional<std::string_view> response) {
  const bool scram = x.mechanism == "SCRAM-SHA-256";
  if (response && response->size() > kMaxResponse) {
    auto* f = std::get_if<Failure>(&step);
    check(f && f->error.kind == ErrorKind::limit);
  }
  if (auto* f = std::get_if<Failure>(&step)) {
    ErrorKind k = f->error.kind;
    check(k == ErrorKind::invalid || k == ErrorKind::limit || k == ErrorKind::permission ||
          k == ErrorKind::auth_failed || k == ErrorKind::not_found);
    check(!f->error.message.empty());
  } else if (auto* c = std::get_if<CheckPassword>(&step)) {
    check(!scram);
    // The user name is the client's bytes as sent (sasl.h): the login check judges it.
    check(!c->authcid.empty());
    check(!c->password.empty() && c->password.find('\0') == std::string::npos);
  } else if (auto* l = std::get_if<LookupScramVerifier>(&step)) {
    check(scram && x.looked_up.empty());
    check(!l->authcid.empty() && is_valid_utf8(l->authcid));
    x.looked_up = l->authcid;
  } else if (auto* a = std::get_if<Authenticated>(&step)) {
    // RFC 5802 §9: an unknown user goes through the exchange and fails at the end.
    check(scram && x.known_user && !x.looked_up.empty() && a->authcid == x.looked_up);
  }
}

bool terminal(const SaslStep& step) {
  return !std::holds_alternative<Challenge>(step) &&
         !std::holds_alternative<LookupScramVerifier>(step);
}

void check_internal(const SaslStep& step) {
  auto* f = std::get_if<Failure>(&step);
  check(f && f->error.kind == ErrorKind::internal);
}

void drive(Mechanism& m, std::string_view input, Exchange& x) {
  size_t nl = input.find('\n');
  std::string_view first = input.substr(0, nl);
  std::optional<std::string> initial;
  if (!first.empty()) {
    auto decoded = decode_initial_response(first);
    if (decoded) initial = std::move(*decoded);
  }
  std::optional<std::string_view> given =
      initial ? std::optional<std::string_view>(*initial) : std::nullopt;
  SaslStep step = m.start(given);
  check_step(step, x, given);
  input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  for (int rounds = 0; rounds < 16; ++rounds) {
    if (terminal(step)) {
      check_internal(m.step("x"));
      check_internal(m.supply_verifier(std::nullopt));
      check_internal(m.start(std::nullopt));
      return;
    }
    if (std::holds_alternative<LookupScramVerifier>(step)) {
      step =
          m.supply_verifier(x.known_user ? std::optional<ScramVerifier>(verifier()) : std::nullopt);
      check_step(step, x, std::nullopt);
      continue;
    }
    if (input.empty()) return;
    nl = input.find('\n');
    auto line = decode_sasl_line(input.substr(0, nl));
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    if (!line) {
      check(line.error().kind == ErrorKind::invalid);
      return;
    }
    if (std::holds_alternative<SaslCancel>(*line)) return;
    const std::string& response = std::get<std::string>(*line);
    step = m.step(response);
    check_step(step, x, response);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kNames[] = {"PLAIN", "LOGIN", "SCRAM-SHA-256"};
  MechanismOptions options;
  options.scram = ScramSupport::enabled;
  options.limits.max_response_bytes = kMaxResponse;
  options.nonce = [] { return std::string("fuzznonce"); };
  Exchange x{kNames[data[0] % 3], (data[0] & 4) != 0, {}};
  auto m = create_mechanism(x.mechanism, PlaintextMechanisms::allowed, options);
  if (!m) __builtin_trap();
  check((*m)->name() == x.mechanism);
  drive(**m, std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), x);
  return 0;
}
