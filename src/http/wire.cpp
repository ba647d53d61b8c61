#include "http/wire.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "base/strings.h"

namespace postamt::http::detail {

std::string_view reason_phrase(int status) {
  // RFC 9110 §15 (and RFC 6585 §5 for 431).
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string http_date(std::chrono::system_clock::time_point when) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

namespace {

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;  // UTF-8 passes through; details are our own ASCII text
    }
  }
  out += '"';
}

bool is_tchar(char c) {
  // RFC 9110 §5.6.2
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

std::string problem_json(int status, std::string_view detail) {
  // RFC 7807 §3.1; "about:blank" means the title is the status's phrase (§4.2).
  std::string out = fmt::format(R"({{"type":"about:blank","status":{},"title":)", status);
  append_json_string(out, reason_phrase(status));
  out += R"(,"detail":)";
  append_json_string(out, detail);
  out += '}';
  return out;
}

bool has_token(std::string_view list, std::string_view token) {
  for (std::string_view item : split(list, ','))
    if (iequals(trim(item), token)) return true;
  return false;
}

bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!is_tchar(c)) return false;
  return true;
}

bool valid_field_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

const Header* find_header(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h;
  return nullptr;
}

void split_target(std::string_view target, std::string& path, std::string& query) {
  std::string_view rest = target;
  // RFC 9112 §3.2.2: absolute-form; the path starts after the authority.
  for (std::string_view scheme : {"http://", "https://"}) {
    if (istarts_with(rest, scheme)) {
      rest.remove_prefix(scheme.size());
      rest.remove_prefix(std::min(rest.size(), rest.find_first_of("/?")));
      break;
    }
  }
  size_t mark = rest.find('?');
  std::string_view p = rest.substr(0, mark);
  path.assign(p.empty() ? std::string_view("/") : p);
  query.assign(mark == std::string_view::npos ? std::string_view() : rest.substr(mark + 1));
}

std::optional<unsigned> request_line_version(std::string_view line) {
  // RFC 9112 §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT
  constexpr std::string_view kPrefix = " HTTP/";
  if (line.size() < kPrefix.size() + 3) return std::nullopt;
  std::string_view tail = line.substr(line.size() - kPrefix.size() - 3);
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (tail.substr(0, kPrefix.size()) != kPrefix || !digit(tail[6]) || tail[7] != '.' ||
      !digit(tail[8]))
    return std::nullopt;
  return static_cast<unsigned>((tail[6] - '0') * 10 + (tail[8] - '0'));
}

void add_security_headers(std::vector<Header>& headers, ConnectionSecurity security) {
  auto add_unless_set = [&headers](std::string_view name, std::string_view value) {
    if (!find_header(headers, name)) headers.push_back({std::string(name), std::string(value)});
  };
  add_unless_set("Cache-Control", "no-store");
  add_unless_set("X-Content-Type-Options", "nosniff");
  add_unless_set("Referrer-Policy", "no-referrer");
  if (const Header* type = find_header(headers, "Content-Type")) {
    std::string_view media = type->value;
    media = trim(media.substr(0, media.find(';')));
    if (iequals(media, "text/html"))
      add_unless_set("Content-Security-Policy", kHtmlContentSecurityPolicy);
  }
  // RFC 6797 §7.2: HSTS only over a secure transport.
  if (security == ConnectionSecurity::tls)
    add_unless_set("Strict-Transport-Security", kStrictTransportSecurity);
}

std::optional<std::string> allowed_origin(const Request& request,
                                          const std::vector<std::string>& allowed) {
  auto origin = request.header("Origin");
  if (!origin) return std::nullopt;
  for (const auto& a : allowed)
    if (a == *origin) return a;
  return std::nullopt;
}

bool is_preflight(const Request& request) {
  return request.method == "OPTIONS" && request.header("Origin") &&
         request.header("Access-Control-Request-Method");
}

std::string encode_head(int status, const std::vector<Header>& headers) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", status, reason_phrase(status));
  for (const auto& h : headers) {
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace postamt::http::detail
