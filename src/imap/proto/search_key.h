// The SEARCH program as a tree (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 7162 §3.1.5).
// Built by parse_command(); evaluated by imap/session against the mail layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imap/proto/sequence_set.h"
#include "imap/proto/types.h"

namespace postamt::imap::proto {

struct SearchKey {
  enum class Kind {
    and_,  // parenthesised list or the whole program: all `children` match
    or_,   // OR a b: children[0] or children[1]
    not_,  // NOT a: children[0]
    all,
    answered,
    deleted,
    draft,
    flagged,
    new_,
    old,
    recent,
    seen,
    unanswered,
    undeleted,
    undraft,
    unflagged,
    unseen,
    bcc,
    body,
    cc,
    from,
    subject,
    text,
    to,      // `text` holds the string
    header,  // `header_name` and `text`
    keyword,
    unkeyword,  // `text` holds the keyword
    before,
    on,
    since,
    sent_before,
    sent_on,
    sent_since,  // `date`
    saved_before,
    saved_on,
    saved_since,  // `date` (RFC 8514 §4.3)
    savedate_supported,
    email_id,
    thread_id,  // `text` holds the objectid (RFC 8474 §6)
    larger,
    smaller,       // `number`
    mod_seq,       // `number`; RFC 7162 entry name/type ignored except for syntax
    sequence_set,  // `set` of message numbers
    uid,           // `set` of UIDs
  };
  Kind kind = Kind::all;
  std::string text;
  std::string header_name;
  Date date;
  uint64_t number = 0;
  SequenceSet set;
  std::vector<SearchKey> children;
  friend bool operator==(const SearchKey&, const SearchKey&) = default;
};

}  // namespace postamt::imap::proto
