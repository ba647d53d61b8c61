// Cookies (RFC 6265) as plain text functions: reading one cookie from a request's Cookie
// field and writing a Set-Cookie value. Used by the webmail's sessions
// (docs/protocols/webmail.md, Sessions). No I/O.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace postamt::http {

// The value of the first cookie called `name` in the request's Cookie fields (RFC 6265
// §4.2.1: "a=b; c=d"; several Cookie fields are read in order). Surrounding double
// quotes are removed (§4.1.1 cookie-value). nullopt when absent.
std::optional<std::string> cookie(const Request& request, std::string_view name);

struct SetCookie {
  std::string name;
  std::string value;  // cookie-octets only (RFC 6265 §4.1.1); the caller makes sure
  std::string path = "/";
  // nullopt: a session cookie (ends with the browser); 0 removes the cookie now.
  std::optional<std::chrono::seconds> max_age;
  bool secure = false;
  bool http_only = true;
  std::string same_site = "Strict";  // "Strict", "Lax" or "" (attribute left out)
};

// "name=value; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict".
std::string set_cookie_value(const SetCookie& c);

}  // namespace postamt::http
