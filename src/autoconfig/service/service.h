// The autoconfiguration service (docs/protocols/autoconfig.md): the http::Handler the HTTP
// router (app/engine_http.cpp) gives these paths of [listen] http/https:
//
//   GET  /.well-known/autoconfig/mail/config-v1.1.xml[?emailaddress=A]  Thunderbird
//   GET  /mail/config-v1.1.xml?emailaddress=A      Thunderbird at autoconfig.DOMAIN
//   POST /autodiscover/autodiscover.xml            Outlook (POX); path in any case
//   GET  /apple/mail.mobileconfig?emailaddress=A   Apple configuration profile
//   GET  /.well-known/mta-sts.txt                  MTA-STS policy (RFC 8461 §3.2), Host
//                                                  mta-sts.DOMAIN
//
// The domain is the part of A after its last '@'; without A (Thunderbird only) it is the
// Host field's name minus a leading "autoconfig.". Only a local domain gets an answer,
// anything else 404. The answer depends on nothing but the domain (and the address
// written into it): no login, and the same bytes for an existing and an unknown user, so
// that the service tells nobody which accounts exist. HEAD works wherever GET does; other
// methods get 405 with Allow. Autodiscover: a body over [autoconfig] max_request_body is
// refused with 413 before it is read (http/server.h), a malformed one gets 400 with
// Outlook's error document (ErrorCode 600, DebugData saying what is wrong), an
// AcceptableResponseSchema other than Outlook's 2006a gets ErrorCode 601 (200, as
// Exchange answers), an address outside the local domains 404 (Outlook then tries its
// next autodiscover URL).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "autoconfig/proto/settings.h"
#include "base/config.h"
#include "http/message.h"
#include "net/runtime.h"
#include "store/api/store.h"

namespace postamt::autoconfig {

struct Services {
  net::Runtime* runtime = nullptr;
  store::Store* store = nullptr;  // blocking: called through runtime->run_blocking
  PublicServer server;
  uint64_t max_request_body = 16 * 1024;  // [autoconfig] max_request_body
  MtaStsMode mta_sts_mode = MtaStsMode::testing;
  std::chrono::seconds mta_sts_max_age{7 * 24 * 3600};
};

// How long clients and caches may keep a Thunderbird document (Cache-Control max-age):
// it changes only when the configuration does. The other answers are not stored: the
// Outlook and Apple ones name the user, and RFC 8461 §3.3 has senders fetch the policy
// without HTTP caching.
inline constexpr std::chrono::seconds kThunderbirdMaxAge{3600};

class Service : public http::Handler {
 public:
  explicit Service(Services services) : services_(std::move(services)) {}

  // Whether `path` (not percent-decoded, without the query) is one of the service's.
  static bool serves(std::string_view path);

  size_t body_limit(const http::Request& head) const override;
  net::awaitable<http::Response> handle(http::Request request, http::Peer peer) override;

 private:
  // Whether `domain` is local; an error when the store could not say.
  net::awaitable<Result<bool>> is_local(std::string domain);

  Services services_;
};

}  // namespace postamt::autoconfig
