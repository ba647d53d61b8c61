// A search over the messages of one mailbox as a tree, protocol-neutral: IMAP SEARCH
// (RFC 9051 §6.4.4) and JMAP Email/query filters (RFC 8621 §4.4.1) both compile to it,
// and mail/search.h evaluates it. Plain values; what each kind matches is spelled out
// in mail/search.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/flags.h"
#include "model/ids.h"

namespace postamt {

struct SearchQuery {
  enum class Kind {
    all_of,           // every child matches; no children: every message
    any_of,           // at least one child matches
    not_,             // children[0] does not match
    nothing,          // no message
    has_flag,         // `flag` is set
    lacks_flag,       // `flag` is not set
    has_keyword,      // `text`, compared ignoring ASCII case
    lacks_keyword,    // `text` is not a keyword of the message
    received,         // internal date in [from, until) (seconds since 1970, either open)
    saved,            // save date (RFC 8514) likewise; the internal date where none is kept
    sent_day,         // the first Date header's calendar day as written, in [from, until)
                      // (days since 1970-01-01, either open); no parsable Date: no match
    size_above,       // size > `number`
    size_below,       // size < `number`
    modseq_at_least,  // modseq >= `number`
    uid_in,           // `uids`, ascending
    email_id,         // the message's email object id (model/object_ids.h) is `text`
    thread_in,        // the message's thread (store::MessageRecord::thread) is `number`
    from,             // `text` in the decoded From field or its addresses as displayed
    to,
    cc,
    bcc,
    subject,  // `text` in the decoded Subject field
    header,   // `text` in a decoded field named `header_name`; "" = the field exists
    body,     // `text` in a text part, transfer encoding undone, as UTF-8
    text,     // `text` in the body or in the header as "Name: value" lines
  };

  Kind kind = Kind::all_of;
  SystemFlag flag = SystemFlag::seen;
  std::string text;
  std::string header_name;
  std::optional<int64_t> from;
  std::optional<int64_t> until;
  uint64_t number = 0;
  std::vector<Uid> uids;
  std::vector<SearchQuery> children;

  friend bool operator==(const SearchQuery&, const SearchQuery&) = default;
};

}  // namespace postamt
