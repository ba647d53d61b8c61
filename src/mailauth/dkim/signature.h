// The DKIM-Signature header field value (RFC 6376 §3.5), parsed and checked. A codec:
// no I/O, no clock (expiry against "now" is the verifier's check).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dkim/canon.h"
#include "mailauth/dkim/crypto.h"
#include "mailauth/dkim/tag_list.h"

namespace postamt::dkim {

struct Signature {
  Algorithm algorithm = Algorithm::rsa_sha256;  // a=
  std::string signature;                        // b=, decoded
  std::string signature_base64;                 // b=, whitespace removed
  std::string body_hash;                        // bh=, decoded
  Canon header_canon = Canon::simple;           // c= (default simple/simple)
  Canon body_canon = Canon::simple;
  std::string domain;                       // d=, lower-cased
  std::vector<std::string> signed_headers;  // h=, lower-cased, in order
  std::string identity;                     // i= as given, or "@" + d=
  std::optional<uint64_t> body_length;      // l=
  std::string selector;                     // s=, lower-cased
  std::optional<uint64_t> timestamp;        // t=, seconds since the epoch
  std::optional<uint64_t> expiration;       // x=
  std::string copied_headers;               // z=, as given (diagnostics only)
};

// Parses and checks the value of a DKIM-Signature field (everything after the colon; a
// final CRLF is ignored). Errors (ErrorKind::invalid), each a PERMFAIL of §6.1.1 with a
// message for the result's reason:
//   "signature syntax error: <tag list problem>"  "missing required tag x="
//   "incompatible version"                         "unsupported algorithm <a>"
//   "rsa-sha1 is not accepted (RFC 8301)"          "bad <tag>= value"
//   "i= is not within d="                          "From field not signed"
//   "x= is not after t="                           "no dns/txt query method"
// Unknown tags are ignored (§3.2).
Result<Signature> parse_signature(std::string_view value);

// The a= value as written, for reporting when parse_signature fails ("" when absent or
// when the value is not a tag list).
std::string algorithm_name_of(std::string_view value);

}  // namespace postamt::dkim
