#include "auth/sasl_scram.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <fmt/format.h>

#include <cstdlib>

#include "base/base64.h"
#include "base/strings.h"

namespace postamt::auth {

namespace {

Failure fail(ErrorKind kind, std::string message) {
  return Failure{{kind, std::move(message)}};
}

// RFC 5802 §7: printable = %x21-2B / %x2D-7E
bool is_printable_nonce(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c > 0x7E || c == ',') return false;
  }
  return true;
}

// RFC 5802 §5.1: saslname = 1*(value-safe-char / "=2C" / "=3D").
std::optional<std::string> decode_saslname(std::string_view s) {
  if (s.empty() || !is_valid_utf8(s)) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\0') return std::nullopt;
    if (s[i] != '=') {
      out += s[i];
      continue;
    }
    const std::string_view esc = s.substr(i + 1, 2);
    if (esc == "2C")
      out += ',';
    else if (esc == "3D")
      out += '=';
    else
      return std::nullopt;
    i += 2;
  }
  return out;
}

// A per-process secret so that fake salts for unknown users are stable across attempts
// (a salt that changed on every try would reveal that the account does not exist).
const std::string& fake_salt_secret() {
  static const std::string secret = [] {
    std::string s(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(s.size())) != 1)
      std::abort();
    return s;
  }();
  return secret;
}

class ScramSha256 final : public Mechanism {
 public:
  ScramSha256(const SaslLimits& limits, NonceSource nonce)
      : Mechanism(limits), nonce_(nonce ? std::move(nonce) : NonceSource(random_nonce)) {}
  std::string_view name() const override { return "SCRAM-SHA-256"; }

 protected:
  SaslStep on_start(std::optional<std::string_view> initial_response) override {
    // RFC 5802 §5: the client speaks first; without an initial response, ask for it.
    if (!initial_response) return Challenge{};
    return on_response(*initial_response);
  }

  SaslStep on_response(std::string_view response) override {
    switch (state_) {
      case State::client_first:
        return client_first(response);
      case State::client_final:
        return client_final(response);
      case State::acknowledge:
        // RFC 4422 §5: the client answers the additional data with an empty response.
        if (!response.empty()) return fail(ErrorKind::invalid, "expected an empty response");
        return Authenticated{std::move(authcid_)};
    }
    return fail(ErrorKind::internal, "bad SCRAM state");
  }

  SaslStep on_verifier(std::optional<ScramVerifier> verifier) override {
    if (verifier) {
      verifier_ = std::move(*verifier);
      known_user_ = true;
    } else {
      // Looks like a real verifier; no password can produce StoredKey = 0 in practice.
      const auto salt = hmac_sha256(fake_salt_secret(), authcid_);
      verifier_.iterations = kScramMinIterations;
      verifier_.salt.assign(reinterpret_cast<const char*>(salt.data()), kScramSaltBytes);
      known_user_ = false;
    }
    const std::string server_nonce = nonce_();
    if (!is_printable_nonce(server_nonce))
      return fail(ErrorKind::internal, "nonce source produced an unusable nonce");
    nonce_full_ = client_nonce_ + server_nonce;
    server_first_ = fmt::format("r={},s={},i={}", nonce_full_, base64::encode(verifier_.salt),
                                verifier_.iterations);
    state_ = State::client_final;
    return Challenge{server_first_};
  }

 private:
  enum class State { client_first, client_final, acknowledge };

  // client-first-message = gs2-header client-first-message-bare
  SaslStep client_first(std::string_view msg) {
    const std::string_view whole = msg;
    std::string_view authzid;
    if (msg.starts_with("n,") || msg.starts_with("y,")) {
      // "y": the client could bind but believes we cannot, which is true (RFC 5802 §6).
      msg.remove_prefix(2);
    } else if (msg.starts_with("p=")) {
      return fail(ErrorKind::not_found, "SCRAM channel binding is not supported");
    } else {
      return fail(ErrorKind::invalid, "bad SCRAM GS2 header");
    }
    const size_t comma = msg.find(',');
    if (comma == std::string_view::npos) return fail(ErrorKind::invalid, "bad SCRAM GS2 header");
    if (comma > 0) {
      if (!msg.starts_with("a=")) return fail(ErrorKind::invalid, "bad SCRAM authzid");
      authzid = msg.substr(2, comma - 2);
    }
    gs2_header_ = std::string(whole.substr(0, 2 + comma + 1));
    msg.remove_prefix(comma + 1);
    client_first_bare_ = std::string(msg);

    const auto fields = split(msg, ',');
    // RFC 5802 §7: "m=" signals a mandatory extension we cannot know: fail.
    if (fields.size() < 2 || fields[0].starts_with("m="))
      return fail(ErrorKind::invalid, "bad SCRAM client-first message");
    if (!fields[0].starts_with("n=") || !fields[1].starts_with("r="))
      return fail(ErrorKind::invalid, "bad SCRAM client-first message");
    auto user = decode_saslname(fields[0].substr(2));
    if (!user) return fail(ErrorKind::invalid, "bad SCRAM user name");
    if (!authzid.empty()) {
      auto az = decode_saslname(authzid);
      if (!az) return fail(ErrorKind::invalid, "bad SCRAM authzid");
      if (*az != *user)
        return fail(ErrorKind::permission, "acting as another user is not supported");
    }
    client_nonce_ = std::string(fields[1].substr(2));
    if (!is_printable_nonce(client_nonce_)) return fail(ErrorKind::invalid, "bad SCRAM nonce");
    authcid_ = std::move(*user);
    return LookupScramVerifier{authcid_};
  }

  // client-final-message = "c=" base64 "," "r=" nonce ["," extensions] "," "p=" base64
  SaslStep client_final(std::string_view msg) {
    const size_t proof_at = msg.rfind(",p=");
    if (proof_at == std::string_view::npos)
      return fail(ErrorKind::invalid, "SCRAM proof is missing");
    const std::string_view without_proof = msg.substr(0, proof_at);
    const auto fields = split(without_proof, ',');
    if (fields.size() < 2 || !fields[0].starts_with("c=") || !fields[1].starts_with("r="))
      return fail(ErrorKind::invalid, "bad SCRAM client-final message");
    auto cbind = base64::decode(fields[0].substr(2));
    // Without channel binding, c= carries exactly the GS2 header of the first message.
    if (!cbind || *cbind != gs2_header_)
      return fail(ErrorKind::invalid, "SCRAM channel binding data does not match");
    if (fields[1].substr(2) != nonce_full_) return fail(ErrorKind::invalid, "SCRAM nonce mismatch");
    auto proof = base64::decode(msg.substr(proof_at + 3));
    if (!proof || proof->size() != Sha256Digest{}.size())
      return fail(ErrorKind::invalid, "bad SCRAM proof");

    // RFC 5802 §3: AuthMessage, ClientSignature, ClientKey = proof XOR signature.
    const std::string auth_message =
        client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
    const Sha256Digest signature = hmac_sha256(as_bytes(verifier_.stored_key), auth_message);
    std::string client_key(*proof);
    for (size_t i = 0; i < client_key.size(); ++i)
      client_key[i] = static_cast<char>(client_key[i] ^ static_cast<char>(signature[i]));
    const bool proof_ok =
        constant_time_equal(as_bytes(sha256(client_key)), as_bytes(verifier_.stored_key));
    OPENSSL_cleanse(client_key.data(), client_key.size());
    if (!proof_ok || !known_user_) return fail(ErrorKind::auth_failed, "SCRAM proof mismatch");

    const Sha256Digest server_signature = hmac_sha256(as_bytes(verifier_.server_key), auth_message);
    state_ = State::acknowledge;
    return Challenge{"v=" + base64::encode(as_bytes(server_signature))};
  }

  NonceSource nonce_;
  State state_ = State::client_first;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string client_nonce_;
  std::string nonce_full_;
  std::string server_first_;
  std::string authcid_;
  ScramVerifier verifier_;
  bool known_user_ = false;
};

}  // namespace

std::unique_ptr<Mechanism> make_scram_sha256(const SaslLimits& limits, NonceSource nonce) {
  return std::make_unique<ScramSha256>(limits, std::move(nonce));
}

}  // namespace postamt::auth
