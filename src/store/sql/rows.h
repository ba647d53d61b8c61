// Row readers shared by the SqlStore source files: the columns each SELECT names, in
// the order the reader expects them.
#pragma once

#include <string_view>

#include "store/api/types.h"
#include "store/sql/query.h"

namespace postamt::store::sql {

// Subscriptions are kept by name (store.h); the mailbox's flag is read from them.
inline constexpr std::string_view kMailboxColumns =
    "id, account_id, name, role, (SELECT count(*) FROM subscription s WHERE s.account_id = "
    "mailbox.account_id AND s.name = mailbox.name), uid_validity, uid_next, highest_modseq, "
    "messages, unseen, first_recent_uid, modseq, created_modseq";
Mailbox mailbox_from(const Query& q);

inline constexpr std::string_view kMessageColumns =
    "uid, modseq, flags, keywords, internal_date, size, blob_ref, message_id, save_date, "
    "thread_id, created_modseq";
// The message columns from column `first` on.
MessageRecord message_from(const Query& q, int first = 0);

}  // namespace postamt::store::sql
