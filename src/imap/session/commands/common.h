// Small pieces several command files share. Inline; same threading as commands.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "imap/session/reply.h"
#include "model/flags.h"
#include "store/api/rules.h"
#include "store/api/types.h"

namespace postamt::imap::commands {

// The keyword RFC 3503 defines; the store keeps it as a one-way latch (DESIGN.md §6).
inline constexpr std::string_view kMdnSent = store::kMdnSentKeyword;

// Keywords one message may carry: every session's view and every FETCH FLAGS carries
// them, so a client must not be able to pile up thousands.
inline constexpr size_t kMaxKeywordsPerMessage = 64;

inline Reply too_many_keywords() {
  return Reply::no(
      proto::ResponseCode::simple(proto::ResponseCode::Kind::limit),
      "A message may carry at most " + std::to_string(kMaxKeywordsPerMessage) + " keywords");
}

// Splits a client's flag list (STORE, APPEND) into system flags and keywords. Returns
// the refusal: BAD for \Recent, unknown system flags (RFC 3501 §2.3.2) and invalid
// keywords; NO [LIMIT] for more than kMaxKeywordsPerMessage keywords.
inline std::optional<Reply> parse_flag_list(const std::vector<std::string>& list,
                                            SystemFlags& flags, Keywords& keywords) {
  for (const auto& f : list) {
    if (auto system = parse_system_flag(f)) {
      flags.add(*system);
    } else if (!f.empty() && f.front() == '\\') {
      return Reply::bad("Flag " + f + " cannot be stored");
    } else if (!is_valid_keyword(f)) {
      return Reply::bad("Invalid keyword " + f);
    } else {
      keywords.add(f);
    }
  }
  if (keywords.size() > kMaxKeywordsPerMessage) return too_many_keywords();
  return std::nullopt;
}

// The uids of `messages` that carry \Deleted, ascending (the store lists by uid).
inline std::vector<Uid> deleted_uids(const std::vector<store::MessageRecord>& messages) {
  std::vector<Uid> out;
  for (const auto& m : messages)
    if (m.flags.has(SystemFlag::deleted)) out.push_back(m.uid);
  return out;
}

}  // namespace postamt::imap::commands
