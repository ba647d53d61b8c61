// IMAP SEARCH keys (imap/proto/search_key.h) as a mail-core query (model/search_query.h),
// so that IMAP and JMAP share one evaluator (mail/search.h). Pure; same threading as
// commands.h.
#pragma once

#include "base/result.h"
#include "imap/proto/search_key.h"
#include "imap/session/selected.h"
#include "model/search_query.h"

namespace postamt::imap::commands {

// Translates `key` against `selected`:
//   sequence sets and UID sets (and "$", RFC 5182) become the uids they name in the view;
//   BEFORE/ON/SINCE become internal-date ranges of whole UTC days, SENTBEFORE/SENTON/
//   SENTSINCE ranges of the Date header's days; LARGER/SMALLER, MODSEQ, flags and
//   keywords map one to one;
//   RECENT is the view's \Recent messages (selected.h), NEW those unseen, OLD the others;
//   a sequence number beyond the view, or '*' in an empty mailbox, names no message.
// Errors: limit (mail::check_search_size, checked before any set is resolved).
Result<SearchQuery> to_search_query(const proto::SearchKey& key, const SelectedMailbox& selected);

// True when `key` holds a MODSEQ key (RFC 7162 §3.1.5: the answer then reports MODSEQ,
// and the search enables CONDSTORE).
bool uses_mod_seq(const proto::SearchKey& key);

}  // namespace postamt::imap::commands
