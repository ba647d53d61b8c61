// Messages in mail words, for every protocol: turning bytes into a stored message
// (SMTP and local delivery through src/delivery, IMAP APPEND, later JMAP Email/import
// and Email/set), and copying, moving and expunging messages of one account.
//
// Durability (docs/architecture.md, "Durability"): the bytes are put into the blob store
// (fsynced) before the store transaction that makes them findable; when a function here
// returns a value, its effect is durable.
//
// Threads: blocking (blob and store calls); run on a store thread. Thread-safe when the
// store and blob store are.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "model/flags.h"
#include "model/ids.h"
#include "store/api/store.h"

namespace postamt::mail {

// Now, to the second: the internal date of a message that arrives without one.
store::InternalDate internal_date_now();

// What the store keeps about `bytes` besides where they live: size, the normalised
// Message-ID (read receipts find copies by it), the envelope header lines (ENVELOPE
// and header searches need not read the message) and the thread references (threading
// need not either). `blob`, flags and keywords are left
// empty for the caller. Pure.
store::NewMessage describe_message(std::string_view bytes, store::InternalDate internal_date);

// Puts `bytes` into the blob store and describes them. Bare LFs are stored as CRLF
// (mime/line_endings.h), so every protocol serves the same bytes whichever way the
// message came in. Errors: the blob store's (io).
Result<store::NewMessage> save_message(blob::BlobStore& blobs, std::string_view bytes,
                                       store::InternalDate internal_date);

struct NewFlags {
  SystemFlags flags;
  Keywords keywords;
};

// Stores `bytes` as a new message of `mailbox` (IMAP APPEND, JMAP Email/import).
// Errors: invalid (empty message; a keyword that is not an atom), limit (more keywords
// than kMaxKeywordsPerMessage, mail/flags.h), not_found (no such mailbox), the blob
// store's and the store's.
Result<store::Appended> append_message(store::Store& store, blob::BlobStore& blobs,
                                       MailboxId mailbox, std::string_view bytes,
                                       const NewFlags& flags, store::InternalDate internal_date);

// The same for a message whose bytes were put into the blob store already, in pieces
// (a streamed IMAP APPEND literal; the writer converted the line ends). Errors: invalid
// (empty), limit, not_found (the mailbox, or `blob`), the blob store's and the store's.
Result<store::Appended> append_stored_message(store::Store& store, blob::BlobStore& blobs,
                                              MailboxId mailbox, const BlobRef& blob,
                                              const NewFlags& flags,
                                              store::InternalDate internal_date);

// One message of an IMAP APPEND as it arrived: its octets, or (when it was streamed) the
// blob they were put into; the client's flags and date.
struct AppendSource {
  std::string_view bytes;
  std::optional<BlobRef> stored;
  NewFlags flags;
  store::InternalDate internal_date{};
};

// Several messages into `mailbox`, all or none (IMAP MULTIAPPEND, RFC 3502): each
// message's blob is made durable first, then one store transaction adds them all (uids
// in order). Errors as append_message() for the first message that fails; over_quota
// when they do not fit together.
Result<std::vector<store::Appended>> append_messages(store::Store& store, blob::BlobStore& blobs,
                                                     MailboxId mailbox,
                                                     const std::vector<AppendSource>& sources);

enum class Transfer { copy, move };

// Copies or moves the messages with `uids` (absent ones ignored) from `source` to
// `destination`, both mailboxes of `account`: a message never leaves its account.
// Flags, keywords and internal date travel with it; new uids in source-uid order.
// A move is one transaction (RFC 6851). Errors: not_found (either mailbox missing or of
// another account), invalid (move within one mailbox), the store's.
Result<store::CopyResult> transfer_messages(store::Store& store, AccountId account,
                                            MailboxId source, const std::vector<Uid>& uids,
                                            MailboxId destination, Transfer transfer);

// Removes messages of `mailbox`: with ExpungeScope::deleted_only only those that carry
// \Deleted when the transaction runs (IMAP EXPUNGE: a message another client undeleted
// meanwhile stays), with ExpungeScope::listed all of them (POP3 at QUIT, JMAP destroy).
// Absent uids are ignored. Errors: the store's.
Result<std::vector<store::Expunged>> expunge_messages(store::Store& store, MailboxId mailbox,
                                                      const std::vector<Uid>& uids,
                                                      store::ExpungeScope scope);

}  // namespace postamt::mail
