// The session's wire text without Beast: status lines, header blocks, dates, problem
// details, and the security and CORS fields every response gets (server.h). Pure
// functions, so each rule is testable without a connection. Internal to src/http.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/connection_trust.h"
#include "http/message.h"

namespace postamt::http::detail {

// "OK", "Not Found", ...; "Unknown" for a code without a registered phrase.
std::string_view reason_phrase(int status);

// IMF-fixdate (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::chrono::system_clock::time_point when);

// An RFC 7807 problem object with "type":"about:blank", the status, its reason phrase
// as the title, and `detail` (JSON-escaped).
std::string problem_json(int status, std::string_view detail);

// True when the comma-separated `list` (a Connection or Expect value) has `token`,
// ASCII case-insensitive (RFC 9110 §5.6.1).
bool has_token(std::string_view list, std::string_view token);

// RFC 9110 §5.1 field-name (a token) and §5.5 field-value (no CR, LF or NUL).
bool valid_field_name(std::string_view name);
bool valid_field_value(std::string_view value);

// The first header called `name` (ASCII case-insensitive) in `headers`, or nullptr.
const Header* find_header(const std::vector<Header>& headers, std::string_view name);

// Splits a request-target into path and query. Absolute-form ("http://h/p?q") yields
// the path of the URI (RFC 9112 §3.2.2); "*" (asterisk-form) yields "*".
void split_target(std::string_view target, std::string& path, std::string& query);

// The version of a well-formed request line ("GET / HTTP/2.0" -> 20), whatever its
// number; nullopt when the line does not end in " HTTP/" DIGIT "." DIGIT.
std::optional<unsigned> request_line_version(std::string_view line);

// The CSP a text/html response gets unless the handler set its own: nothing from other
// origins, no inline script, no framing.
inline constexpr std::string_view kHtmlContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";
inline constexpr std::string_view kStrictTransportSecurity = "max-age=31536000";

// Appends the security fields (server.h) that `headers` lacks: Cache-Control,
// X-Content-Type-Options, Referrer-Policy, CSP on text/html, HSTS over TLS.
void add_security_headers(std::vector<Header>& headers, ConnectionSecurity security);

// The request's Origin when CORS is on and it is one of `allowed` (exact match), else
// nullopt.
std::optional<std::string> allowed_origin(const Request& request,
                                          const std::vector<std::string>& allowed);

// A CORS preflight (Fetch standard, "CORS-preflight request"): OPTIONS with Origin and
// Access-Control-Request-Method.
bool is_preflight(const Request& request);

// The head of a response: status line, `headers` in order, empty line.
std::string encode_head(int status, const std::vector<Header>& headers);

}  // namespace postamt::http::detail
