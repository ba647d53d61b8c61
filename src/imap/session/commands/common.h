// Small pieces several command files share. Inline; same threading as commands.h.
#pragma once

#include <string>
#include <vector>

#include "model/flags.h"
#include "store/api/rules.h"
#include "store/api/types.h"

namespace postamt::imap::commands {

// The keyword RFC 3503 defines; the store keeps it as a one-way latch (DESIGN.md §6).
inline constexpr std::string_view kMdnSent = store::kMdnSentKeyword;

// The uids of `messages` that carry \Deleted, ascending (the store lists by uid).
inline std::vector<Uid> deleted_uids(const std::vector<store::MessageRecord>& messages) {
  std::vector<Uid> out;
  for (const auto& m : messages)
    if (m.flags.has(SystemFlag::deleted)) out.push_back(m.uid);
  return out;
}

}  // namespace postamt::imap::commands
