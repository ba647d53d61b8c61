// What protocol engines get from `serve`: the configuration and the shared services.
// Everything here outlives every session (serve() owns it until the runtime stopped).
#pragma once

#include <memory>

#include "auth/failure_tracker.h"
#include "base/config.h"
#include "blob/blob_store.h"
#include "delivery/submission_check.h"
#include "delivery/transaction.h"
#include "dns/resolver.h"
#include "mail/events.h"
#include "mail/store_watch.h"
#include "mailauth/checker.h"
#include "net/runtime.h"
#include "net/tls.h"
#include "store/api/store.h"

namespace postamt::jmap {
class PushSender;  // jmap/engine/push_sender.h
}  // namespace postamt::jmap

namespace postamt::app {

struct ServeContext {
  const Config* config = nullptr;
  net::Runtime* runtime = nullptr;
  store::Store* store = nullptr;  // blocking: call through runtime->run_blocking
  blob::BlobStore* blobs = nullptr;
  std::shared_ptr<net::TlsContext> tls;
  // Failed logins from any protocol, shared so that a client cannot dodge the delay by
  // switching from IMAP to POP3 to SMTP.
  auth::FailureTracker* auth_failures = nullptr;
  // What every delivery transaction works with: the store and blobs above, the outbound
  // queue, and the record of read receipts that arrive (mdn/received.h).
  delivery::Services delivery;
  // The store's data_version, polled a few times a second by serve (IMAP IDLE reads it).
  const mail::StoreWatch* watch = nullptr;
  // The read-receipt engine (mdn/engine.h): POP3 RETR and IMAP whole-message fetches
  // report downloads to it; it never blocks the caller.
  mail::DownloadObserver* downloads = nullptr;
  // The check of receipts that clients submit (mdn/submission.h), for every submission
  // path (delivery/submission_check.h).
  delivery::SubmissionCheck* submission_check = nullptr;
  // POSTs to JMAP push subscriptions (RFC 8620 §7.2); null when it could not start.
  jmap::PushSender* push = nullptr;
  // The process's one DNS resolver (app/resolver.h, [dns]): the outbound queue's and
  // the MX checks'. Blocking: call through runtime->run_blocking.
  std::shared_ptr<dns::Resolver> resolver;
  // The MX's DKIM, SPF, ARC and DMARC checks (app/mail_auth.h); null when [mailauth]
  // enabled = false.
  const mailauth::Checker* mail_auth = nullptr;
};

}  // namespace postamt::app
