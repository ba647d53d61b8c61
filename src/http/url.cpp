#include "http/url.h"

#include <arpa/inet.h>

#include <charconv>

#include "base/strings.h"

namespace postamt::http {

namespace {

Error bad(std::string_view why) {
  return Error{ErrorKind::invalid, std::string(why)};
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

}  // namespace

Result<HttpsUrl> parse_https_url(std::string_view url, size_t max_length) {
  if (url.size() > max_length)
    return bad("the url is longer than " + std::to_string(max_length) + " octets");
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '\\')
      return bad("the url has a space, control character, backslash or non-ASCII octet");
  }
  constexpr std::string_view kScheme = "https://";
  if (url.size() < kScheme.size() || !iequals(url.substr(0, kScheme.size()), kScheme))
    return bad("the url must begin with https://");
  std::string_view rest = url.substr(kScheme.size());
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return bad("the url must not name a user");

  HttpsUrl out;
  std::string_view port_text;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("the url's IPv6 address is not closed");
    std::string literal(authority.substr(1, close - 1));
    in6_addr v6{};
    if (inet_pton(AF_INET6, literal.c_str(), &v6) != 1)
      return bad("the url's IPv6 address is malformed");
    out.host = ascii_lower(literal);
    out.host_is_address = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("the url's host is malformed");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("the url's port is empty");
    }
  } else {
    size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad("the url's port is empty");
    }
    if (host.empty()) return bad("the url has no host");
    if (host.size() > 253) return bad("the url's host is longer than 253 octets");
    out.host = ascii_lower(host);
    for (char c : out.host)
      if (!name_char(c)) return bad("the url's host is not a DNS name or an address");
    if (out.host.starts_with('.') || out.host.starts_with('-') ||
        out.host.find("..") != std::string::npos)
      return bad("the url's host is not a DNS name or an address");
    in_addr v4{};
    out.host_is_address = inet_pton(AF_INET, out.host.c_str(), &v4) == 1;
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return bad("the url's port is not a number from 1 to 65535");
    out.port = static_cast<uint16_t>(port);
  }
  out.target = target.empty() ? "/" : std::string(target);
  if (out.target.starts_with('?')) out.target.insert(0, "/");
  out.authority = out.host.find(':') != std::string::npos ? "[" + out.host + "]" : out.host;
  if (out.port != 443) out.authority += ":" + std::to_string(out.port);
  return out;
}

}  // namespace postamt::http
