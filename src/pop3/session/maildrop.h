// Maildrop: the POP3 view of one account's INBOX, a snapshot taken at login
// (RFC 1939 §4-6).
//
// Message numbers are 1-based positions in the snapshot (ascending UID) and stay the
// same for the whole session, whatever other sessions (IMAP) do meanwhile. DELE only
// marks; the marks are applied by the session at QUIT with one store expunge of
// deleted_uids() (RFC 1939 §6, UPDATE state).
//
// Sizes are exact: octets() is the size of the message as RETR sends it (CRLF line
// ends, before byte-stuffing, RFC 1939 §11), computed from the blob at load time.
//
// Unique ids (RFC 1939 §7 UIDL): "<uidvalidity>.<uid>" in decimal, e.g. "7.42". The
// INBOX's UIDVALIDITY never changes and UIDs are never reused under it (store.h), so
// the id is stable across sessions, restarts and IMAP activity, unique within the
// maildrop, and printable (digits and ".", 3..21 octets, within RFC 1939's 0x21-0x7E,
// at most 70 octets).
//
// Threads: load() blocks (store and blob calls: run it through Runtime::run_blocking).
// Everything else is pure bookkeeping on a value owned by one session.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "model/blob_ref.h"
#include "model/ids.h"
#include "store/api/store.h"

namespace postamt::pop3 {

// "<uid_validity>.<uid>", as described above.
std::string unique_id(UidValidity uid_validity, Uid uid);

struct MaildropMessage {
  Uid uid = 0;
  BlobRef blob;
  uint64_t octets = 0;  // RETR payload size
  bool operator==(const MaildropMessage&) const = default;
};

// Whether retrieved_uids() leaves out messages marked deleted.
enum class DeletedMessages { exclude, include };

struct MaildropTotals {
  size_t messages = 0;
  uint64_t octets = 0;
  bool operator==(const MaildropTotals&) const = default;
};

class Maildrop {
 public:
  // `messages` in ascending UID order.
  Maildrop(MailboxId mailbox, UidValidity uid_validity, std::vector<MaildropMessage> messages);

  // Snapshots the INBOX of `account`. A blob that cannot be read is listed with the
  // store's recorded size (RETR then answers -ERR for it) rather than locking the user
  // out of the whole maildrop. Errors: the store's (not_found when the account has no
  // INBOX, temporary, io).
  static Result<Maildrop> load(store::Store& store, blob::BlobStore& blobs, AccountId account);

  MailboxId mailbox() const { return mailbox_; }
  UidValidity uid_validity() const { return uid_validity_; }

  // Messages not marked deleted, and their octets (STAT, RFC 1939 §5).
  MaildropTotals totals() const;

  // The message numbered `msg`. Errors: not_found "no such message" (0 or beyond the
  // snapshot), invalid "message <n> is deleted".
  Result<const MaildropMessage*> find(uint32_t msg) const;

  // Marks message `msg` deleted. Errors as for find().
  Result<void> mark_deleted(uint32_t msg);
  // RSET: clears every mark.
  void unmark_all();
  // The UIDs marked deleted, ascending; what QUIT expunges.
  std::vector<Uid> deleted_uids() const;
  // Records that message `msg` (a number find() accepted) was retrieved; RSET keeps
  // this record. The session sets \Seen on these once, when it ends.
  void mark_retrieved(uint32_t msg);
  // The UIDs of retrieved messages, ascending, each once; with `exclude`, without
  // those marked deleted (QUIT expunges them anyway).
  std::vector<Uid> retrieved_uids(DeletedMessages deleted) const;

  // LIST without argument: "<n> <octets>" for each message not marked deleted.
  std::vector<std::string> scan_listing() const;
  // UIDL without argument: "<n> <unique id>" for each message not marked deleted.
  std::vector<std::string> unique_id_listing() const;

 private:
  MailboxId mailbox_;
  UidValidity uid_validity_ = 0;
  std::vector<MaildropMessage> messages_;
  std::vector<bool> deleted_;
  std::vector<bool> retrieved_;
};

}  // namespace postamt::pop3
