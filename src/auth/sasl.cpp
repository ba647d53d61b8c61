#include "auth/sasl.h"

#include <openssl/rand.h>

#include "auth/sasl_scram.h"
#include "base/base64.h"
#include "base/strings.h"

namespace postamt::auth {

namespace {

Failure fail(ErrorKind kind, std::string message) {
  return Failure{{kind, std::move(message)}};
}

// RFC 4616: message = [authzid] UTF8NUL authcid UTF8NUL passwd
class Plain final : public Mechanism {
 public:
  explicit Plain(const SaslLimits& limits) : Mechanism(limits) {}
  std::string_view name() const override { return "PLAIN"; }

 protected:
  SaslStep on_start(std::optional<std::string_view> initial_response) override {
    // RFC 4422 §5: without an initial response the server sends an empty challenge.
    // "=" is a zero-length message, which the grammar below rejects.
    if (!initial_response) return Challenge{};
    return on_response(*initial_response);
  }

  SaslStep on_response(std::string_view message) override {
    const size_t nul1 = message.find('\0');
    if (nul1 == std::string_view::npos) return fail(ErrorKind::invalid, "PLAIN needs two NULs");
    const size_t nul2 = message.find('\0', nul1 + 1);
    if (nul2 == std::string_view::npos) return fail(ErrorKind::invalid, "PLAIN needs two NULs");
    if (message.find('\0', nul2 + 1) != std::string_view::npos)
      return fail(ErrorKind::invalid, "NUL inside the PLAIN password");
    const std::string_view authzid = message.substr(0, nul1);
    const std::string_view authcid = message.substr(nul1 + 1, nul2 - nul1 - 1);
    const std::string_view passwd = message.substr(nul2 + 1);
    if (authcid.empty()) return fail(ErrorKind::invalid, "empty PLAIN user name");
    if (passwd.empty()) return fail(ErrorKind::invalid, "empty PLAIN password");
    // The password is passed on as bytes: some clients still send Latin-1 passwords and
    // the stored hash decides. So is the user name: one that no account can have
    // (not UTF-8, control characters) is refused by the login check as a failed login,
    // with its delay and log line, the same answer as for a wrong password.
    if (!authzid.empty() && authzid != authcid)
      return fail(ErrorKind::permission, "acting as another user is not supported");
    return CheckPassword{std::string(authcid), std::string(passwd)};
  }
};

// draft-murchison-sasl-login-00: the server asks "Username:" then "Password:".
class Login final : public Mechanism {
 public:
  explicit Login(const SaslLimits& limits) : Mechanism(limits) {}
  std::string_view name() const override { return "LOGIN"; }

 protected:
  SaslStep on_start(std::optional<std::string_view> initial_response) override {
    // Clients that send an initial response put the user name in it (draft §2.1).
    // An empty one carries nothing, so ask as if there were none (Dovecot does the same).
    if (!initial_response || initial_response->empty()) return Challenge{"Username:"};
    return on_response(*initial_response);
  }

  SaslStep on_response(std::string_view response) override {
    if (!have_username_) {
      if (response.empty()) return fail(ErrorKind::invalid, "empty LOGIN user name");
      // Any bytes: the login check judges the name (see Plain above).
      username_ = std::string(response);
      have_username_ = true;
      return Challenge{"Password:"};
    }
    if (response.empty()) return fail(ErrorKind::invalid, "empty LOGIN password");
    if (response.find('\0') != std::string_view::npos)
      return fail(ErrorKind::invalid, "NUL inside the LOGIN password");
    return CheckPassword{std::move(username_), std::string(response)};
  }

 private:
  std::string username_;
  bool have_username_ = false;
};

}  // namespace

SaslStep Mechanism::start(std::optional<std::string_view> initial_response) {
  if (expect_ != Expect::start) {
    expect_ = Expect::nothing;
    return fail(ErrorKind::internal, "SASL exchange already started");
  }
  if (initial_response) {
    SaslStep too_long = check_size(*initial_response);
    if (std::holds_alternative<Failure>(too_long)) return track(std::move(too_long));
  }
  return track(on_start(initial_response));
}

SaslStep Mechanism::step(std::string_view response) {
  if (expect_ != Expect::response) {
    expect_ = Expect::nothing;
    return fail(ErrorKind::internal, "no SASL challenge is outstanding");
  }
  SaslStep too_long = check_size(response);
  if (std::holds_alternative<Failure>(too_long)) return track(std::move(too_long));
  return track(on_response(response));
}

SaslStep Mechanism::supply_verifier(std::optional<ScramVerifier> verifier) {
  if (expect_ != Expect::verifier) {
    expect_ = Expect::nothing;
    return fail(ErrorKind::internal, "no verifier was asked for");
  }
  return track(on_verifier(std::move(verifier)));
}

SaslStep Mechanism::on_verifier(std::optional<ScramVerifier>) {
  return fail(ErrorKind::internal, "mechanism takes no verifier");
}

SaslStep Mechanism::track(SaslStep step) {
  if (std::holds_alternative<Challenge>(step))
    expect_ = Expect::response;
  else if (std::holds_alternative<LookupScramVerifier>(step))
    expect_ = Expect::verifier;
  else
    expect_ = Expect::nothing;
  return step;
}

SaslStep Mechanism::check_size(std::string_view data) const {
  if (data.size() > limits_.max_response_bytes)
    return fail(ErrorKind::limit, "SASL response too long");
  return Challenge{};
}

std::string random_nonce() {
  unsigned char raw[24];
  // RAND_bytes only fails when the OS entropy source is gone; abort rather than hand out
  // a predictable nonce.
  if (RAND_bytes(raw, sizeof raw) != 1) std::abort();
  return base64::encode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

std::vector<std::string_view> offered_mechanisms(PlaintextMechanisms plaintext,
                                                 ScramSupport scram) {
  std::vector<std::string_view> names;
  if (scram == ScramSupport::enabled) names.push_back("SCRAM-SHA-256");
  if (plaintext == PlaintextMechanisms::allowed) {
    names.push_back("PLAIN");
    names.push_back("LOGIN");
  }
  return names;
}

Result<std::unique_ptr<Mechanism>> create_mechanism(std::string_view name,
                                                    PlaintextMechanisms plaintext,
                                                    const MechanismOptions& options) {
  const std::string upper = ascii_upper(name);
  if (upper == "SCRAM-SHA-256" && options.scram == ScramSupport::enabled) {
    return std::unique_ptr<Mechanism>(make_scram_sha256(options.limits, options.nonce));
  }
  if (upper == "PLAIN" || upper == "LOGIN") {
    if (plaintext == PlaintextMechanisms::refused)
      return Error{ErrorKind::permission, "plaintext authentication needs TLS"};
    if (upper == "PLAIN") return std::unique_ptr<Mechanism>(new Plain(options.limits));
    return std::unique_ptr<Mechanism>(new Login(options.limits));
  }
  return Error{ErrorKind::not_found, "unsupported authentication mechanism"};
}

Result<SaslClientLine> decode_sasl_line(std::string_view line) {
  if (line == "*") return SaslClientLine{SaslCancel{}};
  auto bytes = base64::decode(line);
  if (!bytes) return Error{ErrorKind::invalid, "SASL response is not base64"};
  return SaslClientLine{std::move(*bytes)};
}

Result<std::string> decode_initial_response(std::string_view argument) {
  if (argument == "=") return std::string();
  // An empty string is not valid here: "=" is the only spelling of an empty response.
  if (argument.empty()) return Error{ErrorKind::invalid, "empty initial response"};
  auto bytes = base64::decode(argument);
  if (!bytes) return Error{ErrorKind::invalid, "initial response is not base64"};
  return std::move(*bytes);
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    // RFC 3629 §4 table: the second byte's range excludes overlongs and surrogates.
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i - 1 < extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace postamt::auth
