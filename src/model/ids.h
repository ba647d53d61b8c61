// Identifiers of the mail model (docs/architecture.md, Layers, src/model).
//
// AccountId and MailboxId are strong wrappers around the database row id so that an
// account id can never be passed where a mailbox id is expected. Uid (RFC 9051 §2.3.1.1)
// and ModSeq (RFC 7162 §3.1) are plain integers because protocol code does arithmetic
// and set operations on them all the time.
//
// All types here are values: cheap to copy, thread-compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace postamt {

template <class Tag>
class RowId {
 public:
  constexpr RowId() = default;
  constexpr explicit RowId(int64_t value) : value_(value) {}
  constexpr int64_t value() const { return value_; }
  // 0 is never used by a store; a default-constructed id names nothing.
  constexpr bool valid() const { return value_ > 0; }
  friend constexpr auto operator<=>(RowId, RowId) = default;

 private:
  int64_t value_ = 0;
};

struct AccountTag;
struct MailboxTag;
using AccountId = RowId<AccountTag>;
using MailboxId = RowId<MailboxTag>;

// A message's unique identifier inside one mailbox; 1-based, strictly ascending,
// never reused while the mailbox keeps its UIDVALIDITY (RFC 9051 §2.3.1.1).
using Uid = uint32_t;
// Mod-sequence: grows with every change; 0 means "no change yet" (RFC 7162 §3.1).
using ModSeq = uint64_t;
// UIDVALIDITY of a mailbox (RFC 9051 §2.3.1.1), never 0.
using UidValidity = uint32_t;

}  // namespace postamt

template <class Tag>
struct std::hash<postamt::RowId<Tag>> {
  size_t operator()(postamt::RowId<Tag> id) const noexcept {
    return std::hash<int64_t>{}(id.value());
  }
};
