// The DNS lookups mail needs (MX routing, SPF, DKIM, DMARC, MTA-STS, DANE), as one
// interface. The product implementation is dns/unbound_resolver.h (libunbound, DNSSEC
// validating); tests use dns/testing/fake_resolver.h or a real authoritative server on
// loopback (tests/integration/dns_zone.py).
//
// Answer contract, the same for every record type:
//   - a value: the name exists; `records` holds every record of the type (possibly none:
//     NODATA), `secure` says whether DNSSEC validated the answer (RFC 4033 §5 "secure";
//     false for "insecure" and whenever validation is off);
//   - ErrorKind::not_found: NXDOMAIN (the name does not exist);
//   - ErrorKind::temporary: SERVFAIL, a timeout, no server reachable, or a DNSSEC
//     "bogus" answer (the message then contains "bogus");
//   - ErrorKind::invalid: a malformed name or a malformed answer.
// Names are given without or with a trailing dot; answers carry host names lower-case
// without the trailing dot.
//
// Threads: every call blocks (network); call on a blocking pool, never on the network
// executor. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace postamt::dns {

struct MxRecord {
  uint16_t preference = 0;
  std::string host;  // lower-case, no trailing dot; "" for the null MX "." (RFC 7505)
  bool operator==(const MxRecord&) const = default;
};

// RFC 6698 §2.1: certificate usage, selector, matching type, and the raw association
// data (bytes, not hex).
struct TlsaRecord {
  uint8_t usage = 0;
  uint8_t selector = 0;
  uint8_t matching_type = 0;
  std::string data;
  bool operator==(const TlsaRecord&) const = default;
};

template <class T>
struct Answer {
  std::vector<T> records;
  bool secure = false;
};

class Resolver {
 public:
  virtual ~Resolver() = default;

  virtual Result<Answer<MxRecord>> mx(std::string_view name) = 0;
  // Dotted-quad IPv4 addresses.
  virtual Result<Answer<std::string>> a(std::string_view name) = 0;
  // IPv6 addresses in RFC 5952 text form.
  virtual Result<Answer<std::string>> aaaa(std::string_view name) = 0;
  // One string per TXT record: its character-strings concatenated without separator
  // (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
  virtual Result<Answer<std::string>> txt(std::string_view name) = 0;
  // The PTR names of an IPv4 or IPv6 address literal (the reverse name is built here).
  // ErrorKind::invalid when `address` is not an address literal.
  virtual Result<Answer<std::string>> ptr(std::string_view address) = 0;
  // TLSA records of a name such as "_25._tcp.mx.example.org" (RFC 6698, RFC 7672).
  virtual Result<Answer<TlsaRecord>> tlsa(std::string_view name) = 0;
};

}  // namespace postamt::dns
