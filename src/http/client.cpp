#include "http/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "http/url.h"
#include "http/wire.h"
#include "net/address_scope.h"
#include "net/server.h"

namespace postamt::http {

namespace {

using Clock = std::chrono::steady_clock;

net::Duration remaining(Clock::time_point deadline) {
  auto now = Clock::now();
  return deadline > now ? deadline - now : net::Duration::zero();
}

net::Duration within(net::Duration step, Clock::time_point deadline) {
  return std::min(step, remaining(deadline));
}

enum class Method { get, post };

Result<std::string> encode_request(Method method, const HttpsUrl& url,
                                   const OutboundRequest& request) {
  std::string out = fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\n",
                                method == Method::get ? "GET" : "POST", url.target, url.authority);
  for (const Header& h : request.headers) {
    if (!detail::valid_field_name(h.name) || !detail::valid_field_value(h.value))
      return Error{ErrorKind::invalid, fmt::format("bad header field {}", h.name)};
    out += fmt::format("{}: {}\r\n", h.name, h.value);
  }
  // RFC 9110 §8.6: a GET without content sends no Content-Length.
  if (method == Method::post) out += fmt::format("Content-Length: {}\r\n", request.body.size());
  out += "Connection: close\r\n\r\n";
  out += request.body;
  return out;
}

net::awaitable<Result<ClientResponse>> exchange(Method method, ClientOptions options,
                                                OutboundRequest request);

}  // namespace

Result<void> check_destination(std::string_view address, PrivateAddresses policy) {
  if (policy == PrivateAddresses::allow) return {};
  net::AddressScope scope = net::address_scope(address);
  if (scope == net::AddressScope::global) return {};
  return Error{ErrorKind::permission,
               fmt::format("{} is a {} address, not allowed", address, net::scope_name(scope))};
}

net::awaitable<Result<ClientResponse>> post(ClientOptions options, OutboundRequest request) {
  auto task = exchange(Method::post, std::move(options), std::move(request));
  co_return co_await std::move(task);
}

net::awaitable<Result<ClientResponse>> get(ClientOptions options, std::string url,
                                           std::vector<Header> headers) {
  auto task = exchange(Method::get, std::move(options),
                       OutboundRequest{std::move(url), std::move(headers), {}});
  co_return co_await std::move(task);
}

namespace {

net::awaitable<Result<ClientResponse>> exchange(Method method, ClientOptions options,
                                                OutboundRequest request) {
  const ClientLimits& limits = options.limits;
  const Clock::time_point deadline = Clock::now() + limits.request_timeout;
  auto url = parse_https_url(request.url, limits.max_url_length);
  if (!url) co_return url.error();
  if (!options.tls) co_return Error{ErrorKind::invalid, "no TLS settings for outbound requests"};
  auto wire = encode_request(method, *url, request);
  if (!wire) co_return wire.error();

  std::vector<std::string> addresses;
  if (url->host_is_address) {
    addresses.push_back(url->host);
  } else {
    auto lookup =
        options.resolve
            ? options.resolve(url->host, url->port, within(limits.connect_timeout, deadline))
            : net::resolve(url->host, url->port, within(limits.connect_timeout, deadline));
    auto resolved = co_await std::move(lookup);
    if (!resolved) co_return resolved.error();
    addresses = std::move(*resolved);
  }
  // Every address is vetted; the connection goes to a vetted literal (no second lookup).
  std::optional<Error> refused, failed;
  std::unique_ptr<net::Connection> connection;
  for (const std::string& address : addresses) {
    if (auto allowed = check_destination(address, options.private_addresses); !allowed) {
      if (!refused) refused = allowed.error();
      continue;
    }
    auto attempt = net::connect(address, url->port, within(limits.connect_timeout, deadline));
    auto connected = co_await std::move(attempt);
    if (connected) {
      connection = std::move(*connected);
      break;
    }
    failed = connected.error();
  }
  if (!connection) {
    if (failed) co_return *failed;
    if (refused && !url->host_is_address)
      co_return Error{ErrorKind::permission, fmt::format("{}: {}", url->host, refused->message)};
    if (refused) co_return *refused;
    co_return Error{ErrorKind::not_found, fmt::format("cannot resolve {}", url->host)};
  }

  auto handshake = connection->start_tls_client(
      options.tls, url->host, within(limits.tls_timeout, deadline), net::PeerCheck{});
  auto secured = co_await std::move(handshake);
  if (!secured) co_return secured.error();
  std::string_view bytes = *wire;
  auto sending = connection->write(bytes, remaining(deadline));
  auto sent = co_await std::move(sending);
  if (!sent) co_return sent.error();

  ResponseParser parser(limits.response);
  std::array<char, 4096> buffer{};
  for (;;) {
    auto reading = connection->read_some(buffer, remaining(deadline));
    auto got = co_await std::move(reading);
    if (!got) {
      if (got.error().kind != ErrorKind::closed) co_return got.error();
      auto done = parser.finish();
      if (!done) co_return done.error();
      break;
    }
    auto done = parser.feed(std::string_view(buffer.data(), *got));
    if (!done) co_return done.error();
    if (*done) break;
  }
  connection->close();
  co_return parser.response();
}

}  // namespace

}  // namespace postamt::http
