// What the JMAP engine works with: the shared services of `serve` and the limits it
// advertises in the session resource (RFC 8620 §2 urn:ietf:params:jmap:core). Everything
// here outlives every request.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "auth/failure_tracker.h"
#include "base/config.h"
#include "base/connection_trust.h"
#include "blob/blob_store.h"
#include "delivery/submission_check.h"
#include "delivery/transaction.h"
#include "http/client.h"
#include "mail/events.h"
#include "mail/login_cache.h"
#include "mail/store_watch.h"
#include "mail/web_session.h"
#include "net/runtime.h"
#include "store/api/store.h"

namespace postamt::jmap {

// Named limits (docs/architecture.md, Limits), from [http] (base/config.h).
struct Limits {
  uint64_t max_size_request = 10'000'000;
  uint64_t max_size_upload = 50'000'000;
  uint32_t max_concurrent_requests = 4;
  uint32_t max_concurrent_upload = 4;
  uint32_t max_calls_in_request = 32;
  uint32_t max_objects_in_get = 500;
  uint32_t max_objects_in_set = 500;
  // Email/query and /changes answer at most this many ids at once (RFC 8620 §5.5 limit).
  uint32_t max_query_results = 5000;
  // EventSource (RFC 8620 §7.3): a client's ping interval is raised to at least this.
  std::chrono::seconds min_ping_interval{10};
  // Event streams (§7.3) one account may hold open at once.
  uint32_t max_event_streams = 8;
  // JMAP over WebSocket (RFC 8887, websocket.h): the largest message (its fragments
  // joined; more is closed with 1009), the WebSockets one account may hold open, how
  // long without a frame from the client before the server pings, and before it closes.
  uint64_t max_websocket_message = 10'000'000;
  uint32_t max_websockets = 8;
  std::chrono::seconds websocket_ping_interval{30};
  std::chrono::seconds websocket_idle_timeout{90};
  // PushSubscription (§7.2): records per account; the longest a password or token
  // credential's subscription lives (the RFC's floor is 48 hours); the longest url.
  uint32_t push_max_subscriptions = 16;
  std::chrono::seconds push_max_expiry{7 * 24 * 3600};
  size_t push_max_url_length = 2048;
  // Whether a push url may name a non-global address (http/client.h; tests only).
  http::PrivateAddresses push_addresses = http::PrivateAddresses::refuse;
};

class Uploads;     // blob_access.h
class ViewCache;   // view_cache.h
class PushSender;  // push_sender.h

struct Services {
  net::Runtime* runtime = nullptr;
  store::Store* store = nullptr;  // blocking: call through runtime->run_blocking
  blob::BlobStore* blobs = nullptr;
  auth::FailureTracker* auth_failures = nullptr;
  PlaintextAuth plaintext = PlaintextAuth::loopback;
  const mail::StoreWatch* watch = nullptr;
  // Whole-message reads (Email/get of bodies, downloads of a message blob) count as a
  // download for the server's own read receipt (docs/read-receipts.md); may be null.
  mail::DownloadObserver* downloads = nullptr;
  // Submission (EmailSubmission/set, MDN/send) goes through the same transaction and
  // receipt check as SMTP submission.
  const delivery::Services* delivery = nullptr;
  // The server's [receipts] policy, for MDN/send (mdn/user_receipt.h).
  Config::Receipts receipts;
  delivery::SubmissionCheck* submission_check = nullptr;
  Uploads* uploads = nullptr;  // who uploaded what (blob_access.h)
  ViewCache* views = nullptr;  // account views kept between requests; null: none
  // Basic logins checked before (HTTP sends the password with every request); null: none.
  mail::LoginCache* logins = nullptr;
  // Webmail sessions (mail/web_session.h), accepted as credentials through their cookie.
  mail::WebSessionLimits web_sessions;
  // POSTs to push subscriptions (push_sender.h); null: none are sent.
  PushSender* push = nullptr;
  std::string hostname;
  // "https://mail.example.test" when configured; "" = from the request's Host field.
  std::string base_url;
  // Browser origins [http] cors_origins allows besides the service's own: the pages that
  // may open a WebSocket (websocket.h).
  std::vector<std::string> cors_origins;
  Limits limits;
};

}  // namespace postamt::jmap
