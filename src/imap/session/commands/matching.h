// The messages of the selected view that a search program matches: what SEARCH, SORT
// and THREAD (search.cpp, sort.cpp, thread.cpp) start from. Same threading as commands.h.
#pragma once

#include <cstdint>
#include <memory>
#include <variant>
#include <vector>

#include "imap/proto/search_key.h"
#include "imap/session/reply.h"
#include "mail/search.h"

namespace postamt::imap::commands {

struct Found {
  uint32_t seq = 0;
  Uid uid = 0;
  ModSeq modseq = 0;
  const store::MessageRecord* record = nullptr;  // into the view; valid during the command
};

struct Matches {
  std::vector<Found> found;  // mailbox order
  bool mod_seq = false;      // the program holds a MODSEQ key (RFC 7162 §3.1.5)
  // The compiled program, kept by an UPDATE context (context_updates.h).
  std::shared_ptr<const mail::SearchProgram> program;
};

// Runs `key` over ctx.selected's view. Messages another session expunged and this one
// was not told of do not match (they no longer exist to search). A MODSEQ key enables
// CONDSTORE. The Reply instead when the command fails: BAD for RETURN (UPDATE) under a tag
// that names an UPDATE context already (RFC 5267 §4.3), BAD for a program the mail core
// refuses (too many keys), NO (reply_for) for a blob or store error. With SAVE in
// `returns`, a NO empties "$" and a BAD leaves it (RFC 9051 §6.4.4.1).
std::variant<Matches, Reply> find_matches(CommandContext& ctx, const proto::SearchKey& key,
                                          const proto::SearchReturn& returns);

// The highest modseq of `found` when the program had a MODSEQ key and `found` is not
// empty (RFC 7162 §3.1.5, §3.1.9).
std::optional<uint64_t> highest_modseq(const Matches& matches, const std::vector<Found>& found);

uint32_t number_of(const Found& f, proto::NumberKind kind);

// What "$" and MODSEQ refer to after a search with RETURN options `ret` whose result is
// `found`, in the command's order (mailbox order for SEARCH, sorted for SORT): with MIN
// and/or MAX but neither ALL nor COUNT only the first and last (RFC 9051 §6.4.4.1, RFC
// 4731 §3.2, RFC 5267 §3.1), otherwise all of `found`.
std::vector<Found> reported(const std::vector<Found>& found, const proto::SearchReturn& ret);

// The ESEARCH response (RFC 4731 §3.1) for `found` in the command's order; ALL keeps that
// order (RFC 5267 §3.2). MIN, MAX and ALL are left out when nothing matched; COUNT never.
proto::ESearchData esearch_data(const CommandContext& ctx, proto::NumberKind numbers,
                                const proto::SearchReturn& ret, const Matches& matches,
                                const std::vector<Found>& found);

}  // namespace postamt::imap::commands
