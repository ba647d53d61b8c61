#include "autoconfig/service/service.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

#include "autoconfig/proto/autodiscover_request.h"
#include "autoconfig/proto/documents.h"
#include "base/strings.h"
#include "mail/domains.h"

namespace postamt::autoconfig {
namespace {

enum class Route { none, thunderbird, autodiscover, apple, mta_sts };

constexpr std::string_view kWellKnownAutoconfig = "/.well-known/autoconfig/mail/config-v1.1.xml";
constexpr std::string_view kThunderbirdPath = "/mail/config-v1.1.xml";
constexpr std::string_view kAutodiscoverPath = "/autodiscover/autodiscover.xml";
constexpr std::string_view kApplePath = "/apple/mail.mobileconfig";
constexpr std::string_view kMtaStsPath = "/.well-known/mta-sts.txt";
// RFC 5321 §4.5.3.1.3: a path is at most 256 octets, with its angle brackets.
constexpr size_t kMaxAddress = 254;

Route route_of(std::string_view path) {
  if (path == kWellKnownAutoconfig || path == kThunderbirdPath) return Route::thunderbird;
  // Outlook sends /Autodiscover/Autodiscover.xml; other clients the lower-case form.
  if (iequals(path, kAutodiscoverPath)) return Route::autodiscover;
  if (path == kApplePath) return Route::apple;
  if (path == kMtaStsPath) return Route::mta_sts;
  return Route::none;
}

http::Response text(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.with("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

http::Response not_found() {
  return text(404, "No autoconfiguration for this domain\n");
}

http::Response method_not_allowed(std::string_view allow) {
  http::Response r = text(405, "Method not allowed\n");
  r.with("Allow", std::string(allow));
  return r;
}

http::Response xml(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.with("Content-Type", "text/xml; charset=utf-8");
  r.body = std::move(body);
  return r;
}

// The value of query parameter `name`, percent-decoded (RFC 3986 §2.1); nullopt when
// absent.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name) {
  for (std::string_view pair : split(query, '&')) {
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (key != name) continue;
    return percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
  }
  return std::nullopt;
}

// The domain of a mail address as a client sends it ("alice@example.org"), lowercased;
// nullopt for something that is no address: no '@', an empty part, white space or a
// control character, or longer than a path may be.
std::optional<std::string> domain_of(std::string_view address) {
  if (address.size() > kMaxAddress) return std::nullopt;
  for (char c : address)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return std::nullopt;
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return std::nullopt;
  return ascii_lower(address.substr(at + 1));
}

// The host name of the Host field (RFC 9110 §7.2), lowercased, without port and final
// dot; "" for an address literal or a missing field.
std::string host_of(const http::Request& request) {
  std::string_view host = request.header("Host").value_or("");
  if (host.empty() || host.front() == '[') return "";
  host = host.substr(0, host.find(':'));
  if (host.ends_with('.')) host.remove_suffix(1);
  return ascii_lower(host);
}

}  // namespace

bool Service::serves(std::string_view path) {
  return route_of(path) != Route::none;
}

size_t Service::body_limit(const http::Request& head) const {
  if (route_of(head.path) == Route::autodiscover && head.method == "POST")
    return services_.max_request_body;
  return 0;
}

net::awaitable<Result<bool>> Service::is_local(std::string domain) {
  store::Store* store = services_.store;
  auto check = [store, domain] { return mail::is_local_domain(*store, domain); };
  auto task = services_.runtime->run_blocking(std::move(check));
  co_return co_await std::move(task);
}

net::awaitable<http::Response> Service::handle(http::Request request, http::Peer) {
  const Route route = route_of(request.path);
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (route == Route::autodiscover && request.method != "POST")
    co_return method_not_allowed("POST");
  if (route != Route::autodiscover && !get) co_return method_not_allowed("GET, HEAD");

  // What the answer is about: the address (when there is one) and its domain.
  std::string address;
  std::optional<std::string> domain;
  switch (route) {
    case Route::thunderbird:
    case Route::apple: {
      auto given = query_parameter(request.query, "emailaddress");
      if (given) {
        domain = domain_of(*given);
        if (!domain) co_return text(400, "emailaddress is not a mail address\n");
        address = std::move(*given);
      } else if (route == Route::apple) {
        co_return text(400, "give the account as ?emailaddress=user@domain\n");
      } else {
        // Thunderbird at https://autoconfig.DOMAIN/mail/config-v1.1.xml, or at the
        // domain's own https://DOMAIN/.well-known/autoconfig/....
        std::string host = host_of(request);
        if (host.starts_with("autoconfig.")) host.erase(0, 11);
        if (host.empty()) co_return not_found();
        domain = std::move(host);
      }
      break;
    }
    case Route::autodiscover: {
      auto parsed = parse_autodiscover_request(request.body);
      if (!parsed)
        co_return xml(400, autodiscover_error(600, "Invalid Request", parsed.error().message));
      if (!parsed->acceptable_response_schema.empty() &&
          parsed->acceptable_response_schema != kOutlookResponseSchema)
        co_return xml(200, autodiscover_error(601, "Provider is not available",
                                              "only the Outlook 2006a response schema is served"));
      domain = domain_of(parsed->email_address);
      if (!domain)
        co_return xml(
            400, autodiscover_error(600, "Invalid Request", "EMailAddress is not a mail address"));
      address = std::move(parsed->email_address);
      break;
    }
    case Route::mta_sts: {
      // RFC 8461 §3.2: the Policy Host is "mta-sts." + the Policy Domain.
      std::string host = host_of(request);
      if (!host.starts_with("mta-sts.")) co_return not_found();
      domain = host.substr(8);
      break;
    }
    case Route::none:
      co_return not_found();
  }

  auto local = co_await is_local(*domain);
  if (!local) co_return text(503, "The domain list could not be read; try again later\n");
  if (!*local) co_return not_found();

  const PublicServer& server = services_.server;
  if (route == Route::mta_sts) {
    http::Response r =
        text(200, mta_sts_policy(server, services_.mta_sts_mode, services_.mta_sts_max_age));
    co_return r;
  }
  if (!configures_clients(server))
    co_return text(404, "This server advertises no IMAP or POP3 and submission service\n");
  switch (route) {
    case Route::thunderbird: {
      http::Response r = xml(200, thunderbird_config(server, *domain));
      r.with("Cache-Control", fmt::format("max-age={}", kThunderbirdMaxAge.count()));
      co_return r;
    }
    case Route::autodiscover:
      co_return xml(200, autodiscover_settings(server, address));
    case Route::apple: {
      http::Response r;
      r.with("Content-Type", "application/x-apple-aspen-config");
      // A local domain written in ASCII is letters, digits, '-' and '.' (is_local_domain
      // checked it), nothing that could leave the quoted file name; a U-label is not
      // ASCII, and a header field should be.
      const bool ascii = std::all_of(domain->begin(), domain->end(),
                                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      r.with("Content-Disposition",
             fmt::format("attachment; filename=\"{}.mobileconfig\"", ascii ? *domain : "mail"));
      r.body = apple_profile(server, address);
      co_return r;
    }
    default:
      co_return not_found();
  }
}

}  // namespace postamt::autoconfig
