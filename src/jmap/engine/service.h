// The JMAP HTTP service (RFC 8620 §2, §3.1, §6): the http::Handler behind [listen] http
// and https. Routes:
//   GET  /.well-known/jmap                          307 to /jmap/session (§2.2)
//   GET  /jmap/session                              the session resource (§2)
//   POST /jmap/api                                  API requests (§3)
//   POST /jmap/upload/{accountId}/                  blob upload (§6.1)
//   GET  /jmap/download/{accountId}/{blobId}/{name}?accept={type}   (§6.2)
//   GET  /jmap/eventsource?types=&closeafter=&ping=  push events (§7.3, event_source.h)
//   GET  /jmap/ws                                   JMAP over WebSocket (RFC 8887, websocket.h)
// Every route but the first needs credentials: HTTP Basic (where [auth] plaintext allows
// a password on this connection, the rule of every protocol) or a bearer token
// (`postamt token create`), both subject to the same failure delay and log line as
// IMAP/POP3/SMTP logins.
#pragma once

#include <memory>

#include "http/message.h"
#include "jmap/engine/account_slots.h"
#include "jmap/engine/blob_access.h"
#include "jmap/engine/event_source.h"
#include "jmap/engine/services.h"
#include "jmap/engine/view_cache.h"

namespace postamt::jmap {

class Service : public http::Handler {
 public:
  explicit Service(Services services);

  size_t body_limit(const http::Request& head) const override;
  net::awaitable<http::Response> handle(http::Request request, http::Peer peer) override;

 private:
  Services services_;
  Uploads uploads_;
  ViewCache views_;
  mail::LoginCache logins_;
  // Requests of one account in progress (maxConcurrentRequests, counting those on
  // WebSockets, and maxConcurrentUpload), and its open WebSockets (max_websockets).
  std::shared_ptr<AccountSlots> api_slots_ = std::make_shared<AccountSlots>();
  std::shared_ptr<AccountSlots> upload_slots_ = std::make_shared<AccountSlots>();
  std::shared_ptr<AccountSlots> websockets_ = std::make_shared<AccountSlots>();
  std::shared_ptr<EventStreams> event_streams_ = std::make_shared<EventStreams>();
};

}  // namespace postamt::jmap
