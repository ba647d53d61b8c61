// Walks a list of messages and shows each one's top-level header the cheap way: from the
// store's envelope header lines (and thread references) in chunks of kChunk messages,
// and from the message file only for messages stored without them. What sorting and
// threading (mail/sort.h, mail/thread.h) read. Blocking (store, blobs): store threads.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "base/result.h"
#include "blob/blob_store.h"
#include "mime/header.h"
#include "store/api/store.h"

namespace postamt::mail {

enum class NeedReferences { no, yes };

// One message as the walk shows it. `header` holds at least Date, Subject, From, Sender,
// Reply-To, To, Cc, Bcc, In-Reply-To and Message-ID (mime::kEnvelopeFields); with
// NeedReferences::yes, `thread_refs` is mime::thread_references of the message.
struct WalkedHeader {
  const mime::HeaderView& header;
  std::string_view thread_refs;
};

// Calls `visit(index, walked)` for each of `messages` (of `mailbox`, ascending uid), in
// order. Errors: the store's or the blob store's, and then the walk stops.
Result<void> walk_headers(store::Store& store, blob::BlobStore& blobs, MailboxId mailbox,
                          std::span<const store::MessageRecord* const> messages,
                          NeedReferences references,
                          const std::function<void(size_t, const WalkedHeader&)>& visit);

}  // namespace postamt::mail
