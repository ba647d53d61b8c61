#include "queue/mta_sts_fetch.h"

#include <algorithm>
#include <memory>

namespace postamt::queue::mta_sts {

namespace {

net::awaitable<Result<FetchResponse>> https_get(http::ClientOptions options, std::string url) {
  auto task = http::get(std::move(options), std::move(url));
  auto response = co_await std::move(task);
  if (!response) co_return response.error();
  FetchResponse out;
  out.status = response->status;
  if (auto type = response->header("Content-Type")) out.content_type = std::string(*type);
  out.body = std::move(response->body);
  co_return out;
}

}  // namespace

Result<FetchFn> make_https_fetch(HttpsFetchOptions options) {
  auto tls = net::TlsClientContext::create(net::TlsVerify::verify, options.ca_file);
  if (!tls) return tls.error();
  http::ClientOptions client;
  client.tls = *tls;
  client.private_addresses = options.private_addresses;
  client.resolve = std::move(options.resolve);
  client.limits.request_timeout = options.timeout;
  client.limits.connect_timeout =
      std::min<net::Duration>(client.limits.connect_timeout, options.timeout);
  client.limits.tls_timeout = std::min<net::Duration>(client.limits.tls_timeout, options.timeout);
  client.limits.response.max_body_bytes = options.max_policy_bytes;
  // A plain function with the options bound: no coroutine lambda holds state.
  return FetchFn([client](std::string url) { return https_get(client, std::move(url)); });
}

}  // namespace postamt::queue::mta_sts
