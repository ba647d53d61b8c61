#include "http/cookies.h"

#include "base/strings.h"

namespace postamt::http {

std::optional<std::string> cookie(const Request& request, std::string_view name) {
  for (const Header& h : request.headers) {
    if (!iequals(h.name, "Cookie")) continue;
    for (std::string_view pair : split(h.value, ';')) {
      pair = trim(pair);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return std::nullopt;
}

std::string set_cookie_value(const SetCookie& c) {
  std::string out = c.name + "=" + c.value;
  if (!c.path.empty()) out += "; Path=" + c.path;
  if (c.max_age) out += "; Max-Age=" + std::to_string(c.max_age->count());
  if (c.secure) out += "; Secure";
  if (c.http_only) out += "; HttpOnly";
  if (!c.same_site.empty()) out += "; SameSite=" + c.same_site;
  return out;
}

}  // namespace postamt::http
