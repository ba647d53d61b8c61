// Name helpers shared by the resolvers. Pure.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::dns {

// The reverse-lookup name of an address literal (RFC 1035 §3.5 in-addr.arpa, RFC 3596
// §2.5 ip6.arpa), without a trailing dot: "192.0.2.1" -> "1.2.0.192.in-addr.arpa".
// ErrorKind::invalid when `address` is not an IPv4 or IPv6 literal.
Result<std::string> reverse_name(std::string_view address);

}  // namespace postamt::dns
