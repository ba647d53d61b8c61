// An outbound HTTPS POST or GET (HTTP/1.1 over net::connect +
// Connection::start_tls_client), for the JMAP push sender (RFC 8620 §7.2) and the MTA-STS
// policy fetch (RFC 8461 §3.3). One request per connection ("Connection: close"), a
// Content-Length body for POST, no redirects followed (a 3xx is returned like any other
// status). No Beast here: response.h parses.
//
// Server-side request forgery (RFC 8620 §8.6): the host is resolved once, every address
// is vetted (net/address_scope.h) and the connection goes to exactly a vetted address
// literal, so a second DNS answer cannot point elsewhere (DNS rebinding). By default only
// global addresses are allowed.
//
// Threads: post() is a coroutine on the caller's executor; ClientOptions is copied.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/message.h"
#include "http/response.h"
#include "net/connection.h"
#include "net/tls.h"

namespace postamt::http {

// Named limits (docs/architecture.md, Limits).
struct ClientLimits {
  net::Duration connect_timeout = std::chrono::seconds(10);  // resolving plus TCP connect
  net::Duration tls_timeout = std::chrono::seconds(10);      // the handshake
  net::Duration request_timeout = std::chrono::seconds(30);  // the whole exchange
  ResponseLimits response;                                   // head and body of the answer
  size_t max_url_length = 8192;
};

// Whether addresses other than global ones may be connected to (tests on loopback).
enum class PrivateAddresses { refuse, allow };

// Resolves a host name to numeric addresses (net::resolve's contract).
using Resolver = std::function<net::awaitable<Result<std::vector<std::string>>>(
    std::string host, uint16_t port, net::Duration timeout)>;

struct ClientOptions {
  ClientLimits limits;
  PrivateAddresses private_addresses = PrivateAddresses::refuse;
  // Verifying client TLS settings (system CAs or a configured CA file); required.
  std::shared_ptr<const net::TlsClientContext> tls;
  Resolver resolve;  // empty: net::resolve
};

struct OutboundRequest {
  std::string url;              // https only (url.h)
  std::vector<Header> headers;  // besides Host, Content-Length and Connection
  std::string body;
};

// permission ("<address> is a <scope> address, not allowed"), unless `address` is global
// or `policy` allows every address. For a URL whose host is an address literal, callers
// may check at once (before any connection is tried).
Result<void> check_destination(std::string_view address, PrivateAddresses policy);

// POSTs `request` and returns the response, whatever its status. Errors:
//   invalid      a bad URL, header field, or a malformed response
//   permission   every address of the host is refused (check_destination; for a name
//                "<host>: " and the first refusal), or the certificate does not verify
//   not_found    the host does not resolve
//   timeout      a step or the whole exchange ran out of time
//   io           connecting, TLS or the exchange failed
//   limit        the response passes ClientLimits::response
net::awaitable<Result<ClientResponse>> post(ClientOptions options, OutboundRequest request);

// GETs `url` with `headers` (besides Host and Connection; no body, no Content-Length) and
// returns the response, whatever its status; a 3xx is not followed. Errors as for post().
// Used to fetch MTA-STS policies (queue/mta_sts_fetch.h).
net::awaitable<Result<ClientResponse>> get(ClientOptions options, std::string url,
                                           std::vector<Header> headers = {});

}  // namespace postamt::http
