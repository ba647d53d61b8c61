// Every DKIM key of a server: data_dir/dkim/<domain>/<selector>.pem, one PEM private key
// per file (written by `postamt dkim generate`). A message is signed with every key of
// the domain(s) of its RFC5322.From, so a domain with an RSA and an Ed25519 key gets two
// signatures (RFC 8463 §4 advice: sign with both while verifiers learn Ed25519).
//
// Thread-safe after load (read-only).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dkim/sign.h"

namespace postamt::dkim {

class KeyRing {
 public:
  KeyRing() = default;

  // Loads every <domain>/<selector>.pem under `dkim_dir` (data_dir/dkim). A missing
  // folder is an empty ring. Errors: ErrorKind::permission when a key file can be read
  // by group or others (its mode must be 0600 or stricter), ErrorKind::invalid or io
  // from SigningKey::load, naming the file.
  static Result<KeyRing> load(const std::filesystem::path& dkim_dir);

  void add(SigningKey key);
  bool empty() const { return keys_.empty(); }
  // Keys ordered by domain, then RSA before Ed25519, then selector.
  const std::vector<SigningKey>& keys() const { return keys_; }
  std::vector<const SigningKey*> keys_for(std::string_view domain) const;

  // The DKIM-Signature fields to put on top of `message`, one per key of each distinct
  // RFC5322.From domain, the RSA signature topmost; "" when no key fits (or there is no
  // From). `signed_by` (when given) receives "d=<domain> s=<selector>" per signature.
  Result<std::string> sign(std::string_view message, std::chrono::system_clock::time_point now,
                           std::vector<std::string>* signed_by = nullptr) const;

 private:
  std::vector<SigningKey> keys_;
};

// The domains of the mailboxes in the From field(s) of `message`, lower-cased, each once,
// in order.
std::vector<std::string> from_domains(std::string_view message);

}  // namespace postamt::dkim
