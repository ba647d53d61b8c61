// https URLs as the HTTP client (client.h) takes them: push subscription URLs (RFC 8620
// §7.2 "MUST begin with https://"). A codec: pure, any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::http {

struct HttpsUrl {
  std::string host;  // lowercased name or address literal, IPv6 without brackets
  bool host_is_address = false;
  uint16_t port = 443;
  std::string target;     // path and query as given: "/push?x=1" ("/" when empty)
  std::string authority;  // for the Host field: host, "[v6]", plus ":port" when not 443
};

// Parses an absolute https URL (RFC 3986 §3): scheme "https" (any case), then a host (a
// DNS name of letters, digits, '-' and '.', an IPv4 literal, or an IPv6 literal in
// brackets), an optional port 1-65535, path and query; a fragment is dropped. invalid
// (with a reason) for: another scheme, userinfo ("user@host"), an empty or malformed
// host or port, a space, control character, non-ASCII octet or '\' anywhere, or more
// than `max_length` octets.
Result<HttpsUrl> parse_https_url(std::string_view url, size_t max_length);

}  // namespace postamt::http
