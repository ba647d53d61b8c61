// DKIM signing (RFC 6376 §5, RFC 8463): one key, one message, one DKIM-Signature field.
// The keys of a server live in a KeyRing (keyring.h).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dkim/canon.h"
#include "mailauth/dkim/crypto.h"

namespace postamt::dkim {

struct SigningKey {
  std::string domain;    // d=, lower-case
  std::string selector;  // s=, lower-case
  Algorithm algorithm = Algorithm::rsa_sha256;
  PrivateKey key;              // opaque; its algorithm is `algorithm`
  std::filesystem::path file;  // where load() read it ("" for keys made in memory)

  // Reads a PEM private key (RSA or Ed25519) from `path`. ErrorKind::io when the file
  // cannot be read, ErrorKind::invalid when it holds no usable key (RSA under 1024 bits
  // included, RFC 8301 §3.2) or `domain`/`selector` are not DNS labels.
  static Result<SigningKey> load(const std::filesystem::path& path, std::string_view domain,
                                 std::string_view selector);
};

// The header fields sign_message signs, each as often as it occurs in the message, in
// this order; then "from" once more, so that a From field added later breaks the
// signature (oversigning, RFC 6376 §8.15).
const std::vector<std::string>& default_signed_headers();

// The complete "DKIM-Signature: ...\r\n" field to put on top of `message` (CRLF line
// ends): v=1, a=, c=relaxed/relaxed, d=, s=, t=now, h=, bh=, b=, folded so that no line
// is longer than 78 characters. ErrorKind::invalid when the message has no From field
// (RFC 6376 §5.4: From MUST be signed); ErrorKind::internal when OpenSSL fails.
Result<std::string> sign_message(std::string_view message, const SigningKey& key,
                                 std::chrono::system_clock::time_point now);

// The lower layer, for fixed tags (the RFC 8463 test vector) and for ARC: the signature
// bytes for `unsigned_field`, a complete signature field whose b= value is empty, over
// `message`'s fields named by `signed_headers` (§5.4.2 selection) in `header_canon`.
Result<std::string> compute_signature(std::string_view message, const PrivateKey& key,
                                      const std::vector<std::string>& signed_headers,
                                      Canon header_canon, std::string_view unsigned_field);

}  // namespace postamt::dkim
