// The read-receipt engine: applies the receipt policy when a client downloads a message
// (mail::DownloadObserver, docs/read-receipts.md). When the effective policy's on_download is not
// "off" and the message's request allows an automatic receipt (request.h), it claims
// the receipt in the ledger (store::Store::record_receipt, which sets $MDNSent on every
// copy) and then sends the receipt it generated (generate.h) through a
// delivery::Transaction: into the local INBOX when the requester is local, else into the
// outbound queue.
//
// At most one: the ledger is written BEFORE the receipt is sent. If sending then fails,
// the failure is logged and no receipt goes out; a crash in between likewise loses the
// receipt rather than ever sending two (RFC 8098 §2.1 forbids the second, nothing
// requires the first). With one_per_recipient = false (the legacy setting) the server
// still sends at most one receipt of its own per message, even when a client sent one.
//
// Forged senders: a request the rules allow is still refused when the original's own
// Authentication-Results field (authserv-id = `hostname`) says the sender failed DMARC
// under a reject or quarantine policy (dmarc_refusal.h). Nothing is sent and no $MDNSent
// set; the refusal is recorded in the ledger (store::Store::record_refused_receipt, once
// per message) and logged.
//
// A message expunged between the download and the (asynchronous) decision gets no
// receipt: the event names it by mailbox and uid only, and its bytes are then gone.
//
// Rate limit: receipts to REMOTE requesters count against the account's
// Config::Receipts::max_remote_per_hour in a sliding hour, kept in memory (a restart
// forgets it). A suppressed receipt is not recorded, so the user's client may still send
// one. Local requesters are never limited.
//
// Threads: on_download() is called on a network executor and never blocks: it hands the
// event to `run_blocking` (given at construction; e.g. a store thread pool) and returns.
// handle_download() does the work and blocks (store, blob and queue calls); it is
// thread-safe as long as the injected objects are. The engine must outlive every task it
// handed to run_blocking.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "base/config.h"
#include "base/result.h"
#include "delivery/transaction.h"
#include "mail/events.h"
#include "mdn/request.h"
#include "mime/report.h"
#include "store/api/store.h"

namespace postamt::mdn {

enum class DownloadOutcome {
  policy_off,    // on_download = "off" for this user
  not_allowed,   // no request, or not one the server may answer (see `reason`)
  refused,       // the sender failed DMARC (dmarc_refusal.h, `refusal`); recorded in the ledger
  already_sent,  // the ledger has a receipt for this message (or the server's own, legacy)
  sent_local,    // delivered into a local INBOX
  sent_remote,   // queued for a remote requester (`queue_id`)
  rate_limited,  // remote requester, and the account's max_remote_per_hour is used up
  message_gone,  // expunged before the work ran and not answerable from the event's bytes
};
std::string_view to_string(DownloadOutcome outcome);

struct DownloadResult {
  DownloadOutcome outcome = DownloadOutcome::policy_off;
  RequestReason reason = RequestReason::no_request;  // set for not_allowed
  std::string queue_id;                              // set for sent_remote
  std::string refusal;     // set for refused: why, e.g. "sender failed DMARC (p=quarantine)"
  std::string message_id;  // the original's normalised Message-ID, once the message was read
  // The addr-spec of the original's Disposition-Notification-To, where a receipt goes:
  // set for already_sent, rate_limited and sent_* (the request allowed a receipt).
  std::string requester;
};

struct EngineDependencies {
  // store and blobs must be set; without outbound, receipts to remote requesters fail.
  delivery::Services delivery;
  Config::Receipts server_policy;
  // Reporting-UA, the receipts' Message-ID, and the authserv-id of our own
  // Authentication-Results fields (dmarc_refusal.h)
  std::string hostname;
  std::function<std::chrono::sys_seconds()> now;
  mime::RandomSource random;
  // Runs a task on a thread that may block. Tests pass one that runs it at once.
  std::function<void(std::function<void()>)> run_blocking;
};

class Engine final : public mail::DownloadObserver {
 public:
  // Every function in `deps` must be set, and deps.delivery's store and blobs.
  explicit Engine(EngineDependencies deps);

  // mail::DownloadObserver: schedules handle_download() via run_blocking; the result is
  // logged, one line under service "mdn" with the decision and its reason (downloads
  // without a request or with the policy off only at debug level), errors included.
  // Never blocks, never throws.
  void on_download(const mail::DownloadEvent& event) override;

  // Applies the policy to one download, blocking. Errors: those of the store, blob
  // store and delivery calls (the ledger entry stays when sending failed).
  Result<DownloadResult> handle_download(const mail::DownloadEvent& event);

 private:
  // Takes one slot of the account's hourly remote budget; false when none is left.
  bool reserve_remote(AccountId account, std::chrono::sys_seconds now);
  void release_remote(AccountId account, std::chrono::sys_seconds at);

  EngineDependencies deps_;
  std::mutex mutex_;  // guards remote_sent_
  std::map<AccountId, std::deque<std::chrono::sys_seconds>> remote_sent_;
};

}  // namespace postamt::mdn
