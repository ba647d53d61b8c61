// IMAP sequence sets (RFC 9051 §9 "sequence-set", RFC 3501 §9) as a typed value.
//
// A set keeps the ranges as the client wrote them; '*' is kept symbolic because only
// the caller (imap/session) knows the largest sequence number or UID in use. "$"
// (RFC 5182 SEARCHRES, RFC 9051) is a set that refers to the saved search result.
// Pure values: no state, safe on any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace postamt::imap::proto {

// The value of '*' inside a SeqRange. nz-number is never 0, so 0 is free.
inline constexpr uint32_t kStar = 0;

struct SeqRange {
  uint32_t first = 0;  // as written; kStar for '*'
  uint32_t last = 0;   // equal to first for a single number
  friend bool operator==(const SeqRange&, const SeqRange&) = default;
};

// An inclusive, resolved interval with first <= last.
struct UidInterval {
  uint32_t first = 0;
  uint32_t last = 0;
  friend bool operator==(const UidInterval&, const UidInterval&) = default;
};

enum class AllowSaved { no, yes };

class SequenceSet {
 public:
  SequenceSet() = default;
  explicit SequenceSet(std::vector<SeqRange> ranges) : ranges_(std::move(ranges)) {}
  // The "$" set: the result saved by SEARCH RETURN (SAVE).
  static SequenceSet saved();
  static SequenceSet single(uint32_t n) { return SequenceSet({{n, n}}); }
  // The shortest set holding exactly `numbers` (any order, duplicates allowed; 0 is
  // ignored), e.g. {5,1,2,3} -> "1:3,5". For COPYUID, ESEARCH ALL, VANISHED, MODIFIED.
  static SequenceSet from_numbers(std::vector<uint32_t> numbers);
  // The set of `numbers` written in their order (ESORT's ALL, RFC 5267 §3.2): only runs
  // that ascend by one become ranges, so {5,4,1,2,3} -> "5,4,1:3". 0 is ignored.
  static SequenceSet in_order(const std::vector<uint32_t>& numbers);

  bool is_saved() const { return saved_; }
  bool empty() const { return !saved_ && ranges_.empty(); }
  const std::vector<SeqRange>& ranges() const { return ranges_; }

  // Replaces '*' by `largest`, orders each range and merges overlapping or adjacent
  // ranges. Returns sorted, disjoint intervals. Requires !is_saved(). `largest` 0
  // (empty mailbox) makes '*' resolve to 0; the caller rejects such sets per RFC 9051
  // §9 seq-number ("includes * if the selected mailbox is empty").
  std::vector<UidInterval> resolve(uint32_t largest) const;

  // Wire form ("1:3,5,7:*" or "$").
  std::string to_string() const;

  friend bool operator==(const SequenceSet&, const SequenceSet&) = default;

 private:
  std::vector<SeqRange> ranges_;
  bool saved_ = false;
};

// Parses a whole sequence-set. Returns ErrorKind::invalid for an empty string, 0,
// numbers above 4294967295, stray separators, or "$" when `allow_saved` is no.
Result<SequenceSet> parse_sequence_set(std::string_view text, AllowSaved allow_saved);

}  // namespace postamt::imap::proto
