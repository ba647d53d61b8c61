// Message flags: the five IMAP system flags (RFC 9051 §2.3.2) as a bitset, and
// keywords (arbitrary atoms such as $Forwarded or $MDNSent, RFC 9051 §2.3.2, JMAP
// RFC 8621 §4.1.1).
//
// Keywords compare case-insensitively (ASCII). A Keywords set keeps the spelling under
// which a keyword was first added; adding "$forwarded" to a set that holds "$Forwarded"
// changes nothing. The store additionally keeps one spelling per account, so that the
// first spelling ever used is the one every client sees.
//
// Values; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/ids.h"

namespace postamt {

enum class SystemFlag : uint8_t {
  seen = 1,
  answered = 2,
  flagged = 4,
  deleted = 8,
  draft = 16,
};

class SystemFlags {
 public:
  constexpr SystemFlags() = default;
  constexpr SystemFlags(std::initializer_list<SystemFlag> flags) {
    for (SystemFlag f : flags) bits_ |= static_cast<uint8_t>(f);
  }
  // Bits outside the five defined flags are dropped.
  static constexpr SystemFlags from_bits(uint32_t bits) {
    SystemFlags f;
    f.bits_ = static_cast<uint8_t>(bits & kAllBits);
    return f;
  }
  constexpr uint8_t bits() const { return bits_; }
  constexpr bool has(SystemFlag f) const { return (bits_ & static_cast<uint8_t>(f)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr void add(SystemFlag f) { bits_ |= static_cast<uint8_t>(f); }
  constexpr void remove(SystemFlag f) { bits_ &= static_cast<uint8_t>(~static_cast<uint8_t>(f)); }
  constexpr SystemFlags operator|(SystemFlags o) const { return from_bits(bits_ | o.bits_); }
  constexpr SystemFlags without(SystemFlags o) const { return from_bits(bits_ & ~o.bits_); }
  friend constexpr bool operator==(SystemFlags, SystemFlags) = default;

  static constexpr uint8_t kAllBits = 31;

 private:
  uint8_t bits_ = 0;
};

// "\Seen", "\Answered", "\Flagged", "\Deleted", "\Draft" (RFC 9051 §2.3.2 spelling).
std::string_view to_string(SystemFlag flag);
// Case-insensitive inverse of to_string; nullopt for anything else (including \Recent).
std::optional<SystemFlag> parse_system_flag(std::string_view text);
// The flags in the order of the enum, each as to_string spells it.
std::vector<std::string_view> flag_names(SystemFlags flags);

// A keyword must be an IMAP atom (RFC 9051 §9 flag-keyword = atom): 1..255 bytes of
// printable ASCII without SP ( ) { % * " \ ]. This excludes system flags ("\Seen").
bool is_valid_keyword(std::string_view keyword);

class Keywords {
 public:
  Keywords() = default;
  // Requires every element to satisfy is_valid_keyword (not checked here; the store
  // checks and reports ErrorKind::invalid). Case-insensitive duplicates are dropped.
  Keywords(std::initializer_list<std::string_view> keywords);

  // Returns true if the keyword was not present (case-insensitively) and was added.
  bool add(std::string_view keyword);
  // Returns true if a keyword equal case-insensitively was present and was removed.
  bool remove(std::string_view keyword);
  bool contains(std::string_view keyword) const;
  // The spelling held in this set for `keyword`, if present.
  std::optional<std::string_view> find(std::string_view keyword) const;

  const std::vector<std::string>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }

  // Set equality, case-insensitive, order ignored.
  friend bool operator==(const Keywords& a, const Keywords& b);

 private:
  std::vector<std::string> items_;
};

// The RFC 3503 keyword that records a sent read receipt. Postamt keeps it as a one-way
// latch (docs/read-receipts.md): once a message has it, no flag update removes it.
inline constexpr std::string_view kMdnSentKeyword = "$MDNSent";

enum class FlagOperation { add, remove, replace };

// A change to the flags of some messages, as every protocol asks for it (IMAP STORE,
// JMAP Email/set keywords, POP3's \Seen at QUIT).
struct FlagUpdate {
  FlagOperation operation = FlagOperation::add;
  SystemFlags flags;
  Keywords keywords;
  // RFC 7162 §3.1.3: only messages whose modseq is <= this value are changed.
  std::optional<ModSeq> unchanged_since;
};

// Applies `update` to one message's flags and keywords. A $MDNSent the message has
// stays, whatever the update says (remove, or a replacement list without it); a
// replacement keeps the message's spelling of the keywords it keeps.
void apply_flag_update(const FlagUpdate& update, SystemFlags& flags, Keywords& keywords);

}  // namespace postamt
