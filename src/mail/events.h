// Mail events that protocol engines report to the domain layer, protocol-neutral
// (docs/architecture.md, Layers: mail/ knows no protocol).
//
// DownloadObserver is the hook for the read-receipt engine (docs/read-receipts.md): whether the
// server itself sends a receipt when a client downloads a message is a policy decided
// there, not in the protocol. POP3 RETR reports DownloadKind::full_message; IMAP and
// JMAP may report the same kind when they hand out a whole message body.
//
// Threads: on_download is called on the reporting session's network executor, after
// the message was sent to the client. Implementations must not block (no store calls
// inline): record the event and do the work elsewhere (Runtime::run_blocking, a queue).
// One observer may be called by many sessions at once, so it must be thread-safe.
// Engines accept a null observer (nothing is reported); serve wires mdn::Engine.
#pragma once

#include <string>

#include "model/blob_ref.h"
#include "model/ids.h"

namespace postamt::mail {

enum class DownloadKind {
  full_message,  // the client received the whole message (POP3 RETR)
};

struct DownloadEvent {
  AccountId account;
  std::string account_address;
  MailboxId mailbox;
  Uid uid = 0;
  // The message's bytes, so that the observer can still read the message when the
  // client deletes it right after the download (POP3 RETR, DELE, QUIT). May be empty.
  BlobRef blob;
  DownloadKind kind = DownloadKind::full_message;
};

class DownloadObserver {
 public:
  virtual ~DownloadObserver() = default;
  virtual void on_download(const DownloadEvent& event) = 0;
};

}  // namespace postamt::mail
