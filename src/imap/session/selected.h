// The selected mailbox of one session and its message sequence numbers (RFC 9051
// §2.3.1.2): sequence number n is the n-th UID in ascending order, as last told to
// the client. The map changes only when the client is told (EXISTS, EXPUNGE), so
// numbers stay stable between those responses (RFC 9051 §7.5.1).
//
// Not thread-safe: owned by one session.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.h"
#include "imap/proto/response.h"
#include "imap/proto/sequence_set.h"
#include "model/ids.h"
#include "store/api/types.h"

namespace postamt::imap {

enum class Access { read_write, read_only };

class SelectedMailbox {
 public:
  // `uids` ascending, as listed by the store at SELECT time.
  SelectedMailbox(MailboxId id, UidValidity uid_validity, Access access, std::vector<Uid> uids)
      : id_(id), uid_validity_(uid_validity), access_(access), uids_(std::move(uids)) {}

  MailboxId id() const { return id_; }
  UidValidity uid_validity() const { return uid_validity_; }
  Access access() const { return access_; }
  uint32_t exists() const { return static_cast<uint32_t>(uids_.size()); }
  const std::vector<Uid>& uids() const { return uids_; }
  // 1-based; nullopt when the uid is not in the map.
  std::optional<uint32_t> sequence_of(Uid uid) const;

  // Brings the map up to date with `current` (the store's messages, ascending by
  // uid) and returns what tells the client: one EXPUNGE per vanished message, in the
  // order RFC 9051 §7.5.1 requires (each number valid after the previous removals),
  // then EXISTS when messages arrived. Only call where EXPUNGE responses are allowed
  // (RFC 3501 §7.4.1: not during FETCH, STORE or SEARCH).
  // The messages a FETCH/STORE/COPY set names, as (sequence number, uid) ascending.
  // Sequence numbers: invalid when a number exceeds exists() or '*' is used in an
  // empty mailbox (RFC 9051 §9 seq-number). UIDs: those not in the map are skipped
  // (RFC 9051 §6.4.9). invalid for "$" (SEARCHRES is not supported).
  struct Target {
    uint32_t seq = 0;
    Uid uid = 0;
  };
  Result<std::vector<Target>> resolve(const proto::SequenceSet& set, proto::NumberKind kind) const;

  std::vector<proto::Response> synchronize(const std::vector<store::MessageRecord>& current);

 private:
  MailboxId id_;
  UidValidity uid_validity_ = 0;
  Access access_ = Access::read_write;
  std::vector<Uid> uids_;
};

}  // namespace postamt::imap
