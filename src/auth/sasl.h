// SASL server mechanisms (RFC 4422) as pure state machines, shared by SMTP AUTH
// (RFC 4954), POP3 AUTH (RFC 5034) and IMAP AUTHENTICATE (RFC 9051 §6.2.2, SASL-IR
// RFC 4959).
//
// Division of labour:
//   the protocol session  - parses "AUTH <name> [initial-response]", base64-decodes every
//                           client line (base/base64.h, strict), handles "*" cancel
//                           (RFC 4954 §4, RFC 9051 §6.2.2) and "=" (empty initial
//                           response), base64-encodes challenges, maps Failure.error.kind
//                           to its reply codes, looks up and checks credentials.
//   a Mechanism           - sees decoded bytes only and says what happens next.
//
// Driving a mechanism:
//   auto m = create_mechanism("PLAIN", PlaintextMechanisms::allowed, options);
//   SaslStep s = m->start(initial_response);          // exactly once, first
//   while (Challenge* c = std::get_if<Challenge>(&s)) s = m->step(read_decoded_line());
//   LookupScramVerifier -> s = m->supply_verifier(store lookup or nullopt), keep looping
//   CheckPassword       -> terminal: the session runs verify_password(stored, password)
//   Authenticated       -> terminal: the mechanism proved the password itself (SCRAM)
//   Failure             -> terminal: error.kind is one of
//        invalid     malformed message (SMTP 501 5.5.2, IMAP BAD / NO)
//        limit       response longer than SaslLimits::max_response_bytes (SMTP 500 5.5.6)
//        permission  authzid differs from authcid: proxy authorisation is not supported
//        auth_failed wrong credentials (SCRAM proof mismatch, unknown user)
//        not_found   unsupported option (SCRAM channel binding "p=")
//        internal    the caller broke the call order (step after a terminal outcome)
// After a terminal outcome every further call returns Failure{internal}.
//
// Threads: a Mechanism belongs to one session and is not thread-safe; distinct objects
// may be used concurrently.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/policy.h"
#include "auth/scram.h"
#include "base/error.h"
#include "base/result.h"

namespace postamt::auth {

struct SaslLimits {
  // Longest decoded client response accepted by any mechanism. RFC 4616 §2 requires
  // 255 octets per PLAIN field; 8 KiB leaves room for long SCRAM nonces.
  size_t max_response_bytes = 8192;
};

// Send `data` to the client (base64-encoded by the session; may be empty).
struct Challenge {
  std::string data;
};
// The client presented a username and password (PLAIN, LOGIN); the session verifies it.
// `authcid` is the client's bytes as sent (not necessarily UTF-8, maybe with control
// characters): the login check (mail::verify_login) refuses names no account can have
// as a failed login, and logs must sanitise it (auth/auth_log.h).
struct CheckPassword {
  std::string authcid;
  std::string password;
};
// SCRAM needs the account's verifier (auth/scram.h) before it can answer.
struct LookupScramVerifier {
  std::string authcid;
};
// The mechanism verified the client itself.
struct Authenticated {
  std::string authcid;
};
struct Failure {
  Error error;
};
using SaslStep =
    std::variant<Challenge, CheckPassword, LookupScramVerifier, Authenticated, Failure>;

class Mechanism {
 public:
  virtual ~Mechanism() = default;
  Mechanism(const Mechanism&) = delete;
  Mechanism& operator=(const Mechanism&) = delete;

  // The IANA name, upper case ("PLAIN").
  virtual std::string_view name() const = 0;

  // First call. `initial_response` is nullopt when the client sent none and "" for "=".
  SaslStep start(std::optional<std::string_view> initial_response);
  // Answer to the last Challenge, already base64-decoded.
  SaslStep step(std::string_view response);
  // Answer to LookupScramVerifier: the account's verifier, or nullopt when the account
  // does not exist or has none (the exchange then continues with a fake salt and fails
  // at the end, so that clients cannot probe which accounts exist, RFC 5802 §9).
  SaslStep supply_verifier(std::optional<ScramVerifier> verifier);

 protected:
  explicit Mechanism(const SaslLimits& limits) : limits_(limits) {}
  virtual SaslStep on_start(std::optional<std::string_view> initial_response) = 0;
  virtual SaslStep on_response(std::string_view response) = 0;
  virtual SaslStep on_verifier(std::optional<ScramVerifier> verifier);

 private:
  enum class Expect { start, response, verifier, nothing };
  SaslStep track(SaslStep step);
  SaslStep check_size(std::string_view data) const;

  SaslLimits limits_;
  Expect expect_ = Expect::start;
};

enum class ScramSupport { enabled, disabled };

// Returns the server part of a SCRAM nonce: printable ASCII without ',' (RFC 5802 §7).
using NonceSource = std::function<std::string()>;
// 24 random bytes, base64-encoded (32 characters).
std::string random_nonce();

struct MechanismOptions {
  ScramSupport scram = ScramSupport::disabled;
  SaslLimits limits;
  NonceSource nonce = random_nonce;
};

// Names to advertise (EHLO "AUTH ...", CAPA "SASL ...", CAPABILITY "AUTH=..."), strongest
// first. Plaintext mechanisms (PLAIN, LOGIN) only when `plaintext` is allowed (see
// auth/policy.h); SCRAM-SHA-256 only when the store keeps verifiers.
std::vector<std::string_view> offered_mechanisms(PlaintextMechanisms plaintext, ScramSupport scram);

// Creates the mechanism named `name` (case-insensitive). Errors: not_found (unknown or
// not enabled: SMTP 504 5.5.4), permission (a plaintext mechanism while they are refused:
// SMTP 538 5.7.11, IMAP NO [PRIVACYREQUIRED]).
Result<std::unique_ptr<Mechanism>> create_mechanism(std::string_view name,
                                                    PlaintextMechanisms plaintext,
                                                    const MechanismOptions& options);

// Client line framing shared by SMTP, POP3 and IMAP. `line` excludes the CRLF.
struct SaslCancel {};
using SaslClientLine = std::variant<SaslCancel, std::string>;
// A continuation line: "*" cancels (RFC 4954 §4, RFC 5034 §4, RFC 9051 §6.2.2), anything
// else is strict base64 (an empty line is an empty response). Errors: invalid (not
// base64; SMTP 501 5.5.2).
Result<SaslClientLine> decode_sasl_line(std::string_view line);
// An initial response argument: "=" is the empty response (RFC 4954 §4, RFC 4959 §3),
// anything else strict base64. A missing argument is the caller's nullopt. Errors: invalid.
Result<std::string> decode_initial_response(std::string_view argument);

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace postamt::auth
