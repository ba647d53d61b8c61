// RDATA of the record types mail needs, decoded from DNS wire format (RFC 1035 §3.3,
// RFC 3596 §2.2, RFC 6698 §2.1). Pure: bytes in, typed values out, no I/O.
//
// Input is the RDATA of one record as libunbound hands it (ub_result.data[i]): domain
// names inside it are uncompressed (a compression pointer is malformed here). Every
// decoder checks lengths exactly (no trailing bytes) and never reads outside `rdata`.
// Errors: ErrorKind::invalid, with a message naming the type and the defect.
//
// Host names that come out (MX exchange, PTR target) go on into queries, TLS server
// names, log fields and bounce headers, so they must be host names: labels of ASCII
// letters, digits, '-' and '_' (RFC 952/1123 plus the underscore some operators use),
// returned lower-case without the trailing dot. Anything else is invalid.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "dns/resolver.h"

namespace postamt::dns {

// RR TYPE values (RFC 1035 §3.2.2, RFC 3596 §2.1, RFC 6698 §7.1).
enum class RrType : uint16_t { a = 1, ptr = 12, mx = 15, txt = 16, aaaa = 28, tlsa = 52 };

// Named limit: RFC 1035 §2.3.4, a name is at most 255 octets on the wire.
inline constexpr size_t kMaxNameOctets = 255;

// 4 octets -> dotted quad.
Result<std::string> decode_a(std::string_view rdata);
// 16 octets -> RFC 5952 text ("2001:db8::1").
Result<std::string> decode_aaaa(std::string_view rdata);
// Preference + exchange. The root name "." (RFC 7505 null MX) gives host "".
Result<MxRecord> decode_mx(std::string_view rdata);
// One or more character-strings, concatenated without separator (RFC 7208 §3.3).
// The bytes are returned as they are (TXT may hold any octet).
Result<std::string> decode_txt(std::string_view rdata);
// A host name (the root name is invalid here).
Result<std::string> decode_ptr(std::string_view rdata);
// Usage, selector, matching type and at least one octet of association data.
Result<TlsaRecord> decode_tlsa(std::string_view rdata);

}  // namespace postamt::dns
