// Small pieces several command files share. Inline; same threading as commands.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "imap/session/error_codes.h"
#include "imap/session/reply.h"
#include "mail/flags.h"
#include "model/flags.h"
#include "store/api/types.h"

namespace postamt::imap::commands {

// The most octets of a client's word (a flag, an attribute) or a message's token that an
// error text quotes: enough to recognise it, never a flood (the encoder escapes the rest,
// imap/proto/response.h).
inline constexpr size_t kMaxQuotedWord = 32;

// Splits a client's flag list (STORE, APPEND) into system flags and keywords. Returns
// the refusal: BAD for \Recent, unknown system flags (RFC 3501 §2.3.2) and invalid
// keywords; NO [LIMIT] for more than mail::kMaxKeywordsPerMessage keywords.
inline std::optional<Reply> parse_flag_list(const std::vector<std::string>& list,
                                            SystemFlags& flags, Keywords& keywords) {
  for (const auto& f : list) {
    if (auto system = parse_system_flag(f)) {
      flags.add(*system);
    } else if (!f.empty() && f.front() == '\\') {
      return Reply::bad("Flag " + f.substr(0, kMaxQuotedWord) + " cannot be stored");
    } else if (!is_valid_keyword(f)) {
      return Reply::bad("Invalid keyword " + f.substr(0, kMaxQuotedWord));
    } else {
      keywords.add(f);
    }
  }
  if (auto counted = mail::check_keyword_count(keywords); !counted)
    return reply_for(counted.error());
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
