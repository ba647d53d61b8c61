// The DKIM public key record published in DNS at <selector>._domainkey.<domain> (RFC 6376
// §3.6.1, RFC 8463 §4). A codec: no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dkim/crypto.h"

namespace postamt::dkim {

enum class KeyType { rsa, ed25519 };

struct KeyRecord {
  KeyType key_type = KeyType::rsa;           // k= (default rsa)
  std::vector<std::string> hash_algorithms;  // h=, lower-cased; empty = all allowed
  std::string public_key;                    // p=, decoded; empty = revoked (§3.6.1)
  std::vector<std::string> service_types;    // s=, lower-cased; default {"*"}
  bool testing = false;                      // t=y
  bool strict_identity = false;              // t=s: i= must be exactly d=, no subdomain
  std::string notes;                         // n=, as given

  bool revoked() const { return public_key.empty(); }
  // Whether the record allows `algorithm` (k= and h= both fit).
  bool fits(Algorithm algorithm) const;
};

// Parses a key record (the TXT record's strings already joined). ErrorKind::invalid:
//   "key syntax error: <tag list problem>"   "bad key version"  (v= not DKIM1, or not first)
//   "missing p="   "bad p= value"   "unknown key type <k>"   "key not for email" (s=)
// Unknown tags and flags are ignored (§3.6.1).
Result<KeyRecord> parse_key_record(std::string_view text);

// The record to publish for a key: "v=DKIM1; k=rsa; p=<base64>" (k=ed25519 for Ed25519).
std::string key_record_text(Algorithm algorithm, std::string_view public_key_bytes);

}  // namespace postamt::dkim
